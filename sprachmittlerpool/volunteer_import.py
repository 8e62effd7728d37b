"""Read and check volunteer data: the spreadsheet a pool already keeps, and the API's JSON fields.

Pure functions only (no Flask, no database): the callers hand in a `Catalog` of the known
languages and municipalities, and get back clean values or German messages for people.

Import rule for existing e-mail addresses: a row whose e-mail already belongs to a volunteer is an
error (nothing is updated behind the coordinator's back); change such people through their page.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sprachmittlerpool.email_address import checked_email
from sprachmittlerpool.ibans import InvalidIban, validate_iban
from sprachmittlerpool.models import QualificationKind
from sprachmittlerpool.text_check import checked_text, text_problem

WEEKDAYS = {
    "mo": 0, "montag": 0, "di": 1, "dienstag": 1, "mi": 2, "mittwoch": 2, "do": 3, "donnerstag": 3,
    "fr": 4, "freitag": 4, "sa": 5, "samstag": 5, "sonnabend": 5, "so": 6, "sonntag": 6,
}  # fmt: skip
WEEKDAY_NAMES = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
GENDERS = {"f": "f", "w": "f", "weiblich": "f", "m": "m", "maennlich": "m", "d": "d", "divers": "d"}
DEFAULT_DISTANCE_KM = 25.0
DEFAULT_PER_WEEK = 3
MAX_DISTANCE_KM = 500.0
MAX_PER_WEEK = 50

# Normalised header → field; several spellings a pool's sheet may use.
HEADERS = {
    "name": "name", "vollername": "name",
    "email": "email", "emailadresse": "email", "mail": "email",
    "telefon": "phone", "telefonnummer": "phone", "tel": "phone", "handy": "phone",
    "geschlecht": "gender",
    "wohnort": "home", "kommune": "home", "ort": "home",
    "entfernungkm": "max_distance_km", "entfernung": "max_distance_km", "maxentfernungkm": "max_distance_km",
    "sprachen": "languages", "sprache": "languages",
    "verfuegbarkeit": "availability", "verfuegbar": "availability",
    "einsaetzeprowoche": "max_per_week", "einsaetzewoche": "max_per_week", "maxeinsaetzeprowoche": "max_per_week",
    "iban": "iban",
    "telefonvideo": "remote", "telefonundvideo": "remote", "telefonodervideo": "remote",
    "grundschulungam": "trained_on", "grundschulung": "trained_on", "schulungam": "trained_on",
    "verschwiegenheitserklaerungam": "confidentiality_on", "verschwiegenheitserklaerung": "confidentiality_on",
    "fuehrungszeugnisausgestelltam": "clearance_on", "fuehrungszeugnisausgestellt": "clearance_on",
    "fuehrungszeugnisvom": "clearance_on",
    "fuehrungszeugnisgueltigbis": "clearance_until", "fuehrungszeugnisbis": "clearance_until",
    "austauschtreffen": "exchange_on", "austauschtreffenam": "exchange_on", "letztesaustauschtreffen": "exchange_on",
}  # fmt: skip
REQUIRED_COLUMNS = {"name": "Name", "email": "E-Mail", "home": "Wohnort", "languages": "Sprachen"}
# The optional qualification columns: field → (kind, which date, the column's name in messages).
QUALIFICATION_COLUMNS = {
    "trained_on": (QualificationKind.TRAINED.value, 0, "Grundschulung am"),
    "confidentiality_on": (QualificationKind.CONFIDENTIALITY.value, 0, "Verschwiegenheitserklärung am"),
    "clearance_on": (QualificationKind.CLEARANCE.value, 0, "Führungszeugnis ausgestellt am"),
    "clearance_until": (QualificationKind.CLEARANCE.value, 1, "Führungszeugnis gültig bis"),
    "exchange_on": (QualificationKind.EXCHANGE.value, 0, "Austauschtreffen"),
}
YES_NO = {"ja": True, "j": True, "x": True, "1": True, "nein": False, "n": False, "0": False, "-": False}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, missing columns); German message."""


def fold(text: str) -> str:
    """Fold case and umlauts so „Hückelhoven“, „HUECKELHOVEN“ and „hückelhoven“ compare equal."""
    text = text.strip().casefold()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    return re.sub(r"\s+", " ", text)


def _header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


