"""The tariff editor's form as pure functions: German money, every published scheme, words and preview."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from sprachmittlerpool import tariff as tariffs
from sprachmittlerpool.tariff_form import (
    PRESETS,
    describe,
    form_values,
    parse_form,
    parse_money,
    preview,
)

START = date(2027, 1, 1)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("25,00", "25.00"),
        ("25", "25.00"),
        ("7,5", "7.50"),
        ("0,30", "0.30"),
        ("1.234,50", "1234.50"),
        ("25.50", "25.50"),
        ("1.000", "1000.00"),
        (" 25,00 € ", "25.00"),
    ],
)
def test_german_amounts_are_read_exactly(text, amount):
    assert parse_money(text) == Decimal(amount)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Bitte geben Sie einen Betrag an"),
        ("fünf", "mit Komma"),
        ("-5,00", "mit Komma"),
        ("25,555", "mit Komma"),
        ("1e3", "mit Komma"),
        ("20000", "höchstens 10.000,00 €"),
    ],
)
def test_wrong_amounts_get_a_german_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse_money(text)


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_every_published_scheme_survives_the_form_unchanged(key):
    scheme = PRESETS[key]

    parsed, errors = parse_form(form_values(scheme, name="Neu", valid_from=START.isoformat()))

    assert errors == {}
    assert parsed == replace(scheme, name="Neu", valid_from=START, valid_until=None)


def test_a_per_km_rate_and_an_own_late_cancellation_amount_are_read():
    values = form_values(tariffs.HEINSBERG, name="Mit Kilometern", valid_from="01.01.2027")
    values |= {
        "travel_mode": "per_km",
        "km_rate": "0,30",
        "cancellation": "amount",
        "cancellation_amount": "12,50",
    }

    parsed, errors = parse_form(values)

    assert errors == {} and parsed is not None
    assert parsed.travel_mode is tariffs.TravelMode.PER_KM and parsed.km_rate == Decimal("0.30")
    assert parsed.cancellation_amount == Decimal("12.50") and parsed.valid_from == START


def test_every_wrong_field_gets_its_own_message_and_no_tariff():
    values = form_values(tariffs.HEINSBERG, name="", valid_from="31.02.2027")
    values |= {"base_amount": "zehn", "base_minutes": "0", "step_minutes": "45", "travel_mode": "bus"}

    parsed, errors = parse_form(values)

    assert parsed is None
    assert set(errors) == {"name", "valid_from", "base_amount", "base_minutes", "step_minutes", "travel_mode"}
    assert all(message.endswith(".") for message in errors.values())


def test_fields_of_a_scheme_not_chosen_are_not_checked():
    values = form_values(tariffs.NEUSS, name="Pauschale", valid_from="2027-01-01") | {"base_amount": "kaputt"}

    parsed, errors = parse_form(values)

    assert errors == {} and parsed is not None and parsed.base_minutes is None


@pytest.mark.parametrize(
    ("scheme", "first"),
    [
        (
            tariffs.HEINSBERG,
            "25,00 € je Einsatz bis 2 Stunden, dazu 10,00 € für jede weitere angefangene Stunde.",
        ),
        (tariffs.NEUSS, "25,00 € je Einsatz, gleich wie lange er dauert."),
        (
            tariffs.RHEIN_ERFT,
            "25,00 € je Einsatz bis 1 Stunde, dazu 5,00 € für jede weitere angefangene halbe Stunde.",
        ),
        (tariffs.BIELEFELD, "7,50 € je angefangene halbe Stunde."),
    ],
)
def test_a_version_is_described_in_german_words(scheme, first):
    sentences = describe(scheme)

    assert sentences[0] == first
    assert sentences[-1].startswith("Kurzfristige Absage oder Nichterscheinen: ")


def test_bielefelds_paid_travel_time_is_said_and_previewed():
    sentences = describe(tariffs.BIELEFELD)
    rows = {row.label: row.new for row in preview(tariffs.BIELEFELD, None)}

    assert "Die Fahrzeit zählt als Einsatzzeit, höchstens 1 Stunde." in sentences
    assert rows["2 Stunden mit 45 Minuten Fahrzeit"] == Decimal("45.00")  # 165 minutes: 6 started half hours


def test_the_preview_is_the_booking_function_for_the_asked_durations_and_a_late_cancellation():
    new = replace(tariffs.RHEIN_ERFT, cancellation_amount=Decimal("10.00"))

    rows = preview(new, tariffs.HEINSBERG)

    assert [row.label for row in rows] == [
        "45 Minuten", "2 Stunden", "2 Stunden 30 Minuten", "3 Stunden 1 Minute", "Kurzfristige Absage",
    ]  # fmt: skip
    for row, minutes in zip(rows, (45, 120, 150, 181), strict=False):
        assert row.new == tariffs.allowance(new, outcome="took_place", duration_minutes=minutes)
        assert row.current == tariffs.allowance(
            tariffs.HEINSBERG, outcome="took_place", duration_minutes=minutes
        )
    assert [row.new for row in rows] == [Decimal(x) for x in ("25.00", "35.00", "40.00", "50.00", "10.00")]
    assert rows[-1].current == Decimal("25.00")
