"""Read and check a region file: the municipalities a pool serves, as CSV or as the shipped JSON format.

Pure functions only (no Flask, no database), so a district's file can be checked line by line before
anything is stored. The CSV is what a KI can type in a spreadsheet: `name;lat;lon[;kind]` with a header
line, UTF-8 (with or without BOM), decimal point or German decimal comma. A municipality's id is a slug of
its name, so the same town keeps its id across files and re-imports match it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sprachmittlerpool.text_check import text_problem

KINDS = ("Stadt", "Gemeinde", "Stadtbezirk", "Ortsteil")
DEFAULT_KIND = "Gemeinde"
NAME_LIMIT = 120
ID_LIMIT = 64
MAX_ENTRIES = 2000
MAX_BYTES = 256 * 1024  # far above 2000 lines; its base64 copy in the preview form stays under the form limit
# Plausible centres: Germany with a margin; a swapped lat/lon or a missing decimal point falls outside.
LAT_RANGE = (47.0, 55.5)
LON_RANGE = (5.5, 15.5)
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SHIPPED_PACKAGE = "sprachmittlerpool.data.regions"

# Normalised CSV header → field; the English names of the format and the German ones a KI may type.
HEADERS = {
    "name": "name", "gemeinde": "name", "kommune": "name", "ort": "name", "stadt": "name",
    "lat": "lat", "breite": "lat", "breitengrad": "lat",
    "lon": "lon", "lng": "lon", "laenge": "lon", "laengengrad": "lon",
    "kind": "kind", "art": "kind", "typ": "kind",
}  # fmt: skip


@dataclass(frozen=True)
class RegionEntry:
    """One municipality as the file gives it; kind "" when the file leaves it open."""

    id: str
    name: str
    kind: str
    lat: float
    lon: float


@dataclass(frozen=True)
class LineError:
    """A mistake in one line (CSV) or entry (JSON) of the file, or in the file as a whole (line None)."""

    line: int | None
    message: str
    label: str = "Zeile"

    def __str__(self) -> str:
        return self.message if self.line is None else f"{self.label} {self.line}: {self.message}"


@dataclass(frozen=True)
class RegionFile:
    """A checked file: its municipalities when every line is right, else the mistakes."""

    region: str
    entries: tuple[RegionEntry, ...]
    errors: tuple[LineError, ...]

    @property
    def ok(self) -> bool:
        """Tell whether the file may be imported (all or nothing)."""
        return not self.errors


def slug(name: str) -> str:
    """Derive a stable id from a name: „Hückelhoven“ → hueckelhoven, „Stolberg (Rhld.)“ → stolberg-rhld."""
    text = name.strip().casefold()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:ID_LIMIT].rstrip("-")


def parse(data: bytes, filename: str) -> RegionFile:
    """Read a region file as JSON (name ends in .json or content starts with `{`) or else as CSV."""
    if len(data) > MAX_BYTES:
        return _failed(f"Die Datei ist zu groß (höchstens {MAX_BYTES // 1024} KB).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _failed(
            "Die Datei ist nicht in UTF-8 gespeichert. Bitte in der Tabellenkalkulation als "
            "„CSV UTF-8 (durch Trennzeichen getrennt)“ speichern."
        )
    if filename.lower().endswith(".json") or text.lstrip().startswith("{"):
        return parse_json(text)
    return parse_csv(text)


def parse_csv(text: str) -> RegionFile:
    """Check a semicolon-separated file with a header line `name;lat;lon[;kind]`."""
    rows = [(number, row) for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=";"), 1)]
    rows = [(number, row) for number, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        return _failed("Die Datei ist leer.")
    header_line, header = rows[0]
    columns, problem = _columns(header)
    if problem:
        return RegionFile("", (), (LineError(header_line, problem),))
    raw = [
        (number, {field: _cell(row, index) for field, index in columns.items()}, len(row))
        for number, row in rows[1:]
    ]
    errors: list[LineError] = [
        LineError(
            number, f"Zu viele Spalten ({cells}); erwartet: name;lat;lon;kind, durch Semikolon getrennt"
        )
        for number, _, cells in raw
        if cells > len(header)
    ]
    return _check([(number, values) for number, values, _ in raw], "Zeile", "", errors)


def parse_json(text: str) -> RegionFile:
    """Check the shipped JSON format: {"region": …, "municipalities": [{id?, name, kind, lat, lon}, …]}."""
    try:
        document = json.loads(text)
    except ValueError as error:
        return _failed(f"Die JSON-Datei ist nicht lesbar (Zeile {getattr(error, 'lineno', '?')}).")
    items = document.get("municipalities") if isinstance(document, dict) else None
    if not isinstance(items, list):
        return _failed("Die JSON-Datei braucht eine Liste „municipalities“.")
    region = document.get("region") if isinstance(document.get("region"), str) else ""
    entries = [(number, item if isinstance(item, dict) else {}) for number, item in enumerate(items, 1)]
    return _check(entries, "Eintrag", region.strip(), [])


def shipped_names() -> list[str]:
    """List the region files shipped with the app, by name (e.g. kreis-kleve)."""
    folder = resources.files(SHIPPED_PACKAGE)
    return sorted(item.name.removesuffix(".json") for item in folder.iterdir() if item.name.endswith(".json"))


def read_shipped(name: str) -> bytes:
    """Return a shipped region file's bytes; KeyError when no such file is shipped."""
    if name not in shipped_names():
        raise KeyError(name)
    return resources.files(SHIPPED_PACKAGE).joinpath(f"{name}.json").read_bytes()


