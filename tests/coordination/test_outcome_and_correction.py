"""The coordinator records what happened, corrects a wrongly reported duration, and settles longer durations."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import Assignment, AuditEvent, InterpretingRequest, PayoutEntry, local_now
from sprachmittlerpool.services import completion, payouts
from tests.coordination.day_world import assignment_at, second_pool
from tests.coordination.helpers import fresh_read
from tests.factories import FIRST_POOL


def _yesterday_at(hour: int) -> datetime:
    day = local_now().date() - timedelta(days=1)
    return datetime.combine(day, datetime.min.time()).replace(hour=hour)


@pytest.fixture
def past(db, factories) -> Assignment:
    """A confirmed one-hour assignment that took place yesterday at 10:00."""
    return assignment_at(db, factories, _yesterday_at(10))


def _row(db, model, row_id: int):
    """Read a row as the database holds it now."""
    return fresh_read(
        db,
        lambda: db.exec(
            select(model).where(model.id == row_id).execution_options(populate_existing=True)
        ).one(),
    )


def _entries(db, assignment_id: int) -> list[PayoutEntry]:
    query = select(PayoutEntry).where(PayoutEntry.assignment_id == assignment_id).order_by(PayoutEntry.id)
    return fresh_read(db, lambda: list(db.exec(query.execution_options(populate_existing=True)).all()))


def _complete(app, assignment_id: int, minutes: int) -> None:
    """Record through the service, as a volunteer's or institution's report would."""
    with app.app_context():
        session = new_session(write=True)
        completion.record_completion(
            session, assignment=session.get(Assignment, assignment_id), took_place=True,
            duration_minutes=minutes, travel_km="0", now=local_now(), actor="test",
        )  # fmt: skip
        session.close()


def test_took_place_asks_for_confirmation_with_the_allowance_then_books_it(coordinator_client, past, db):
    url = f"/koordination/einsaetze/{past.id}/ergebnis"
    form = coordinator_client.get(url).get_data(as_text=True)
    assert "Was ist geschehen?" in form and "nicht erschienen" in form

    confirm = coordinator_client.post(
        url, data={"outcome": "took_place", "duration_minutes": "60", "travel_km": "12,5"}
    )
    page = confirm.get_data(as_text=True)
    assert (
        "Aufwandsentschädigung: 25,00 €" in page
        and "12,5 km" in page
        and "Niemand erhält eine E-Mail" in page
    )
    assert _row(db, Assignment, past.id).outcome is None  # nothing recorded before the confirmation

    done = coordinator_client.post(
        url, data={"outcome": "took_place", "duration_minutes": "60", "travel_km": "12.5", "confirmed": "1"}
    )
    assert done.status_code == 302
    row = _row(db, Assignment, past.id)
    assert (row.status, row.outcome, row.duration_minutes, row.allowance_cents) == (
        "completed",
        "took_place",
        60,
        2500,
    )
    assert [e.amount_cents for e in _entries(db, past.id)] == [2500]
    assert _row(db, InterpretingRequest, past.request_id).status == "completed"


def test_a_no_show_by_the_volunteer_pays_nothing_and_frees_nothing_twice(coordinator_client, past, db):
    url = f"/koordination/einsaetze/{past.id}/ergebnis"
    confirm = coordinator_client.post(url, data={"outcome": "volunteer_no_show"}).get_data(as_text=True)
    assert "ist nicht erschienen" in confirm and "0,00 €" in confirm

    coordinator_client.post(url, data={"outcome": "volunteer_no_show", "confirmed": "1"})

    row = _row(db, Assignment, past.id)
    assert (row.status, row.outcome, row.allowance_cents) == ("cancelled", "volunteer_no_show", 0)
    assert _entries(db, past.id) == []
    assert _row(db, InterpretingRequest, past.request_id).status == "no_show"
    again = coordinator_client.get(url).get_data(as_text=True)
    assert "schon festgehalten" in again and 'name="outcome"' not in again


@pytest.mark.parametrize(
    ("choice", "cents", "request_status"), [("late", 2500, "cancelled"), ("no_show", 2500, "no_show")]
)
def test_late_cancellation_and_the_clients_no_show_pay_the_base_amount(
    coordinator_client, past, db, choice, cents, request_status
):
    coordinator_client.post(
        f"/koordination/einsaetze/{past.id}/ergebnis", data={"outcome": choice, "confirmed": "1"}
    )

    assert _row(db, Assignment, past.id).allowance_cents == cents
    assert _row(db, InterpretingRequest, past.request_id).status == request_status


def test_an_assignment_that_has_not_begun_cannot_get_an_outcome(coordinator_client, db, factories):
    future = assignment_at(db, factories, local_now() + timedelta(days=2))

    page = coordinator_client.post(
        f"/koordination/einsaetze/{future.id}/ergebnis",
        data={"outcome": "took_place", "duration_minutes": "60", "confirmed": "1"},
    ).get_data(as_text=True)

    assert "noch nicht begonnen" in page
    assert _row(db, Assignment, future.id).outcome is None


def test_a_broken_duration_is_refused_in_german(coordinator_client, past):
    response = coordinator_client.post(
        f"/koordination/einsaetze/{past.id}/ergebnis",
        data={"outcome": "took_place", "duration_minutes": "eine Stunde"},
    )

    assert response.status_code == 422
    assert "Bitte die Dauer in ganzen Minuten angeben." in response.get_data(as_text=True)


def test_correction_in_an_open_month_shows_before_and_after_and_changes_the_entry(
    app, coordinator_client, past, db
):
    _complete(app, past.id, 60)
    url = f"/koordination/einsaetze/{past.id}/korrektur"

    missing = coordinator_client.post(url, data={"duration_minutes": "240", "reason": "  "})
    assert missing.status_code == 422 and "Bitte einen Grund angeben." in missing.get_data(as_text=True)
    confirm = coordinator_client.post(
        url, data={"duration_minutes": "240", "reason": "Kita meldete 60 statt 240 Minuten"}
    )
    page = confirm.get_data(as_text=True)
    assert "25,00 €" in page and "45,00 €" in page and "4 Stunden" in page
    assert "noch offenen Auszahlungsliste" in page
    coordinator_client.post(
        url, data={"duration_minutes": "240", "reason": "Kita meldete 60 statt 240 Minuten", "confirmed": "1"}
    )

    row = _row(db, Assignment, past.id)
    assert (row.duration_minutes, row.allowance_cents) == (240, 4500)
    (entry,) = _entries(db, past.id)
    assert entry.amount_cents == 4500 and "Kita meldete 60 statt 240 Minuten" in entry.note
    audit = fresh_read(
        db, lambda: db.exec(select(AuditEvent).where(AuditEvent.action == "duration_corrected")).one()
    )
    assert (
        audit.detail["before_minutes"] == 60 and audit.detail["reason"] == "Kita meldete 60 statt 240 Minuten"
    )


def test_correction_after_the_month_closed_is_a_correction_entry_naming_the_original(
    app, coordinator_client, past, db
):
    _complete(app, past.id, 60)
    month = payouts.month_of(past.start)
    with app.app_context():
        session = new_session(write=True)
        payouts.close_month(session, month, pool_id=FIRST_POOL, user_id=None, actor="test")
        session.close()
    url = f"/koordination/einsaetze/{past.id}/korrektur"

    confirm = coordinator_client.post(
        url, data={"duration_minutes": "180", "reason": "Schule hat sich verschrieben"}
    )
    assert f"Korrektur zu {month}/a{past.id}" in confirm.get_data(as_text=True)
    done = coordinator_client.post(
        url, data={"duration_minutes": "180", "reason": "Schule hat sich verschrieben", "confirmed": "1"}
    )

    original, correction = _entries(db, past.id)
    assert correction.corrects_entry_id == original.id and correction.amount_cents == 1000
    assert correction.note == f"Korrektur zu {month}/a{past.id}: Schule hat sich verschrieben"
    later = payouts.next_month(month)
    assert done.headers["Location"].endswith(f"/auszahlungen/{later}")
    listed = coordinator_client.get(f"/auszahlungen/{later}").get_data(as_text=True)
    assert "Schule hat sich verschrieben" in listed and "10,00" in listed


def test_only_a_completed_assignment_can_be_corrected(coordinator_client, past, db):
    response = coordinator_client.post(
        f"/koordination/einsaetze/{past.id}/korrektur",
        data={"duration_minutes": "90", "reason": "x", "confirmed": "1"},
    )

    assert "Nur die Dauer eines durchgeführten Einsatzes" in response.get_data(as_text=True)
    assert _entries(db, past.id) == []


def test_a_longer_duration_waits_in_the_list_and_is_settled_after_confirmation(
    app, coordinator_client, past, db
):
    _complete(app, past.id, 200)

    dashboard = coordinator_client.get("/koordination/").get_data(as_text=True)
    assert "/koordination/einsaetze/dauer" in dashboard and "Dauern zur Freigabe" in dashboard
    listed = coordinator_client.get("/koordination/einsaetze/dauer").get_data(as_text=True)
    assert "1 Stunde (25,00 €)" in listed and "3 Stunden 20 Minuten (45,00 €)" in listed
    ask = coordinator_client.get(f"/koordination/einsaetze/{past.id}/dauer?entscheidung=freigeben").get_data(
        as_text=True
    )
    assert "Längere Dauer freigeben?" in ask and "45,00 €" in ask
    assert _entries(db, past.id) == []  # asking changed nothing

    coordinator_client.post(f"/koordination/einsaetze/{past.id}/dauer", data={"entscheidung": "freigeben"})

    row = _row(db, Assignment, past.id)
    assert (row.status, row.duration_minutes, row.allowance_cents) == ("completed", 200, 4500)
    assert "Zurzeit wartet keine Dauer" in coordinator_client.get("/koordination/einsaetze/dauer").get_data(
        as_text=True
    )


def test_refusing_a_longer_duration_pays_the_booked_slot(app, coordinator_client, past, db):
    _complete(app, past.id, 200)

    coordinator_client.post(f"/koordination/einsaetze/{past.id}/dauer", data={"entscheidung": "ablehnen"})

    row = _row(db, Assignment, past.id)
    assert (row.status, row.duration_minutes, row.allowance_cents) == ("completed", 60, 2500)


def test_another_pools_assignment_is_not_found(coordinator_client, db, factories):
    elsewhere = second_pool(db)
    stranger = factories.VolunteerFactory(pool_id=elsewhere["pool_id"], home_id="anderswo", languages=["uk"])
    foreign = assignment_at(db, factories, _yesterday_at(10), volunteer=stranger, **elsewhere)

    for path in ("ergebnis", "korrektur", "dauer?entscheidung=freigeben"):
        assert coordinator_client.get(f"/koordination/einsaetze/{foreign.id}/{path}").status_code == 404


def test_the_request_pages_action_partial_links_what_fits_the_state(app, coordinator_client, past, db):
    from flask import render_template

    def links(request_row, assignment) -> str:
        with app.test_request_context():
            return render_template(
                "coordination/_assignment_actions.html", request_row=request_row, assignment=assignment
            )

    wanted = fresh_read(db, lambda: db.get(InterpretingRequest, past.request_id))
    confirmed = links(wanted, past)
    assert f"/koordination/einsaetze/{past.id}/ergebnis" in confirmed and "/anbieten" not in confirmed
    _complete(app, past.id, 60)
    completed = _row(db, Assignment, past.id)
    assert f"/koordination/einsaetze/{past.id}/korrektur" in links(wanted, completed)
    wanted.status = "open"
    assert f"/koordination/anfragen/{wanted.id}/anbieten" in links(wanted, None)
    wanted.status = "cancelled"
    assert links(wanted, None).strip() == ""
