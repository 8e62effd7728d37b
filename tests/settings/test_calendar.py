"""Closure days and intake limits: entered by an admin, kept as a record, and reaching the form and the decision."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from matching.eligibility import working_days_between
from sprachmittlerpool.models import InterpretingRequest, Pool, PoolClosure, local_now
from sprachmittlerpool.pool_calendar import nrw_holidays_between
from tests.factories import FIRST_POOL
from tests.intake.conftest import appointment
from tests.intake.test_form import form_data
from tests.settings.conftest import audit_rows


@pytest.fixture
def coordinator_role() -> str:
    """Log in as an admin: the settings are theirs."""
    return "admin"


MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)


def long(day: date) -> str:
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def closed_days(db) -> list[tuple[date, str]]:
    db.rollback()
    return [(row.day, row.note) for row in db.exec(select(PoolClosure).order_by(col(PoolClosure.day))).all()]


def text_of(html: str) -> str:
    """Return what a person reads: the page without tags (inline ones join their words, others separate)."""
    inline = re.sub(r"</?(?:strong|em|b|span|a|label)\b[^>]*>", "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline))


def submitted(client, db, **overrides) -> InterpretingRequest:
    client.post("/anfrage", data=form_data(**overrides))
    db.rollback()
    return db.exec(select(InterpretingRequest).order_by(col(InterpretingRequest.id).desc())).first()


def test_a_range_and_a_single_day_are_stored_day_by_day_shown_as_periods_and_audited(
    coordinator_client, coordinator, db
):
    first = local_now().date() + timedelta(days=30)

    coordinator_client.post(
        "/einstellungen/kalender/schliesstage",
        data={
            "first": first.isoformat(),
            "last": (first + timedelta(days=9)).isoformat(),
            "note": "Herbstferien",
        },
    )
    response = coordinator_client.post(
        "/einstellungen/kalender/schliesstage",
        data={
            "first": (first + timedelta(days=20)).strftime("%d.%m.%Y"),
            "last": "",
            "note": "Betriebsausflug des KI",
        },
        follow_redirects=True,
    )

    assert len(closed_days(db)) == 11
    page = text_of(
        coordinator_client.get(f"/einstellungen/kalender?jahr={first.year}").get_data(as_text=True)
    )
    assert f"{long(first)} bis {long(first + timedelta(days=9))} · 10 Tage · Herbstferien" in page
    assert f"{long(first + timedelta(days=20))} · 1 Tag · Betriebsausflug des KI" in page
    assert "Geschlossen:" in response.get_data(as_text=True)
    rows = audit_rows(db, "pool", "closure_added")
    assert [row.actor for row in rows] == [f"user:{coordinator.id}"] * 2
    assert "Kim Koordination" in page and "Schließtage eingetragen" in page


def test_past_days_cannot_be_added_or_removed_and_stay_listed(coordinator_client, db):
    today = local_now().date()
    db.add(PoolClosure(pool_id=FIRST_POOL, day=today - timedelta(days=3), note="Brückentag"))
    db.commit()

    added = coordinator_client.post(
        "/einstellungen/kalender/schliesstage",
        data={"first": (today - timedelta(days=1)).isoformat(), "note": "zu spät"},
    )
    removed = coordinator_client.post(
        "/einstellungen/kalender/schliesstage/entfernen",
        data={
            "first": (today - timedelta(days=3)).isoformat(),
            "last": (today - timedelta(days=3)).isoformat(),
            "confirmed": "1",
        },
        follow_redirects=True,
    )

    assert added.status_code == 422 and "Vergangene Tage bleiben, wie sie waren." in added.get_data(
        as_text=True
    )
    assert "Vergangene Tage bleiben" in removed.get_data(as_text=True)
    assert closed_days(db) == [(today - timedelta(days=3), "Brückentag")]
    year = (today - timedelta(days=3)).year
    page = coordinator_client.get(f"/einstellungen/kalender?jahr={year}").get_data(as_text=True)
    assert "Brückentag" in page and "vergangen" in page


def test_removing_closure_days_asks_first_and_keeps_the_days_before_today(coordinator_client, db):
    today = local_now().date()
    db.add_all(
        PoolClosure(pool_id=FIRST_POOL, day=today + timedelta(days=n), note="Ferien") for n in range(-2, 3)
    )
    db.commit()
    data = {"first": today.isoformat(), "last": (today + timedelta(days=2)).isoformat()}

    ask = coordinator_client.post("/einstellungen/kalender/schliesstage/entfernen", data=data)
    assert len(closed_days(db)) == 5
    done = coordinator_client.post(
        "/einstellungen/kalender/schliesstage/entfernen",
        data=data | {"confirmed": "1"},
        follow_redirects=True,
    )

    assert "Schließtage entfernen?" in ask.get_data(as_text=True) and long(today) in ask.get_data(
        as_text=True
    )
    assert "3 Schließtage entfernt" in done.get_data(as_text=True)
    assert [day for day, _ in closed_days(db)] == [today - timedelta(days=2), today - timedelta(days=1)]
    assert audit_rows(db, "pool", "closure_removed")[0].detail["days"] == 3


def test_overlapping_reversed_and_overlong_periods_are_refused_at_the_field(coordinator_client, db):
    first = local_now().date() + timedelta(days=10)
    coordinator_client.post(
        "/einstellungen/kalender/schliesstage", data={"first": first.isoformat(), "note": "A"}
    )

    cases = [
        (
            {
                "first": (first - timedelta(days=1)).isoformat(),
                "last": (first + timedelta(days=1)).isoformat(),
            },
            f"Der {long(first)} ist schon als Schließtag eingetragen.",
        ),
        (
            {
                "first": (first + timedelta(days=5)).isoformat(),
                "last": (first + timedelta(days=4)).isoformat(),
            },
            "Das Ende darf nicht vor dem Beginn liegen.",
        ),
        (
            {
                "first": (first + timedelta(days=5)).isoformat(),
                "last": (first + timedelta(days=400)).isoformat(),
            },
            "höchstens ein Jahr",
        ),
        ({"first": "morgen"}, "TT.MM.JJJJ"),
        ({"first": (first + timedelta(days=5)).isoformat(), "note": "x" * 201}, "höchstens 200 Zeichen"),
    ]
    for data, message in cases:
        response = coordinator_client.post("/einstellungen/kalender/schliesstage", data=data)
        assert response.status_code == 422 and message in response.get_data(as_text=True), data
    assert len(closed_days(db)) == 1


def test_limits_are_saved_audited_and_empty_means_the_rule_sets_value(coordinator_client, coordinator, db):
    coordinator_client.post(
        "/einstellungen/kalender/grenzen", data={"lead_working_days": "10", "max_duration_minutes": "90"}
    )
    db.rollback()
    pool = db.get(Pool, FIRST_POOL)
    assert (pool.lead_working_days, pool.max_duration_minutes) == (10, 90)

    coordinator_client.post(
        "/einstellungen/kalender/grenzen", data={"lead_working_days": "", "max_duration_minutes": ""}
    )

    db.rollback()
    db.refresh(pool)
    assert (pool.lead_working_days, pool.max_duration_minutes) == (None, None)
    page = text_of(coordinator_client.get("/einstellungen/kalender").get_data(as_text=True))
    assert (
        "Vorlauf: Wert des Regelwerks → 10 Werktage; längste Einsatzdauer: Wert des Regelwerks → 1 Stunde 30 Minuten"
        in page
    )
    assert [row.actor for row in audit_rows(db, "pool", "intake_limits")] == [f"user:{coordinator.id}"] * 2


def test_wrong_limits_are_named_at_their_fields(coordinator_client, db):
    response = coordinator_client.post(
        "/einstellungen/kalender/grenzen", data={"lead_working_days": "fünf", "max_duration_minutes": "5"}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="lead_working_days-error"' in page and 'id="max_duration_minutes-error"' in page
    assert "von 15 bis 720" in page
    db.rollback()
    assert db.get(Pool, FIRST_POOL).lead_working_days is None


def test_the_form_says_the_pools_lead_time_longest_assignment_and_next_closures_before_submission(
    client, coordinator_client
):
    first = local_now().date() + timedelta(days=40)
    coordinator_client.post(
        "/einstellungen/kalender/grenzen", data={"lead_working_days": "7", "max_duration_minutes": "150"}
    )
    coordinator_client.post(
        "/einstellungen/kalender/schliesstage",
        data={
            "first": first.isoformat(),
            "last": (first + timedelta(days=1)).isoformat(),
            "note": "Sommerfest",
        },
    )

    page = text_of(client.get("/anfrage").get_data(as_text=True))

    assert (
        "Bitte fragen Sie mindestens 7 Werktage vor dem Termin an; kurzfristigere Anfragen prüfen wir einzeln."
        in page
    )
    assert "Ein Einsatz dauert höchstens 2 Stunden 30 Minuten; längere Einsätze prüfen wir einzeln." in page
    assert f"{long(first)} bis {long(first + timedelta(days=1))} (Sommerfest)" in page
    assert page.index("mindestens 7 Werktage") < page.index("Anfrage absenden")


def test_the_pools_lead_time_reaches_the_intake_decision(client, coordinator_client, db):
    start, _ = appointment()
    today = local_now().date()
    needed = working_days_between(today, start.date(), nrw_holidays_between(today, start.date()))

    coordinator_client.post("/einstellungen/kalender/grenzen", data={"lead_working_days": str(needed)})
    in_time = submitted(client, db)
    coordinator_client.post("/einstellungen/kalender/grenzen", data={"lead_working_days": str(needed + 1)})
    too_late = submitted(client, db, idempotency_key="second")

    assert (in_time.status, in_time.urgent) == ("open", False)
    assert (too_late.status, too_late.urgent) == ("review", True)
    assert f"weniger als {needed + 1} Arbeitstage" in too_late.reasons[0]["message"]


def test_closure_days_reach_the_intake_decision_on_the_day_and_in_the_lead_time(
    client, coordinator_client, db
):
    start, _ = appointment()
    today = local_now().date()
    needed = working_days_between(today, start.date(), nrw_holidays_between(today, start.date()))
    coordinator_client.post("/einstellungen/kalender/grenzen", data={"lead_working_days": str(needed)})
    weekday_between = next(
        day
        for n in range(1, 14)
        if (day := start.date() - timedelta(days=n)).weekday() < 5
        and day not in nrw_holidays_between(today, start.date())
    )

    coordinator_client.post(
        "/einstellungen/kalender/schliesstage", data={"first": weekday_between.isoformat(), "note": "Teamtag"}
    )
    shortened = submitted(client, db)
    coordinator_client.post(
        "/einstellungen/kalender/schliesstage", data={"first": start.date().isoformat(), "note": "Ferien"}
    )
    on_closed_day = submitted(client, db, idempotency_key="second")

    assert (shortened.status, shortened.urgent) == ("review", True)
    assert [reason["rule"] for reason in on_closed_day.reasons][-1] == "pool.closed_day"
    assert on_closed_day.status == "review"


def test_a_longer_assignment_than_the_pools_longest_goes_to_review(client, coordinator_client, db):
    coordinator_client.post("/einstellungen/kalender/grenzen", data={"max_duration_minutes": "45"})

    request = submitted(client, db)

    assert request.status == "review"
    assert "länger als 45 Minuten" in request.reasons[0]["message"]
