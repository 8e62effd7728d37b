"""The tariff editor's form as pure functions: German input to a Tariff, a Tariff to German words and a preview.

The preview computes with `tariff.allowance`, the very function that books allowances, so what an
admin sees before saving is what volunteers will be paid.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sprachmittlerpool import tariff as tariffs
from sprachmittlerpool.german import minutes_words, money
from sprachmittlerpool.tariff import Outcome, Tariff, TravelMode, allowance
from sprachmittlerpool.text_check import whole_number

KINDS = {
    "base_plus_steps": "Grundbetrag für eine Grundzeit, dazu ein Betrag je weitere angefangene Zeitspanne",
    "flat": "Pauschale je Einsatz, gleich wie lange er dauert",
    "per_step": "Betrag je angefangene Zeitspanne (z. B. Stundensatz je angefangene halbe Stunde)",
}
TRAVEL = {
    "included": "in der Entschädigung enthalten",
    "per_km": "Kilometerpauschale je gefahrenem Kilometer",
    "time": "Fahrzeit zählt als Einsatzzeit (bis zu einer Höchstdauer)",
}
CANCELLATION = {
    "base": "wie der Grundbetrag bzw. die Pauschale",
    "amount": "eigener Betrag",
}
STEPS = {15: "Viertelstunde", 30: "halbe Stunde", 60: "Stunde"}
PREVIEW_MINUTES = (45, 120, 150, 181)
PREVIEW_KM = Decimal(20)
PREVIEW_TRAVEL_MINUTES = 45
MAX_AMOUNT = Decimal("10000")
MAX_KM_RATE = Decimal("10")
NAME_LIMIT = 120

_MONEY = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?")
_POINT_DECIMAL = re.compile(r"(\d+)\.(\d{1,2})")
PRESETS = {
    "heinsberg": tariffs.HEINSBERG,
    "neuss": tariffs.NEUSS,
    "rhein_erft": tariffs.RHEIN_ERFT,
    "bielefeld": tariffs.BIELEFELD,
}


class _FieldError(ValueError):
    """A German message for one field."""


def parse_money(text: str | None, *, limit: Decimal = MAX_AMOUNT) -> Decimal:
    """Read a German amount ('25,00', '1.234,5', '25 €'); a point before 1–2 digits is read as a comma."""
    cleaned = (text or "").replace("€", "").replace("\u00a0", "").replace(" ", "")
    if not cleaned:
        raise _FieldError("Bitte geben Sie einen Betrag an, z. B. 25,00.")
    point = _POINT_DECIMAL.fullmatch(cleaned)
    match = _MONEY.fullmatch(cleaned)
    if point:
        whole, cents = point.group(1), point.group(2)
    elif match:
        whole, cents = match.group(1).replace(".", ""), match.group(2) or "0"
    else:
        raise _FieldError("Bitte geben Sie den Betrag in Euro mit Komma an, z. B. 25,00.")
    amount = (Decimal(whole) + Decimal(f"0.{cents}")).quantize(Decimal("0.01"))
    if amount > limit:
        raise _FieldError(f"Bitte höchstens {money(limit)} angeben.")
    return amount


def money_input(amount: Decimal) -> str:
    """Write an amount as the form shows it: '25,00' (no thousands dots, no sign)."""
    return f"{amount:.2f}".replace(".", ",")


def _minutes(text: str | None, *, low: int, high: int) -> int:
    cleaned = (text or "").strip()
    if not cleaned:
        raise _FieldError("Bitte geben Sie die Minuten an.")
    if not (cleaned.isascii() and cleaned.isdigit()) or not low <= int(cleaned) <= high:
        raise _FieldError(f"Bitte eine ganze Zahl von {low} bis {high} Minuten angeben.")
    return int(cleaned)


def _step(text: str | None) -> int:
    step = whole_number(text or "", max_digits=4)
    if step is None or step not in STEPS:
        raise _FieldError("Bitte wählen Sie eine Zeitspanne aus der Liste.")
    return step


def _date(text: str | None) -> date:
    cleaned = (text or "").strip()
    if not cleaned:
        raise _FieldError("Bitte geben Sie an, ab wann die Fassung gilt.")
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise _FieldError("Bitte geben Sie das Datum als TT.MM.JJJJ an, z. B. 01.01.2027.")


def _name(text: str | None) -> str:
    cleaned = unicodedata.normalize("NFC", (text or "").strip())
    if not cleaned:
        raise _FieldError("Bitte geben Sie der Fassung einen Namen, z. B. „Tarif ab 2027“.")
    if len(cleaned) > NAME_LIMIT:
        raise _FieldError(f"Bitte höchstens {NAME_LIMIT} Zeichen.")
    if any(unicodedata.category(char).startswith("C") for char in cleaned):
        raise _FieldError("Der Name enthält unzulässige Zeichen.")
    return cleaned


def _choice(value: str | None, allowed: Mapping[str, str]) -> str:
    if value not in allowed:
        raise _FieldError("Bitte wählen Sie eine der Möglichkeiten.")
    return value


class _Reader:
    """Read fields one by one, collecting a German message per wrong field."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = values
        self.errors: dict[str, str] = {}

    def read(self, field: str, parse: Any, **kwargs: Any) -> Any:
        try:
            return parse(self.values.get(field), **kwargs)
        except _FieldError as error:
            self.errors[field] = str(error)
            return None