@dataclass(frozen=True)
class Catalog:
    """The languages (code → German name) and municipalities (id → name) the pool knows."""

    languages: dict[str, str]
    municipalities: dict[str, str]

    def language_code(self, text: str) -> str | None:
        """Find a language by code or German name, ignoring case, umlauts and a bracketed variant."""
        wanted = fold(text)
        by_name: dict[str, str] = {}
        for code, name in self.languages.items():
            by_name.setdefault(fold(code), code)
            by_name.setdefault(fold(name), code)
        for code, name in self.languages.items():
            short = fold(name.split("(")[0])
            if sum(1 for other in self.languages.values() if fold(other.split("(")[0]) == short) == 1:
                by_name.setdefault(short, code)
        return by_name.get(wanted)

    def municipality_id(self, text: str) -> str | None:
        """Find a municipality by id or name, ignoring case and umlauts."""
        wanted = fold(text).replace(" ", "-")
        for mid, name in self.municipalities.items():
            if wanted in (fold(mid), fold(name).replace(" ", "-")):
                return mid
        return None


@dataclass
class VolunteerData:
    """A volunteer's checked values, ready to be stored."""

    name: str
    email: str
    home: str
    languages: list[str]
    phone: str = ""
    gender: str | None = None
    max_distance_km: float = DEFAULT_DISTANCE_KM
    max_per_week: int = DEFAULT_PER_WEEK
    availability: list[tuple[int, time, time]] = field(default_factory=list)
    iban: str | None = None
    remote: bool = False  # takes phone and video appointments
    # kind → (issued on, valid until); a kind that is missing is not held
    qualifications: dict[str, tuple[date | None, date | None]] = field(default_factory=dict)


@dataclass
class ImportCheck:
    """What a file's check found: the rows to import, or the errors that prevent it."""

    records: list[VolunteerData]
    errors: list[str]
    rows: int

    @property
    def ok(self) -> bool:
        """Say whether every row is valid, so the whole file may be imported."""
        return not self.errors


# ---------------------------------------------------------------- single values


def parse_clock(text: str) -> time:
    """Read "8", "08", "8:30" or "08:30" as a time of day."""
    match = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?", text.strip())
    if not match:
        raise ValueError(f"„{text}“ ist keine Uhrzeit (HH:MM).")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour == 24 and minute == 0:
        return time(23, 59)
    if hour > 23 or minute > 59:
        raise ValueError(f"„{text}“ ist keine Uhrzeit (HH:MM).")
    return time(hour, minute)


