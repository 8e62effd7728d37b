"""The tariff editor: a new version from a day, its preview, closed months untouched, allowances before and after."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlmodel import col, select

from sprachmittlerpool import tariff as tariffs
from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import Assignment, PayoutEntry, PayoutMonth, Tariff, local_now
from sprachmittlerpool.services import payouts, tariff_versions
from sprachmittlerpool.tariff_form import form_values
from tests.factories import FIRST_POOL
from tests.settings.conftest import audit_rows, book


@pytest.fixture
def coordinator_role() -> str:
    """Log in as an admin: the settings are theirs."""
    return "admin"


MAY = datetime(2025, 5, 14, 10)
JUNE = datetime(2025, 6, 11, 10)


def rhein_erft_from(day: str, **changes: str) -> dict[str, str]:
    """Return the editor's fields for Rhein-Erft's scheme (25 € first hour, 5 € per started half hour)."""
    return form_values(tariffs.RHEIN_ERFT, name="Tarif Rhein-Erft", valid_from=day) | changes


def versions(db) -> list[Tariff]:
    db.rollback()
    return list(db.exec(select(Tariff).order_by(col(Tariff.valid_from))).all())


def euros(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}".replace(".", ",") + " €"


def test_the_page_lists_the_default_version_in_german_words(coordinator_client):
    page = coordinator_client.get("/einstellungen/tarife").get_data(as_text=True)

    assert "Kreis Heinsberg" in page and "von Anfang an" in page and "unbefristet" in page
    assert "25,00 € je Einsatz bis 2 Stunden, dazu 10,00 € für jede weitere angefangene Stunde." in page
    assert "Fahrtkosten sind in der Entschädigung enthalten." in page


def test_a_new_version_is_checked_then_confirmed_and_the_default_ends_the_day_before(
    coordinator_client, coordinator, db
):
    values = rhein_erft_from("2025-06-01")

    check = coordinator_client.post("/einstellungen/tarife", data=values | {"step": "check"})
    assert versions(db) == []  # nothing is stored before the confirmation
    saved = coordinator_client.post("/einstellungen/tarife/speichern", data=values, follow_redirects=True)

    confirm = check.get_data(as_text=True)
    assert check.status_code == 200 and "Neue Fassung bestätigen" in confirm
    assert "gilt dann nur noch bis 31. Mai 2025" in confirm and "Niemand erhält eine E-Mail." in confirm
    page = saved.get_data(as_text=True)
    assert "Die Fassung „Tarif Rhein-Erft“ gilt ab dem 1. Juni 2025." in page
    stored = versions(db)
    assert [(row.valid_from, row.valid_until) for row in stored] == [
        (tariffs.EPOCH, date(2025, 5, 31)),
        (date(2025, 6, 1), None),
    ]
    assert tariffs.tariff_from_dict({**stored[1].scheme, "valid_from": "2025-06-01"}).step_minutes == 30
    (added,) = audit_rows(db, "tariff", "version_added")
    assert added.actor == f"user:{coordinator.id}" and added.entity_id == str(stored[1].id)
    assert "Kim Koordination" in page  # the versions list names who made the version


def test_the_live_preview_shows_what_the_booking_function_pays(app, coordinator_client):
    values = rhein_erft_from("2025-06-01", cancellation="amount", cancellation_amount="12,50")

    fragment = coordinator_client.get("/einstellungen/tarife/vorschau", query_string=values).get_data(
        as_text=True
    )

    shown = re.findall(r'data-preview="\d+">([^<]+)<', fragment)
    assert shown == ["25,00 €", "35,00 €", "40,00 €", "50,00 €", "12,50 €"]
    assert "„bisher“: was die Fassung „Kreis Heinsberg“ für diesen Tag zahlt." in fragment


def test_the_preview_equals_what_is_booked_under_the_new_version(app, coordinator_client):
    values = rhein_erft_from("2025-06-01", cancellation="amount", cancellation_amount="12,50")
    fragment = coordinator_client.get("/einstellungen/tarife/vorschau", query_string=values).get_data(
        as_text=True
    )
    coordinator_client.post("/einstellungen/tarife/speichern", data=values)

    booked = [book(app, JUNE, minutes) for minutes in (45, 120, 150, 181)]
    booked.append(book(app, JUNE, 60, outcome="late"))

    assert re.findall(r'data-preview="\d+">([^<]+)<', fragment) == [euros(cents) for cents in booked]


def test_an_allowance_booked_before_a_change_keeps_its_amount_and_one_after_uses_the_new_version(
    app, coordinator_client, db
):
    may = book(app, MAY, 150)  # Heinsberg: 25 € + one started hour = 35 €

    coordinator_client.post("/einstellungen/tarife/speichern", data=rhein_erft_from("2025-06-01"))
    june = book(app, JUNE, 150)  # Rhein-Erft: 25 € + three started half hours = 40 €

    db.rollback()
    rows = db.exec(select(Assignment).order_by(col(Assignment.start))).all()
    assert (may, june) == (3500, 4000)
    assert [row.allowance_cents for row in rows] == [3500, 4000]
    names = {row.id: row.name for row in versions(db)}
    assert [names[row.tariff_id] for row in rows] == ["Kreis Heinsberg (Voreinstellung)", "Tarif Rhein-Erft"]


def test_allowances_recorded_in_an_open_month_are_recomputed_when_the_new_version_covers_them(
    app, coordinator_client, db
):
    june = book(app, JUNE, 150)  # recorded under Heinsberg before the change: 35 €

    check = coordinator_client.post(
        "/einstellungen/tarife", data=rhein_erft_from("2025-06-01") | {"step": "check"}
    )
    coordinator_client.post("/einstellungen/tarife/speichern", data=rhein_erft_from("2025-06-01"))

    assert "1 bereits erfasste Einsätze ab dem 1. Juni 2025" in check.get_data(as_text=True)
    assert "zusammen 5,00 €" in check.get_data(as_text=True)
    db.rollback()
    assert june == 3500
    assert db.exec(select(Assignment.allowance_cents)).one() == 4000
    assert [entry.amount_cents for entry in db.exec(select(PayoutEntry)).all()] == [4000]


def close(app, month: str) -> None:
    with app.app_context(), new_session(write=True) as session:
        payouts.close_month(session, month, pool_id=FIRST_POOL, user_id=None, actor="test")


@pytest.mark.parametrize("day", ["2025-05-31", "2025-05-01", "2024-12-24"])
def test_a_version_cannot_start_inside_or_before_a_closed_month(app, coordinator_client, db, day):
    may = book(app, MAY, 150)
    close(app, "2025-05")

    check = coordinator_client.post("/einstellungen/tarife", data=rhein_erft_from(day) | {"step": "check"})
    save = coordinator_client.post("/einstellungen/tarife/speichern", data=rhein_erft_from(day))

    for response in (check, save):
        page = response.get_data(as_text=True)
        assert response.status_code in (409, 422)
        assert "bis einschließlich 31. Mai 2025 sind abgeschlossen" in page
        assert "frühestens ab dem 1. Juni 2025" in page
    assert versions(db) == []
    closed = db.exec(select(PayoutMonth).where(PayoutMonth.month == "2025-05")).one()
    assert closed.total_cents == may == 3500


def test_a_version_with_booked_allowances_is_never_changed_in_place(app, coordinator_client, db):
    coordinator_client.post("/einstellungen/tarife/speichern", data=rhein_erft_from("2025-06-01"))
    book(app, JUNE, 150)

    response = coordinator_client.post(
        "/einstellungen/tarife/speichern",
        data=rhein_erft_from("2025-06-01", rate_amount="9,00", kind="per_step"),
    )

    assert response.status_code == 409
    assert "sind schon Aufwandsentschädigungen abgerechnet" in response.get_data(as_text=True)
    assert versions(db)[1].scheme["base_amount"] == "25.00"


def test_a_version_nothing_was_booked_under_may_be_replaced_on_its_day(coordinator_client, db):
    coordinator_client.post("/einstellungen/tarife/speichern", data=rhein_erft_from("2026-01-01"))

    coordinator_client.post(
        "/einstellungen/tarife/speichern",
        data=rhein_erft_from("2026-01-01", name="Korrigiert", kind="flat", flat_amount="30,00"),
    )

    stored = versions(db)
    assert [(row.name, row.valid_from) for row in stored][1:] == [("Korrigiert", date(2026, 1, 1))]
    assert stored[1].scheme["base_minutes"] is None and stored[1].scheme["base_amount"] == "30.00"
    assert [row.action for row in audit_rows(db, "tariff")] == ["version_added", "version_replaced"]


def test_a_version_between_two_others_ends_before_the_later_one(app, db):
    with app.app_context(), new_session(write=True) as session:
        for day in (date(2025, 1, 1), date(2025, 9, 1), date(2025, 5, 1)):
            tariff = tariffs.Tariff(
                name=f"ab {day}",
                valid_from=day,
                valid_until=None,
                base_amount=Decimal("20.00"),
                base_minutes=None,
            )
            tariff_versions.add_version(
                session, tariff, pool_id=FIRST_POOL, today=date(2025, 1, 1), now=local_now(), actor="test"
            )

    spans = [(row.valid_from, row.valid_until) for row in versions(db)]
    assert spans == [
        (tariffs.EPOCH, date(2024, 12, 31)),
        (date(2025, 1, 1), date(2025, 4, 30)),
        (date(2025, 5, 1), date(2025, 8, 31)),
        (date(2025, 9, 1), None),
    ]


def test_wrong_input_is_named_at_each_field_and_nothing_is_stored(coordinator_client, db):
    values = rhein_erft_from("31.02.2026", rate_amount="sieben", kind="per_step", name="")

    response = coordinator_client.post("/einstellungen/tarife", data=values | {"step": "check"})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="valid_from-error"' in page and 'id="rate_amount-error"' in page and 'id="name-error"' in page
    assert 'value="sieben"' in page
    assert versions(db) == []