def parse_form(values: Mapping[str, str]) -> tuple[Tariff | None, dict[str, str]]:
    """Turn the editor's fields into a tariff version (open-ended), or German messages per field."""
    reader = _Reader(values)
    name = reader.read("name", _name)
    valid_from = reader.read("valid_from", _date)
    scheme = _scheme(reader)
    travel = _travel(reader)
    cancellation = _cancellation(reader)
    if reader.errors:
        return None, reader.errors
    return Tariff(name=name, valid_from=valid_from, valid_until=None, **scheme, **travel, **cancellation), {}


def _scheme(reader: _Reader) -> dict[str, Any]:
    kind = reader.read("kind", _choice, allowed=KINDS)
    if kind == "flat":
        return {"base_amount": reader.read("flat_amount", parse_money), "base_minutes": None}
    if kind == "per_step":
        return {
            "base_amount": Decimal("0.00"),
            "base_minutes": 0,
            "step_amount": reader.read("rate_amount", parse_money),
            "step_minutes": reader.read("rate_minutes", _step),
        }
    if kind == "base_plus_steps":
        return {
            "base_amount": reader.read("base_amount", parse_money),
            "base_minutes": reader.read("base_minutes", _minutes, low=1, high=24 * 60),
            "step_amount": reader.read("step_amount", parse_money),
            "step_minutes": reader.read("step_minutes", _step),
        }
    return {}


def _travel(reader: _Reader) -> dict[str, Any]:
    mode = reader.read("travel_mode", _choice, allowed=TRAVEL)
    if mode == "per_km":
        return {
            "travel_mode": TravelMode.PER_KM,
            "km_rate": reader.read("km_rate", parse_money, limit=MAX_KM_RATE),
        }
    if mode == "time":
        cap = reader.read("travel_cap_minutes", _minutes, low=1, high=600)
        return {"travel_mode": TravelMode.TIME, "travel_cap_minutes": cap}
    return {"travel_mode": TravelMode.INCLUDED}


def _cancellation(reader: _Reader) -> dict[str, Any]:
    choice = reader.read("cancellation", _choice, allowed=CANCELLATION)
    if choice == "amount":
        return {"cancellation_amount": reader.read("cancellation_amount", parse_money)}
    return {"cancellation_amount": None}


def kind_of(tariff: Tariff) -> str:
    """Name the scheme's kind as the form offers it."""
    if tariff.base_minutes is None:
        return "flat"
    if tariff.base_minutes == 0 and tariff.base_amount == 0:
        return "per_step"
    return "base_plus_steps"