def parse_strict_clock(value: Any) -> time:
    """Read the API's "HH:MM" exactly."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{2}:\d{2}", value):
        raise ValueError("Bitte eine Uhrzeit im Format HH:MM angeben.")
    hour, minute = int(value[:2]), int(value[3:])
    if hour > 23 or minute > 59:
        raise ValueError("Bitte eine Uhrzeit im Format HH:MM angeben.")
    return time(hour, minute)


def _weekdays(text: str) -> list[int]:
    days: list[int] = []
    for part in re.split(r"[,/]| und ", text):
        part = part.strip().rstrip(".")
        if not part:
            continue
        bounds = re.split(r"\s*[-–]\s*", part)
        if len(bounds) == 2 and all(fold(b) in WEEKDAYS for b in bounds):
            first, last = WEEKDAYS[fold(bounds[0])], WEEKDAYS[fold(bounds[1])]
            if last < first:
                raise ValueError(f"„{part}“ ist kein gültiger Bereich von Wochentagen.")
            days.extend(range(first, last + 1))
        elif fold(part) in WEEKDAYS:
            days.append(WEEKDAYS[fold(part)])
        else:
            raise ValueError(f"„{part}“ ist kein Wochentag (Mo, Di, Mi, Do, Fr, Sa, So).")
    return days


def parse_availability(text: str) -> list[tuple[int, time, time]]:
    """Read "Mo 08:00-13:00; Mi 14-18; Mo-Fr 9-12" into (weekday, start, end) windows."""
    windows: list[tuple[int, time, time]] = []
    for segment in re.split(r"[;\n]", text or ""):
        segment = segment.strip()
        if not segment:
            continue
        match = re.fullmatch(
            r"(?P<days>[^\d]+?)\s*(?P<start>\d{1,2}(?:[:.]\d{2})?)\s*(?:-|–|bis)\s*"
            r"(?P<end>\d{1,2}(?:[:.]\d{2})?)\s*(?:Uhr)?",
            segment,
            flags=re.IGNORECASE,
        )
        if not match:
            raise ValueError(f"„{segment}“ ist keine Zeitangabe wie „Mo 08:00-13:00“.")
        start, end = parse_clock(match["start"]), parse_clock(match["end"])
        if end <= start:
            raise ValueError(f"In „{segment}“ liegt das Ende nicht nach dem Beginn.")
        windows.extend((day, start, end) for day in _weekdays(match["days"]))
    return windows


def format_availability(windows: Iterable[tuple[int, time, time]]) -> str:
    """Write windows the way `parse_availability` reads them back."""
    return "; ".join(f"{WEEKDAY_NAMES[d]} {s:%H:%M}-{e:%H:%M}" for d, s, e in sorted(windows))


def parse_number(text: str, *, what: str, integer: bool, default: float) -> float:
    """Read a German or English number ("12,5"), or the default for an empty cell."""
    text = str(text).strip()
    if not text:
        return default
    try:
        # ASCII only: float() would read "١٢" as 12 and "1e400" as infinity.
        value = float(text.replace(",", ".")) if text.isascii() else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(f"{what}: „{text}“ ist keine Zahl.")
    if integer and value != int(value):
        raise ValueError(f"{what}: „{text}“ ist keine ganze Zahl.")
    if value < 0:
        raise ValueError(f"{what}: die Zahl darf nicht negativ sein.")
    return value


def check_iban(value: str) -> str:
    """Return the compact IBAN, or raise with the German reason."""
    try:
        return validate_iban(value)
    except InvalidIban as error:
        raise ValueError(str(error)) from None


def parse_german_date(text: str) -> date:
    """Read a date as German lists write it ("03.12.2026", "3.12.2026"), or as ISO ("2026-12-03")."""
    text = text.strip()
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(f"„{text}“ ist kein Datum (bitte TT.MM.JJJJ, etwa 03.12.2026).")


def parse_yes_no(text: str) -> bool:
    """Read "ja" or "nein" (also "j", "n", "x", "1", "0"); an empty cell is no."""
    answer = YES_NO.get(fold(text)) if text.strip() else False
    if answer is None:
        raise ValueError(f"„{text}“ – bitte „ja“ oder „nein“ eintragen.")
    return answer


def parse_date(value: Any) -> date:
    """Read an API date "YYYY-MM-DD"."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("Bitte ein Datum im Format JJJJ-MM-TT angeben.")


# ---------------------------------------------------------------- the API's JSON fields

API_FIELDS = frozenset(
    {"name", "email", "phone", "gender", "home", "max_distance_km", "languages", "availability"}
    | {"max_per_week", "iban", "remote", "qualifications"}
)
API_REQUIRED = ("name", "email", "home", "languages")


def check_api_fields(
    data: dict[str, Any], catalog: Catalog, *, partial: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check the API's volunteer fields; return the clean values present and German errors per field."""
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if not partial:
        for name in API_REQUIRED:
            if data.get(name) in (None, "", []):
                errors[name] = "Dieses Feld ist erforderlich."
    for name, value in data.items():
        if name in errors:
            continue
        try:
            clean[name] = _check_api_field(name, value, catalog, errors)
        except ValueError as error:
            errors[name] = str(error)
    return clean, errors


def _text(value: Any, *, limit: int, required: bool) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ValueError("Bitte einen Text angeben.")
    value = checked_text(value)
    if required and not value:
        raise ValueError("Dieses Feld ist erforderlich.")
    if len(value) > limit:
        raise ValueError(f"Höchstens {limit} Zeichen.")
    return value


def _number(value: Any, *, integer: bool, limit: float) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or (integer and not isinstance(value, int))
    ):
        raise ValueError("Bitte eine ganze Zahl angeben." if integer else "Bitte eine Zahl angeben.")
    if value < 0 or value > limit:
        raise ValueError(f"Bitte eine Zahl zwischen 0 und {limit:g} angeben.")
    return value


