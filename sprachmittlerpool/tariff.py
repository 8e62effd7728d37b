"""Allowance tariffs as versioned data, and the exact arithmetic of one allowance.

One compact model expresses every published scheme: a base amount covers the first
``base_minutes``; each further started ``step_minutes`` adds ``step_amount``. Travel is
either included, paid per km, or counted as working time up to a cap. Money is
``Decimal`` throughout and rounded to cents only where a rule says so (per-km travel).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

CENT = Decimal("0.01")


class TravelMode(StrEnum):
    """How a tariff pays for the way to the appointment."""

    INCLUDED = "included"
    PER_KM = "per_km"
    TIME = "time"


class Outcome(StrEnum):
    """What happened to an assignment, as far as money is concerned."""

    TOOK_PLACE = "took_place"
    LATE = "late"  # cancelled by the institution inside the cut-off (OFFER_CUTOFF_HOURS, default 24 h)
    EARLY = "early"  # cancelled in good time: nothing is owed
    NO_SHOW = "no_show"  # the client did not come, the volunteer did
    VOLUNTEER_NO_SHOW = "volunteer_no_show"  # the volunteer did not come: nothing is owed


class NoTariffError(LookupError):
    """No tariff version is valid on the requested date."""


class OverlappingTariffsError(ValueError):
    """More than one tariff version claims the same date."""


@dataclass(frozen=True)
class Tariff:
    """One version of a pool's allowance scheme, valid from a date (inclusive) until a date (inclusive)."""

    name: str
    valid_from: date
    valid_until: date | None
    base_amount: Decimal
    # None: the base amount covers any duration (a flat rate per assignment).
    base_minutes: int | None
    step_minutes: int = 60
    step_amount: Decimal = Decimal("0.00")
    travel_mode: TravelMode = TravelMode.INCLUDED
    km_rate: Decimal = Decimal("0.00")
    travel_cap_minutes: int = 0
    # None: a late cancellation or a no-show earns the base amount (the spec's default).
    cancellation_amount: Decimal | None = None

    def __post_init__(self) -> None:
        """Refuse a tariff whose numbers could yield nonsense allowances."""
        for label, amount in self._amounts():
            if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
                raise ValueError(f"{label} must be a non-negative Decimal, got {amount!r}")
        if self.base_minutes is not None and self.base_minutes < 0:
            raise ValueError("base_minutes must not be negative")
        if self.step_minutes <= 0:
            raise ValueError("step_minutes must be positive")
        if self.travel_cap_minutes < 0:
            raise ValueError("travel_cap_minutes must not be negative")
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until lies before valid_from")
        object.__setattr__(self, "travel_mode", TravelMode(self.travel_mode))

    def _amounts(self) -> list[tuple[str, Any]]:
        """List the money fields with their names, for validation."""
        amounts = [("base_amount", self.base_amount), ("step_amount", self.step_amount)]
        amounts.append(("km_rate", self.km_rate))
        if self.cancellation_amount is not None:
            amounts.append(("cancellation_amount", self.cancellation_amount))
        return amounts

    def is_valid_on(self, day: date) -> bool:
        """Tell whether this version applies to an appointment on ``day``."""
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


EPOCH = date(2000, 1, 1)

# Kreis Heinsberg's published scheme, the product's default.
HEINSBERG = Tariff(
    name="Kreis Heinsberg",
    valid_from=EPOCH,
    valid_until=None,
    base_amount=Decimal("25.00"),
    base_minutes=120,
    step_minutes=60,
    step_amount=Decimal("10.00"),
)

NEUSS = Tariff(
    name="Rhein-Kreis Neuss",
    valid_from=EPOCH,
    valid_until=None,
    base_amount=Decimal("25.00"),
    base_minutes=None,
)

RHEIN_ERFT = Tariff(
    name="Rhein-Erft-Kreis",
    valid_from=EPOCH,
    valid_until=None,
    base_amount=Decimal("25.00"),
    base_minutes=60,
    step_minutes=30,
    step_amount=Decimal("5.00"),
)

# 15 € per hour, billed per started half hour; travel time counts up to one hour.
# The published scheme names no cancellation fee, so none is paid unless configured.
BIELEFELD = Tariff(
    name="Bielefeld",
    valid_from=EPOCH,
    valid_until=None,
    base_amount=Decimal("0.00"),
    base_minutes=0,
    step_minutes=30,
    step_amount=Decimal("7.50"),
    travel_mode=TravelMode.TIME,
    travel_cap_minutes=60,
    cancellation_amount=Decimal("0.00"),
)


def allowance(
    tariff: Tariff,
    *,
    outcome: Outcome | str,
    duration_minutes: int,
    travel_km: Decimal = Decimal(0),
    travel_minutes: int = 0,
) -> Decimal:
    """Compute the allowance one assignment earns under ``tariff``."""
    outcome = _parse_outcome(outcome)
    _check_inputs(duration_minutes, travel_km, travel_minutes)
    if outcome in (Outcome.EARLY, Outcome.VOLUNTEER_NO_SHOW):
        return Decimal("0.00")
    if outcome in (Outcome.LATE, Outcome.NO_SHOW):
        return _cancellation(tariff)
    return _time_amount(tariff, duration_minutes + _paid_travel_minutes(tariff, travel_minutes)) + (
        _km_amount(tariff, travel_km)
    )


def _parse_outcome(outcome: Outcome | str) -> Outcome:
    """Turn an outcome string into the enum, with a clear error for unknown ones."""
    try:
        return Outcome(outcome)
    except ValueError:
        raise ValueError(f"unknown outcome {outcome!r}") from None