def form_values(tariff: Tariff, *, name: str, valid_from: str) -> dict[str, str]:
    """Fill the editor's fields from a version, e.g. the one in force or a preset."""
    kind = kind_of(tariff)
    step = str(tariff.step_minutes) if tariff.step_minutes in STEPS else "60"
    return {
        "name": name,
        "valid_from": valid_from,
        "kind": kind,
        "base_amount": money_input(tariff.base_amount) if kind == "base_plus_steps" else "25,00",
        "base_minutes": str(tariff.base_minutes) if kind == "base_plus_steps" else "120",
        "step_amount": money_input(tariff.step_amount) if kind == "base_plus_steps" else "10,00",
        "step_minutes": step if kind == "base_plus_steps" else "60",
        "flat_amount": money_input(tariff.base_amount) if kind == "flat" else "25,00",
        "rate_amount": money_input(tariff.step_amount) if kind == "per_step" else "7,50",
        "rate_minutes": step if kind == "per_step" else "30",
        "travel_mode": tariff.travel_mode.value,
        "km_rate": money_input(tariff.km_rate) if tariff.travel_mode is TravelMode.PER_KM else "0,30",
        "travel_cap_minutes": str(tariff.travel_cap_minutes or 60),
        "cancellation": "base" if tariff.cancellation_amount is None else "amount",
        "cancellation_amount": money_input(tariff.cancellation_amount or Decimal("0.00")),
    }


def _step_words(minutes: int, *, further: bool) -> str:
    """Say 'jede weitere angefangene Stunde' or 'je angefangene halbe Stunde'."""
    unit = STEPS.get(minutes, f"{minutes} Minuten")
    female = unit in ("Stunde", "halbe Stunde", "Viertelstunde")
    if further:
        return f"jede weitere angefangene {unit}" if female else f"je weitere angefangene {unit}"
    return f"je angefangene {unit}"


def describe(tariff: Tariff) -> list[str]:
    """Say in German sentences what a version pays."""
    kind = kind_of(tariff)
    if kind == "flat":
        sentences = [f"{money(tariff.base_amount)} je Einsatz, gleich wie lange er dauert."]
    elif kind == "per_step":
        sentences = [f"{money(tariff.step_amount)} {_step_words(tariff.step_minutes, further=False)}."]
    else:
        assert tariff.base_minutes is not None
        sentences = [
            f"{money(tariff.base_amount)} je Einsatz bis {minutes_words(tariff.base_minutes)}, dazu "
            f"{money(tariff.step_amount)} für {_step_words(tariff.step_minutes, further=True)}."
        ]
    sentences.append(_travel_words(tariff))
    late = tariff.base_amount if tariff.cancellation_amount is None else tariff.cancellation_amount
    sentences.append(f"Kurzfristige Absage oder Nichterscheinen: {money(late)}.")
    return sentences


def _travel_words(tariff: Tariff) -> str:
    if tariff.travel_mode is TravelMode.PER_KM:
        return f"Fahrtkosten: {money(tariff.km_rate)} je Kilometer."
    if tariff.travel_mode is TravelMode.TIME:
        return f"Die Fahrzeit zählt als Einsatzzeit, höchstens {minutes_words(tariff.travel_cap_minutes)}."
    return "Fahrtkosten sind in der Entschädigung enthalten."


@dataclass(frozen=True)
class PreviewRow:
    """What one example assignment pays now and under the new version."""

    label: str
    current: Decimal | None
    new: Decimal


def _examples(tariff: Tariff) -> list[tuple[str, dict[str, Any]]]:
    examples: list[tuple[str, dict[str, Any]]] = [
        (minutes_words(minutes), {"outcome": Outcome.TOOK_PLACE, "duration_minutes": minutes})
        for minutes in PREVIEW_MINUTES
    ]
    if tariff.travel_mode is TravelMode.PER_KM:
        label = f"2 Stunden mit {PREVIEW_KM} km Fahrt"
        examples.append(
            (label, {"outcome": Outcome.TOOK_PLACE, "duration_minutes": 120, "travel_km": PREVIEW_KM})
        )
    if tariff.travel_mode is TravelMode.TIME:
        label = f"2 Stunden mit {minutes_words(PREVIEW_TRAVEL_MINUTES)} Fahrzeit"
        examples.append(
            (
                label,
                {
                    "outcome": Outcome.TOOK_PLACE,
                    "duration_minutes": 120,
                    "travel_minutes": PREVIEW_TRAVEL_MINUTES,
                },
            )
        )
    examples.append(("Kurzfristige Absage", {"outcome": Outcome.LATE, "duration_minutes": 0}))
    return examples


def preview(new: Tariff, current: Tariff | None) -> list[PreviewRow]:
    """Compute example allowances under the new version and the one in force, with the booking function."""
    return [
        PreviewRow(label, allowance(current, **kwargs) if current else None, allowance(new, **kwargs))
        for label, kwargs in _examples(new)
    ]