def _check_api_field(name: str, value: Any, catalog: Catalog, errors: dict[str, str]) -> Any:
    """Return the clean value of one field (raise ValueError, or add nested errors)."""
    if name == "name":
        return _text(value, limit=200, required=True)
    if name == "email":
        return checked_email(value)
    if name == "phone":
        return _text(value, limit=60, required=False)
    if name == "gender":
        if value is not None and value not in ("f", "m", "d"):
            raise ValueError("Erlaubt sind „f“, „m“, „d“ oder null.")
        return value
    if name == "home":
        if not isinstance(value, str) or value not in catalog.municipalities:
            raise ValueError("Diese Kommune gehört nicht zur Region des Pools.")
        return value
    if name == "max_distance_km":
        return float(_number(value, integer=False, limit=MAX_DISTANCE_KM))
    if name == "max_per_week":
        return int(_number(value, integer=True, limit=MAX_PER_WEEK))
    if name == "languages":
        return _api_languages(value, catalog)
    if name == "availability":
        return _api_availability(value, errors)
    if name == "iban":
        return (
            None
            if value is None or value == ""
            else check_iban(value)
            if isinstance(value, str)
            else _bad_iban()
        )
    if name in ("active", "remote"):
        if not isinstance(value, bool):
            raise ValueError("Bitte true oder false angeben.")
        return value
    if name == "qualifications":
        return _api_qualifications(value, errors)
    raise ValueError("Dieses Feld gibt es nicht.")


def _bad_iban() -> str:
    raise ValueError("Die IBAN ist ungültig (bitte als Text angeben).")


def _api_languages(value: Any, catalog: Catalog) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(code, str) for code in value):
        raise ValueError("Bitte mindestens eine Sprache als Liste von Sprachcodes angeben.")
    unknown = [code for code in value if code not in catalog.languages]
    if unknown:
        raise ValueError("Unbekannte Sprache: " + ", ".join(f"„{code}“" for code in unknown) + ".")
    return list(dict.fromkeys(value))


def _api_qualifications(value: Any, errors: dict[str, str]) -> dict[str, tuple[date | None, date | None]]:
    """Read [{"kind", "date", "valid_until"}] into kind → (issued on, valid until); the list replaces all."""
    if not isinstance(value, list):
        raise ValueError("Bitte eine Liste von Nachweisen angeben.")
    kinds = [kind.value for kind in QualificationKind]
    found: dict[str, tuple[date | None, date | None]] = {}
    seen: set[str] = set()
    for index, entry in enumerate(value):
        where = f"qualifications[{index}]"
        if (
            not isinstance(entry, dict)
            or "kind" not in entry
            or not set(entry) <= {"kind", "date", "valid_until"}
        ):
            errors[where] = "Jeder Nachweis braucht kind und dazu date und/oder valid_until."
            continue
        kind = entry["kind"]
        if not isinstance(kind, str) or kind not in kinds:
            errors[f"{where}.kind"] = "Erlaubt sind " + ", ".join(f"„{k}“" for k in kinds) + "."
            continue
        if kind in seen:
            errors[f"{where}.kind"] = "Jeder Nachweis darf nur einmal vorkommen."
            continue
        seen.add(kind)
        dates: list[date | None] = []
        for key in ("date", "valid_until"):
            try:
                dates.append(None if entry.get(key) is None else parse_date(entry[key]))
            except ValueError as error:
                errors[f"{where}.{key}"] = str(error)
        if len(dates) < 2:
            continue
        issued, until = dates
        if issued is None and until is None:
            errors[where] = "Bitte date und/oder valid_until angeben."
        elif issued and until and until < issued:
            errors[f"{where}.valid_until"] = "„valid_until“ darf nicht vor „date“ liegen."
        else:
            found[kind] = (issued, until)
    return found


def _api_availability(value: Any, errors: dict[str, str]) -> list[tuple[int, time, time]]:
    if not isinstance(value, list):
        raise ValueError("Bitte eine Liste von Zeitfenstern angeben.")
    windows: list[tuple[int, time, time]] = []
    for index, window in enumerate(value):
        where = f"availability[{index}]"
        if not isinstance(window, dict) or set(window) != {"weekday", "start", "end"}:
            errors[where] = "Jedes Zeitfenster braucht genau weekday, start und end."
            continue
        weekday = window["weekday"]
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            errors[f"{where}.weekday"] = "Der Wochentag muss eine Zahl von 0 (Montag) bis 6 (Sonntag) sein."
            continue
        try:
            start = parse_strict_clock(window["start"])
        except ValueError as error:
            errors[f"{where}.start"] = str(error)
            continue
        try:
            end = parse_strict_clock(window["end"])
        except ValueError as error:
            errors[f"{where}.end"] = str(error)
            continue
        if end <= start:
            errors[f"{where}.end"] = "Das Ende muss nach dem Beginn liegen."
            continue
        windows.append((weekday, start, end))
    return windows


