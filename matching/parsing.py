"""Turn instance JSON into frozen dataclasses, naming the first problem by its path."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from matching.types import (
    INSTANCE_FORMAT,
    MODES,
    Absence,
    Booking,
    Instance,
    InstanceError,
    Municipality,
    Qualification,
    Request,
    Settings,
    Volunteer,
    Window,
)

T = TypeVar("T")

_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}")
_MISSING = object()


def load_instance(path: str | Path) -> Instance:
    """Read and parse an instance file; every problem becomes an InstanceError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InstanceError("", f"cannot read {path}: {exc.__class__.__name__}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InstanceError(f"line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}") from exc
    return parse_instance(data)


def parse_instance(data: Any) -> Instance:
    """Check and convert a decoded instance; raise InstanceError(path, message) on the first problem."""
    root = _object(data, "(root)")
    fmt = _field(root, "format", "", _string)
    if fmt != INSTANCE_FORMAT:
        raise InstanceError("format", f'expected "{INSTANCE_FORMAT}", got {_show(fmt)}')
    settings = _optional(root, "settings", "", _settings, Settings())
    municipalities = _list_of(root, "municipalities", "", _municipality)
    _unique_ids(municipalities, "municipalities")
    known = {m.id for m in municipalities}
    volunteers = _list_of(root, "volunteers", "", lambda v, p: _volunteer(v, p, known))
    _unique_ids(volunteers, "volunteers")
    requests = _list_of(root, "requests", "", lambda v, p: _request(v, p, known))
    _unique_ids(requests, "requests")
    return Instance(
        volunteers=volunteers, requests=requests, municipalities=municipalities, settings=settings
    )


def _settings(value: Any, path: str) -> Settings:
    obj = _object(value, path)
    default = Settings()
    base = _optional(obj, "travel_minutes_base", path, _non_negative, default.travel_minutes_base)
    per_km = _optional(obj, "travel_minutes_per_km", path, _non_negative, default.travel_minutes_per_km)
    return Settings(travel_minutes_base=base, travel_minutes_per_km=per_km)


def _municipality(value: Any, path: str) -> Municipality:
    obj = _object(value, path)
    lat = _field(obj, "lat", path, _number)
    lon = _field(obj, "lon", path, _number)
    if not -90 <= lat <= 90:
        raise InstanceError(f"{path}.lat", f"expected a latitude between -90 and 90, got {_show(lat)}")
    if not -180 <= lon <= 180:
        raise InstanceError(f"{path}.lon", f"expected a longitude between -180 and 180, got {_show(lon)}")
    return Municipality(
        id=_field(obj, "id", path, _string), name=_optional(obj, "name", path, _string, ""), lat=lat, lon=lon
    )


def _volunteer(value: Any, path: str, known: set[str]) -> Volunteer:
    obj = _object(value, path)
    return Volunteer(
        id=_field(obj, "id", path, _string),
        languages=_list_of(obj, "languages", path, _string),
        gender=_optional(obj, "gender", path, _string, None),
        home=_field(obj, "home", path, lambda v, p: _reference(v, p, known)),
        max_distance_km=_field(obj, "max_distance_km", path, _non_negative),
        availability=_list_of(obj, "availability", path, _window),
        absences=_optional_list(obj, "absences", path, _absence),
        max_per_week=_field(obj, "max_per_week", path, _count),
        booked=_optional_list(obj, "booked", path, lambda v, p: _booking(v, p, known)),
        recent_assignments=_optional(obj, "recent_assignments", path, _count, 0),
        remote=_optional(obj, "remote", path, _boolean, False),
        written=_optional(obj, "written", path, _boolean, False),
        qualifications=_optional(obj, "qualifications", path, _qualifications, ()),
    )


def _request(value: Any, path: str, known: set[str]) -> Request:
    obj = _object(value, path)
    start = _field(obj, "start", path, _datetime)
    end = _field(obj, "end", path, _datetime)
    if end <= start:
        raise InstanceError(f"{path}.end", f"must be after start {_stamp(start)}, got {_show(_stamp(end))}")
    priority = _optional(obj, "priority", path, _integer, 1)
    if priority < 1:
        raise InstanceError(f"{path}.priority", f"expected an integer >= 1, got {priority}")
    return Request(
        id=_field(obj, "id", path, _string),
        language=_field(obj, "language", path, _string),
        municipality=_field(obj, "municipality", path, lambda v, p: _reference(v, p, known)),
        start=start,
        end=end,
        gender_required=_optional(obj, "gender_required", path, _string, None),
        preferred_volunteers=_optional_list(obj, "preferred_volunteers", path, _string),
        excluded_volunteers=_optional_list(obj, "excluded_volunteers", path, _string),
        priority=priority,
        mode=_optional(obj, "mode", path, _mode, MODES[0]),
        requires=_optional_list(obj, "requires", path, _name),
    )


def _mode(value: Any, path: str) -> str:
    mode = _string(value, path)
    if mode not in MODES:
        allowed = ", ".join(f'"{m}"' for m in MODES[:-1]) + f' or "{MODES[-1]}"'
        raise InstanceError(path, f"expected {allowed}, got {_show(mode)}")
    return mode