def shipped_region(name: str) -> RegionFile:
    """Read and check a shipped region file."""
    return parse(read_shipped(name), f"{name}.json")


# --- checks ---------------------------------------------------------------------------------------


def _failed(message: str) -> RegionFile:
    return RegionFile("", (), (LineError(None, message),))


def _columns(header: list[str]) -> tuple[dict[str, int], str]:
    """Map the header's columns to fields; a German message when a needed one is missing or doubled."""
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        key = re.sub(r"[^a-z]", "", slug(title).replace("-", ""))
        field = HEADERS.get(key)
        if field is None:
            return {}, f"Unbekannte Spalte „{title.strip()}“ in der Kopfzeile; erwartet: name;lat;lon;kind"
        if field in columns:
            return {}, f"Die Spalte „{title.strip()}“ steht zweimal in der Kopfzeile"
        columns[field] = index
    missing = [name for name in ("name", "lat", "lon") if name not in columns]
    if missing:
        return {}, f"In der Kopfzeile fehlt {', '.join(missing)}; erwartet: name;lat;lon;kind"
    return columns, ""


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _check(
    items: list[tuple[int, dict[str, Any]]], label: str, region: str, errors: list[LineError]
) -> RegionFile:
    """Check every entry and the file as a whole; collect all mistakes, not just the first."""
    if not items:
        errors.append(LineError(None, "Die Datei enthält keine Gemeinde."))
    if len(items) > MAX_ENTRIES:
        errors.append(LineError(None, f"Die Datei enthält mehr als {MAX_ENTRIES} Einträge."))
        items = items[:MAX_ENTRIES]
    entries: list[RegionEntry] = []
    seen_names: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    for number, values in items:
        problems: list[str] = []
        entry = _entry(values, problems)
        if entry is not None:
            problems += _duplicate(entry, number, seen_names, seen_ids, label)
        errors += [LineError(number, message, label) for message in problems]
        if entry is not None and not problems:
            entries.append(entry)
    errors.sort(key=lambda error: -1 if error.line is None else error.line)
    return RegionFile(region, tuple(entries) if not errors else (), tuple(errors))


def _entry(values: dict[str, Any], problems: list[str]) -> RegionEntry | None:
    """Build one entry from its raw values, adding a German message for each wrong value."""
    name = _text(values.get("name"))
    if not name:
        problems.append("Name fehlt")
    elif len(name) > NAME_LIMIT:
        problems.append(f"Name ist länger als {NAME_LIMIT} Zeichen")
    elif problem := text_problem(name):
        problems.append(f"Name: {problem}")
    lat = _coordinate(values.get("lat"), "Breitengrad", LAT_RANGE, problems)
    lon = _coordinate(values.get("lon"), "Längengrad", LON_RANGE, problems)
    kind = _text(values.get("kind"))  # empty: a known town keeps its kind, a new one is a Gemeinde
    known = {k.casefold(): k for k in KINDS} | {"": ""}
    if kind.casefold() not in known:
        problems.append(f"Art „{kind}“ ist unbekannt; erlaubt: {', '.join(KINDS)}")
    given_id = _text(values.get("id"))
    entry_id = given_id or slug(name)
    if name and not given_id and not entry_id:
        problems.append(f"Aus dem Namen „{name}“ lässt sich keine Kennung bilden")
    elif given_id and (len(given_id) > ID_LIMIT or not ID_PATTERN.fullmatch(given_id)):
        problems.append(f"Kennung „{given_id}“: nur Kleinbuchstaben, Ziffern und Bindestriche erlaubt")
    if problems or lat is None or lon is None:
        return None
    return RegionEntry(entry_id, name, known[kind.casefold()], lat, lon)


def _duplicate(
    entry: RegionEntry, number: int, names: dict[str, int], ids: dict[str, int], label: str
) -> list[str]:
    """Name a doubled name or id, with the line that had it first."""
    key = entry.name.casefold()
    if key in names:
        return [f"„{entry.name}“ steht schon in {label} {names[key]}"]
    if entry.id in ids:
        return [f"„{entry.name}“ ergibt dieselbe Kennung „{entry.id}“ wie {label} {ids[entry.id]}"]
    names[key] = number
    ids[entry.id] = number
    return []


def _text(value: Any) -> str:
    return re.sub(r"\s+", " ", value).strip() if isinstance(value, str) else ""


def _coordinate(value: Any, what: str, bounds: tuple[float, float], problems: list[str]) -> float | None:
    """Read a coordinate (number, or text with a decimal point or comma) inside the plausible range."""
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int | float):
        number = float(value)
    else:
        text = _text(value)
        if not text:
            problems.append(f"{what} fehlt")
            return None
        number = _number(text)
        value = text
    if number is None:
        problems.append(f"{what} „{value}“ ist keine Zahl")
        return None
    low, high = bounds
    if not low <= number <= high:
        shown = f"{number:g}".replace(".", ",")
        expected = f"zwischen {low:g} und {high:g}".replace(".", ",")
        problems.append(f"{what} {shown} liegt nicht in Deutschland (erwartet {expected})")
        return None
    return number


def _number(text: str) -> float | None:
    """Parse 51.08 or 51,08; None for anything else (thousands separators make no sense here)."""
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?\d+(?:\.\d+)?", text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None