# ---------------------------------------------------------------- spreadsheets


def read_table(data: bytes, filename: str) -> list[dict[str, str]]:
    """Read a CSV (`;` or `,`, UTF-8 or cp1252) or XLSX file into rows keyed by field name."""
    is_xlsx = filename.lower().endswith(".xlsx") or data[:2] == b"PK"
    grid = _xlsx_grid(data) if is_xlsx else _csv_grid(data)
    grid = [row for row in grid if any(cell.strip() for cell in row)]
    if not grid:
        raise ImportFileError("Die Datei ist leer.")
    fields = [HEADERS.get(_header_key(cell)) for cell in grid[0]]
    missing = [label for key, label in REQUIRED_COLUMNS.items() if key not in fields]
    if missing:
        raise ImportFileError("Es fehlen Spalten: " + ", ".join(f"„{label}“" for label in missing) + ".")
    rows = []
    for cells in grid[1:]:
        row = {name: (cells[i] if i < len(cells) else "").strip() for i, name in enumerate(fields) if name}
        rows.append(row)
    return rows


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv_grid(data: bytes) -> list[list[str]]:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


MAX_UNPACKED_BYTES = 20 * 1024 * 1024  # a list of a few thousand volunteers unpacks to well under 1 MB
MAX_ZIP_ENTRIES = 200
MAX_CELLS = 100_000
TOO_BIG = (
    "Die Excel-Datei ist ungewöhnlich groß (entpackt über 20 MB oder mehr als 100.000 Zellen). "
    "Bitte speichern Sie nur die Liste der Sprachmittelnden in einer neuen Datei."
)


