"""Allowances under each pool's published scheme, tariff versions, and the stored dict form."""

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from sprachmittlerpool.tariff import (
    BIELEFELD,
    HEINSBERG,
    NEUSS,
    RHEIN_ERFT,
    NoTariffError,
    OverlappingTariffsError,
    Tariff,
    TravelMode,
    allowance,
    from_cents,
    tariff_for,
    tariff_from_dict,
    tariff_to_dict,
    to_cents,
)


def took_place(tariff: Tariff, minutes: int, **travel: object) -> Decimal:
    return allowance(tariff, outcome="took_place", duration_minutes=minutes, **travel)


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (60, "25.00"),
        (120, "25.00"),
        (121, "35.00"),
        (150, "35.00"),
        (180, "35.00"),
        (181, "45.00"),
        (240, "45.00"),
        (241, "55.00"),
    ],
)
def test_heinsberg_pays_25_for_two_hours_and_10_per_further_started_hour(minutes: int, expected: str) -> None:
    assert took_place(HEINSBERG, minutes) == Decimal(expected)


def test_heinsberg_includes_travel_by_default() -> None:
    assert took_place(HEINSBERG, 60, travel_km=Decimal(40), travel_minutes=50) == Decimal("25.00")


def test_heinsberg_with_a_km_rate_adds_travel_rounded_half_up_to_cents() -> None:
    per_km = dataclasses.replace(HEINSBERG, travel_mode=TravelMode.PER_KM, km_rate=Decimal("0.30"))

    amount = took_place(per_km, 60, travel_km=Decimal("12.35"))

    # 12.35 km × 0.30 €/km = 3.705 € → 3.71 €
    assert amount == Decimal("28.71")


@pytest.mark.parametrize("minutes", [0, 30, 60, 480])
def test_neuss_pays_a_flat_25_per_assignment(minutes: int) -> None:
    assert took_place(NEUSS, minutes) == Decimal("25.00")


@pytest.mark.parametrize(
    ("minutes", "expected"), [(30, "25.00"), (60, "25.00"), (61, "30.00"), (90, "30.00"), (91, "35.00")]
)
def test_rhein_erft_pays_25_for_the_first_hour_and_5_per_started_half_hour(
    minutes: int, expected: str
) -> None:
    assert took_place(RHEIN_ERFT, minutes) == Decimal(expected)


@pytest.mark.parametrize(
    ("minutes", "travel_minutes", "expected"),
    [(60, 0, "15.00"), (60, 30, "22.50"), (61, 0, "22.50"), (60, 90, "30.00"), (60, 60, "30.00")],
)
def test_bielefeld_pays_7_50_per_started_half_hour_with_travel_time_up_to_an_hour(
    minutes: int, travel_minutes: int, expected: str
) -> None:
    assert took_place(BIELEFELD, minutes, travel_minutes=travel_minutes) == Decimal(expected)


@pytest.mark.parametrize("outcome", ["late", "no_show"])
def test_late_cancellation_and_no_show_earn_the_base_amount(outcome: str) -> None:
    assert allowance(HEINSBERG, outcome=outcome, duration_minutes=0) == Decimal("25.00")


def test_a_configured_cancellation_amount_replaces_the_base_amount() -> None:
    tariff = dataclasses.replace(HEINSBERG, cancellation_amount=Decimal("12.50"))

    assert allowance(tariff, outcome="late", duration_minutes=0) == Decimal("12.50")


def test_early_cancellation_earns_nothing() -> None:
    assert allowance(HEINSBERG, outcome="early", duration_minutes=90) == Decimal("0.00")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"duration_minutes": -1},
        {"duration_minutes": 60, "travel_km": Decimal("-1")},
        {"duration_minutes": 60, "travel_km": 1.5},
        {"duration_minutes": 60, "travel_minutes": -5},
        {"duration_minutes": 60.0},
    ],
)
def test_invalid_inputs_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        allowance(HEINSBERG, outcome="took_place", **kwargs)


def test_an_unknown_outcome_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown outcome"):
        allowance(HEINSBERG, outcome="maybe", duration_minutes=60)


def test_a_tariff_with_float_money_is_refused() -> None:
    with pytest.raises(ValueError, match="base_amount"):
        dataclasses.replace(HEINSBERG, base_amount=25.0)


OLD = dataclasses.replace(HEINSBERG, name="alt", valid_from=date(2020, 1, 1), valid_until=date(2024, 12, 31))
NEW = dataclasses.replace(HEINSBERG, name="neu", valid_from=date(2025, 1, 1), base_amount=Decimal("30.00"))


@pytest.mark.parametrize(
    ("day", "name"), [(date(2020, 1, 1), "alt"), (date(2024, 12, 31), "alt"), (date(2025, 1, 1), "neu")]
)
def test_tariff_for_picks_the_version_valid_on_the_appointment_date(day: date, name: str) -> None:
    assert tariff_for([NEW, OLD], day).name == name


def test_tariff_for_a_date_before_every_version_is_an_error() -> None:
    with pytest.raises(NoTariffError):
        tariff_for([OLD, NEW], date(2019, 12, 31))


def test_overlapping_versions_are_an_error() -> None:
    overlapping = dataclasses.replace(NEW, name="doppelt", valid_from=date(2024, 6, 1))

    with pytest.raises(OverlappingTariffsError):
        tariff_for([OLD, overlapping], date(2024, 7, 1))


@pytest.mark.parametrize("tariff", [HEINSBERG, NEUSS, RHEIN_ERFT, BIELEFELD, OLD])
def test_dict_form_round_trips_and_holds_no_floats(tariff: Tariff) -> None:
    data = tariff_to_dict(tariff)

    assert tariff_from_dict(data) == tariff
    assert not any(isinstance(value, float) for value in data.values())


def test_dict_form_refuses_unknown_fields_and_float_money() -> None:
    data = tariff_to_dict(HEINSBERG)

    with pytest.raises(ValueError, match="unknown"):
        tariff_from_dict({**data, "bonus": "5"})
    with pytest.raises(ValueError, match="base_amount"):
        tariff_from_dict({**data, "base_amount": 25.0})


def test_dict_form_accepts_date_objects_from_a_rows_own_columns() -> None:
    data = {**tariff_to_dict(OLD), "valid_from": OLD.valid_from, "valid_until": OLD.valid_until}

    assert tariff_from_dict(data) == OLD


def test_cents_round_trip_and_fractions_of_a_cent_are_refused() -> None:
    assert to_cents(Decimal("35.50")) == 3550
    assert from_cents(3550) == Decimal("35.50")
    with pytest.raises(ValueError, match="cents"):
        to_cents(Decimal("3.705"))
