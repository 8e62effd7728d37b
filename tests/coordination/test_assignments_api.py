"""The assignments API: the pool's assignments in a date range, and a duration correction booked like the page books it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import ApiToken, Assignment, PayoutEntry, local_now
from sprachmittlerpool.security import new_token, token_hash
from sprachmittlerpool.services import completion
from tests.coordination.day_world import assignment_at, second_pool
from tests.coordination.helpers import fresh_read


@pytest.fixture
def bearer(db, coordinator) -> dict[str, str]:
    """Return an Authorization header with a fresh API token of the coordinator."""
    token = new_token()
    db.add(ApiToken(user_id=coordinator.id, token_hash=token_hash(token)))
    db.commit()
    return {"Authorization": f"Bearer {token}"}


def _day(offset: int, hour: int = 10) -> datetime:
    day = local_now().date() + timedelta(days=offset)
    return datetime.combine(day, datetime.min.time()).replace(hour=hour)


@pytest.fixture
def done(app, db, factories) -> Assignment:
    """An assignment of yesterday, completed with 60 minutes (25,00 €)."""
    assignment = assignment_at(db, factories, _day(-1))
    with app.app_context():
        session = new_session(write=True)
        completion.record_completion(
            session, assignment=session.get(Assignment, assignment.id), took_place=True,
            duration_minutes=60, now=local_now(), actor="test",
        )  # fmt: skip
        session.close()
    return assignment


def test_assignments_in_a_range_with_ids_as_strings(client, bearer, db, factories, done):
    later = assignment_at(db, factories, _day(3))
    assignment_at(db, factories, _day(30))
    elsewhere = second_pool(db)
    stranger = factories.VolunteerFactory(pool_id=elsewhere["pool_id"], home_id="anderswo", languages=["uk"])
    assignment_at(db, factories, _day(2), volunteer=stranger, **elsewhere)

    response = client.get(
        f"/api/v1/assignments?from={_day(-1):%Y-%m-%d}&to={_day(3):%Y-%m-%d}", headers=bearer
    )

    assert response.status_code == 200
    rows = response.get_json()["assignments"]
    assert [row["id"] for row in rows] == [str(done.id), str(later.id)]
    first = rows[0]
    assert first["request"] == str(done.request_id) and first["volunteer"] == str(done.volunteer_id)
    assert first["volunteer_name"].startswith("Olena") and first["status"] == "completed"
    assert first["start"] == f"{_day(-1):%Y-%m-%dT%H:%M}" and first["end"] == f"{_day(-1, 11):%Y-%m-%dT%H:%M}"
    assert rows[1]["status"] == "confirmed" and rows[1]["outcome"] is None


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("from=morgen", "JJJJ-MM-TT"),
        ("from=2026-02-30&to=2026-03-01", "JJJJ-MM-TT"),
        ("from=2026-03-10&to=2026-03-01", "liegt vor dem Anfang"),
        ("from=2025-01-01&to=2026-01-02", "höchstens 366 Tage"),
    ],
)
def test_a_bad_or_too_long_range_is_refused_in_german(client, bearer, query, words):
    response = client.get(f"/api/v1/assignments?{query}", headers=bearer)

    assert response.status_code == 422
    assert words in response.get_json()["message"]


def test_without_dates_the_list_covers_the_week_from_today(client, bearer, db, factories, done):
    this_week = assignment_at(db, factories, _day(6))
    assignment_at(db, factories, _day(7))

    rows = client.get("/api/v1/assignments", headers=bearer).get_json()["assignments"]

    assert [row["id"] for row in rows] == [str(this_week.id)]


def test_the_list_needs_a_coordinator(client):
    assert client.get("/api/v1/assignments?from=2026-01-01&to=2026-01-31").status_code == 401


def test_correction_books_the_difference_and_answers_both_amounts(client, bearer, db, done):
    response = client.post(
        f"/api/v1/assignments/{done.id}/correction",
        json={"duration_minutes": 180, "reason": "Einrichtung hatte 60 statt 180 Minuten gemeldet"},
        headers=bearer,
    )

    assert response.status_code == 200
    assert response.get_json() == {
        "assignment": str(done.id),
        "status": "completed",
        "duration_minutes": 180,
        "allowance_before": "25.00",
        "allowance": "35.00",
    }
    entries = fresh_read(db, lambda: db.exec(select(PayoutEntry.amount_cents, PayoutEntry.note)).all())
    assert entries == [(3500, "korrigiert: Einrichtung hatte 60 statt 180 Minuten gemeldet")]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"duration_minutes": 90}, 422, "reason"),
        ({"duration_minutes": 0, "reason": "Tippfehler"}, 422, "duration_minutes"),
        ({"duration_minutes": 60, "reason": "Tippfehler"}, 422, "duration_minutes"),
        ({"duration_minutes": 90, "reason": "Tippfehler", "km": 3}, 400, None),
    ],
)
def test_a_broken_correction_changes_nothing(client, bearer, db, done, body, status, field):
    response = client.post(f"/api/v1/assignments/{done.id}/correction", json=body, headers=bearer)

    assert response.status_code == status
    if field:
        assert field in response.get_json()["fields"]
    assert fresh_read(db, lambda: db.exec(select(PayoutEntry.amount_cents)).all()) == [2500]


def test_only_a_completed_assignment_of_the_pool_can_be_corrected(client, bearer, db, factories):
    confirmed = assignment_at(db, factories, _day(-2))
    body = {"duration_minutes": 90, "reason": "Tippfehler"}

    assert (
        client.post(f"/api/v1/assignments/{confirmed.id}/correction", json=body, headers=bearer).status_code
        == 409
    )
    assert client.post("/api/v1/assignments/999999/correction", json=body, headers=bearer).status_code == 404


def test_both_operations_are_described_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert "get" in paths["/api/v1/assignments"]
    assert paths["/api/v1/assignments/{assignment_id}/correction"]["post"]["requestBody"]["required"]