def check_xlsx_size(data: bytes) -> None:
    """Refuse a zip bomb before parsing: the sizes the zip declares bound what it may unpack to.

    Python's zipfile stops at the declared size and fails the CRC when a member lies about it, so the
    declared sum is a safe upper bound of what openpyxl can ever read.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise ImportFileError("Die Excel-Datei kann nicht gelesen werden.") from error
    if len(members) > MAX_ZIP_ENTRIES or sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise ImportFileError(TOO_BIG)


def _xlsx_grid(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    check_xlsx_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows, columns = sheet.max_row or 0, sheet.max_column or 0
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise ImportFileError("Die Excel-Datei kann nicht gelesen werden.") from error
    try:
        if rows * columns > MAX_CELLS:  # the sheet's declared dimension, read before any cell
            raise ImportFileError(TOO_BIG)
        return _bounded_grid(sheet)
    finally:
        workbook.close()


def _bounded_grid(sheet: Any) -> list[list[str]]:
    """Read the cells, stopping as soon as there are more than MAX_CELLS (a dimension can lie)."""
    grid: list[list[str]] = []
    cells = 0
    for row in sheet.iter_rows(values_only=True):
        cells += len(row)
        if cells > MAX_CELLS:
            raise ImportFileError(TOO_BIG)
        grid.append([_cell_text(value) for value in row])
    return grid


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):  # a date cell: openpyxl reads it as midnight of that day
        return f"{value:%d.%m.%Y}" if value.time() == time(0) else f"{value:%d.%m.%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    return str(value)


def check_rows(
    rows: list[dict[str, str]],
    catalog: Catalog,
    existing_emails: set[str],
    *,
    progress: Any = None,
) -> ImportCheck:
    """Check every row; rows are numbered as in the sheet (the header is line 1)."""
    records: list[VolunteerData] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        line = index + 2
        problems, record = _check_row(row, catalog)
        if record is not None:
            if record.email in existing_emails:
                problems.append(f"Die E-Mail-Adresse {record.email} gehört schon einer Person im Pool.")
            elif record.email in seen:
                problems.append(
                    f"Die E-Mail-Adresse {record.email} steht schon in Zeile {seen[record.email]}."
                )
            else:
                seen[record.email] = line
        errors.extend(f"Zeile {line}: {problem}" for problem in problems)
        if record is not None and not problems:
            records.append(record)
        if progress is not None:
            progress(index + 1, len(rows))
    return ImportCheck(records=records, errors=errors, rows=len(rows))


def _check_row(row: dict[str, str], catalog: Catalog) -> tuple[list[str], VolunteerData | None]:
    """Return the row's problems and, when the basic fields are readable, its values."""
    problems: list[str] = []
    name = row.get("name", "")
    for column in ("name", "phone"):
        problem = text_problem(row.get(column, ""))
        if problem:
            problems.append(problem)
    if not name:
        problems.append("Der Name fehlt.")
    elif len(name) > 200:
        problems.append("Der Name ist länger als 200 Zeichen.")
    try:
        email = checked_email(row.get("email", ""))
    except ValueError:
        problems.append(f"„{row.get('email', '')}“ ist keine gültige E-Mail-Adresse.")
        email = ""
    gender_text = fold(row.get("gender", ""))
    gender = GENDERS.get(gender_text) if gender_text else None
    if gender_text and gender is None:
        problems.append(f"Geschlecht „{row['gender']}“ ist unbekannt (erlaubt: w, m, d oder leer).")
    home = catalog.municipality_id(row.get("home", ""))
    if home is None:
        problems.append(f"Wohnort „{row.get('home', '')}“ gehört nicht zur Region des Pools.")
    languages: list[str] = []
    for token in re.split(r"[,/]", row.get("languages", "")):
        if token.strip():
            code = catalog.language_code(token)
            if code is None:
                problems.append(f"Sprache „{token.strip()}“ ist unbekannt.")
            elif code not in languages:
                languages.append(code)
    if not languages and not any(p.startswith("Sprache") for p in problems):
        problems.append("Es ist keine Sprache angegeben.")
    distance, per_week, availability, iban = DEFAULT_DISTANCE_KM, DEFAULT_PER_WEEK, [], None
    try:
        distance = parse_number(
            row.get("max_distance_km", ""), what="Entfernung", integer=False, default=distance
        )
        if distance > MAX_DISTANCE_KM:
            problems.append(f"Entfernung: höchstens {MAX_DISTANCE_KM:g} km.")
    except ValueError as error:
        problems.append(str(error))
    try:
        per_week = int(
            parse_number(
                row.get("max_per_week", ""), what="Einsätze pro Woche", integer=True, default=per_week
            )
        )
        if per_week > MAX_PER_WEEK:
            problems.append(f"Einsätze pro Woche: höchstens {MAX_PER_WEEK}.")
    except ValueError as error:
        problems.append(str(error))
    try:
        availability = parse_availability(row.get("availability", ""))
    except ValueError as error:
        problems.append(f"Verfügbarkeit: {error}")
    if row.get("iban"):
        try:
            iban = check_iban(row["iban"])
        except ValueError as error:
            problems.append(str(error))
    phone = row.get("phone", "")
    if len(phone) > 60:
        problems.append("Die Telefonnummer ist länger als 60 Zeichen.")
    remote = False
    try:
        remote = parse_yes_no(row.get("remote", ""))
    except ValueError as error:
        problems.append(f"Spalte „Telefon/Video“: {error}")
    qualifications = _row_qualifications(row, problems)
    if not email or home is None:
        return problems, None
    record = VolunteerData(
        name=name,
        email=email,
        home=home,
        languages=languages,
        phone=phone,
        gender=gender,
        max_distance_km=distance,
        max_per_week=per_week,
        availability=availability,
        iban=iban,
        remote=remote,
        qualifications=qualifications,
    )
    return problems, record


def _row_qualifications(
    row: dict[str, str], problems: list[str]
) -> dict[str, tuple[date | None, date | None]]:
    """Read the optional qualification columns into kind → (issued on, valid until), adding German problems."""
    found: dict[str, list[date | None]] = {}
    for column, (kind, position, label) in QUALIFICATION_COLUMNS.items():
        text = row.get(column, "")
        if not text:
            continue
        try:
            found.setdefault(kind, [None, None])[position] = parse_german_date(text)
        except ValueError as error:
            problems.append(f"Spalte „{label}“: {error}")
    issued, until = found.get(QualificationKind.CLEARANCE.value, [None, None])
    if issued and until and until < issued:
        problems.append(
            f"Spalte „Führungszeugnis gültig bis“: Der {until:%d.%m.%Y} liegt vor dem Ausstellungsdatum {issued:%d.%m.%Y}."
        )
    return {kind: (dates[0], dates[1]) for kind, dates in found.items()}