def _check_inputs(duration_minutes: int, travel_km: Decimal, travel_minutes: int) -> None:
    """Reject negative or non-exact inputs before they turn into money."""
    if isinstance(duration_minutes, bool) or not isinstance(duration_minutes, int):
        raise ValueError("duration_minutes must be an integer")
    if duration_minutes < 0:
        raise ValueError("duration_minutes must not be negative")
    if isinstance(travel_minutes, bool) or not isinstance(travel_minutes, int) or travel_minutes < 0:
        raise ValueError("travel_minutes must be a non-negative integer")
    # Floats would smuggle binary fractions into money; ints are exact and welcome.
    if isinstance(travel_km, float | bool) or not isinstance(travel_km, Decimal | int):
        raise ValueError("travel_km must be a Decimal")
    if not Decimal(travel_km).is_finite() or travel_km < 0:
        raise ValueError("travel_km must be a finite, non-negative number")


def _cancellation(tariff: Tariff) -> Decimal:
    """Return what a late cancellation or a no-show earns."""
    if tariff.cancellation_amount is None:
        return tariff.base_amount
    return tariff.cancellation_amount


def _paid_travel_minutes(tariff: Tariff, travel_minutes: int) -> int:
    """Return the travel minutes billed as working time (only in time mode, up to the cap)."""
    if tariff.travel_mode is not TravelMode.TIME:
        return 0
    return min(travel_minutes, tariff.travel_cap_minutes)


def _time_amount(tariff: Tariff, billed_minutes: int) -> Decimal:
    """Return the base amount plus one step amount per started step beyond the base time."""
    if tariff.base_minutes is None or billed_minutes <= tariff.base_minutes:
        return tariff.base_amount
    steps = math.ceil((billed_minutes - tariff.base_minutes) / tariff.step_minutes)
    return tariff.base_amount + steps * tariff.step_amount


def _km_amount(tariff: Tariff, travel_km: Decimal) -> Decimal:
    """Return the per-km travel allowance, rounded half-up to cents as the rule says."""
    if tariff.travel_mode is not TravelMode.PER_KM:
        return Decimal("0.00")
    return (Decimal(travel_km) * tariff.km_rate).quantize(CENT, rounding=ROUND_HALF_UP)


def tariff_for(tariffs: Sequence[Tariff], on: date) -> Tariff:
    """Pick the one tariff version valid on ``on`` (an appointment's date)."""
    matching = [tariff for tariff in tariffs if tariff.is_valid_on(on)]
    if not matching:
        raise NoTariffError(f"no tariff is valid on {on.isoformat()}")
    if len(matching) > 1:
        names = ", ".join(f"{t.name} ({t.valid_from.isoformat()})" for t in matching)
        raise OverlappingTariffsError(f"several tariffs are valid on {on.isoformat()}: {names}")
    return matching[0]


_MONEY_FIELDS = ("base_amount", "step_amount", "km_rate", "cancellation_amount")
_INT_FIELDS = ("base_minutes", "step_minutes", "travel_cap_minutes")
_DATE_FIELDS = ("valid_from", "valid_until")
_ALL_FIELDS = ("name", "travel_mode", *_MONEY_FIELDS, *_INT_FIELDS, *_DATE_FIELDS)


def tariff_to_dict(tariff: Tariff) -> dict[str, Any]:
    """Return a JSON-able form of ``tariff`` (money as strings, dates as ISO) for storage."""
    data: dict[str, Any] = {"name": tariff.name, "travel_mode": tariff.travel_mode.value}
    for name in _MONEY_FIELDS:
        value = getattr(tariff, name)
        data[name] = None if value is None else str(value)
    for name in _INT_FIELDS:
        data[name] = getattr(tariff, name)
    for name in _DATE_FIELDS:
        value = getattr(tariff, name)
        data[name] = None if value is None else value.isoformat()
    return data


def tariff_from_dict(data: Mapping[str, Any]) -> Tariff:
    """Build a tariff from its stored dict form, refusing unknown fields and float money."""
    unknown = set(data) - set(_ALL_FIELDS)
    if unknown:
        raise ValueError(f"unknown tariff fields: {', '.join(sorted(unknown))}")
    kwargs: dict[str, Any] = {key: value for key, value in data.items() if key in ("name", "travel_mode")}
    for name in _MONEY_FIELDS:
        if data.get(name) is not None:
            kwargs[name] = _money(name, data[name])
    for name in _INT_FIELDS:
        if name in data:
            kwargs[name] = data[name]
    for name in _DATE_FIELDS:
        value = data.get(name)
        # Dates may come as ISO text (JSON) or as date objects (a row's own date columns).
        if value is not None:
            kwargs[name] = value if isinstance(value, date) else date.fromisoformat(value)
    kwargs.setdefault("valid_until", None)
    return Tariff(**kwargs)


def _money(name: str, value: Any) -> Decimal:
    """Parse a stored money value; floats are refused because they are not exact."""
    if isinstance(value, float | bool):
        raise ValueError(f"{name} must be given as a string, not {type(value).__name__}")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{name} is not a number: {value!r}") from None


def to_cents(amount: Decimal) -> int:
    """Convert an exact amount to integer cents for storage, refusing fractions of a cent."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of cents")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    """Convert stored integer cents back to an exact amount with two places."""
    return (Decimal(cents) / 100).quantize(CENT)