def _qualifications(value: Any, path: str) -> tuple[Qualification, ...]:
    """Read {name: last valid date or null}, the volunteer's qualifications."""
    obj = _object(value, path)
    found = []
    for name, until in obj.items():
        key = _join(path, name)
        _name(name, key)
        found.append(Qualification(name, None if until is None else _date(until, key)))
    return tuple(found)


def _name(value: Any, path: str) -> str:
    name = _string(value, path)
    if not name.strip():
        raise InstanceError(path, "expected a qualification name, got an empty string")
    return name


def _window(value: Any, path: str) -> Window:
    obj = _object(value, path)
    weekday = _field(obj, "weekday", path, _integer)
    if not 0 <= weekday <= 6:
        raise InstanceError(f"{path}.weekday", f"expected 0 (Monday) to 6 (Sunday), got {weekday}")
    start = _field(obj, "start", path, _clock)
    end = _field(obj, "end", path, _clock)
    if end <= start:
        raise InstanceError(f"{path}.end", "must be after start")
    return Window(weekday=weekday, start=start, end=end)


def _absence(value: Any, path: str) -> Absence:
    obj = _object(value, path)
    start = _field(obj, "start", path, _date)
    end = _field(obj, "end", path, _date)
    if end < start:
        raise InstanceError(f"{path}.end", f"must not be before start {start.isoformat()}")
    return Absence(start=start, end=end)


def _booking(value: Any, path: str, known: set[str]) -> Booking:
    obj = _object(value, path)
    start = _field(obj, "start", path, _datetime)
    end = _field(obj, "end", path, _datetime)
    if end <= start:
        raise InstanceError(f"{path}.end", f"must be after start {_stamp(start)}, got {_show(_stamp(end))}")
    municipality = _field(obj, "municipality", path, lambda v, p: _reference(v, p, known))
    written = _optional(obj, "written", path, _boolean, False)
    return Booking(start=start, end=end, municipality=municipality, written=written)


def _unique_ids(items: tuple[Any, ...], path: str) -> None:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.id in seen:
            raise InstanceError(f"{path}[{index}].id", f"duplicate id {_show(item.id)}")
        seen.add(item.id)


def _field(obj: dict[str, Any], key: str, path: str, convert: Callable[[Any, str], T]) -> T:
    value = obj.get(key, _MISSING)
    if value is _MISSING:
        raise InstanceError(_join(path, key), "required field is missing")
    return convert(value, _join(path, key))


def _optional(obj: dict[str, Any], key: str, path: str, convert: Callable[[Any, str], T], default: T) -> T:
    value = obj.get(key)
    return default if value is None else convert(value, _join(path, key))


def _list_of(obj: dict[str, Any], key: str, path: str, convert: Callable[[Any, str], T]) -> tuple[T, ...]:
    return _field(obj, key, path, lambda v, p: _items(v, p, convert))


def _optional_list(
    obj: dict[str, Any], key: str, path: str, convert: Callable[[Any, str], T]
) -> tuple[T, ...]:
    return _optional(obj, key, path, lambda v, p: _items(v, p, convert), ())


def _items(value: Any, path: str, convert: Callable[[Any, str], T]) -> tuple[T, ...]:
    if not isinstance(value, list):
        raise InstanceError(path, f"expected a list, got {_kind(value)}")
    return tuple(convert(item, f"{path}[{index}]") for index, item in enumerate(value))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InstanceError(path, f"expected an object, got {_kind(value)}")
    return value


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise InstanceError(path, f"expected a string, got {_kind(value)}")
    return value


def _reference(value: Any, path: str, known: set[str]) -> str:
    municipality = _string(value, path)
    if municipality not in known:
        raise InstanceError(path, f"unknown municipality {_show(municipality)}")
    return municipality


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InstanceError(path, f"expected a number, got {_kind(value)}")
    return float(value)


def _non_negative(value: Any, path: str) -> float:
    number = _number(value, path)
    if number < 0:
        raise InstanceError(path, f"expected a number >= 0, got {_show(value)}")
    return number


def _boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise InstanceError(path, f"expected true or false, got {_kind(value)}")
    return value


def _integer(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InstanceError(path, f"expected an integer, got {_kind(value)}")
    return value


def _count(value: Any, path: str) -> int:
    number = _integer(value, path)
    if number < 0:
        raise InstanceError(path, f"expected an integer >= 0, got {number}")
    return number


def _datetime(value: Any, path: str) -> dt.datetime:
    text = _string(value, path)
    try:
        if not _DATETIME.fullmatch(text):
            raise ValueError(text)
        return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M")
    except ValueError:
        raise InstanceError(path, f"expected YYYY-MM-DDTHH:MM, got {_show(text)}") from None


def _date(value: Any, path: str) -> dt.date:
    text = _string(value, path)
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InstanceError(path, f"expected YYYY-MM-DD, got {_show(text)}") from None


def _clock(value: Any, path: str) -> int:
    text = _string(value, path)
    hours, minutes = (int(part) for part in text.split(":")) if _TIME.fullmatch(text) else (99, 99)
    # 24:00 closes a window that runs to midnight
    if not (hours < 24 and minutes < 60 or (hours, minutes) == (24, 0)):
        raise InstanceError(path, f"expected HH:MM, got {_show(text)}")
    return hours * 60 + minutes


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return _show(value)
