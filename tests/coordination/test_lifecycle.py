"""An assignment's life: withdrawal, cancellation (late pays), unfilled requests, completion over the API."""

from __future__ import annotations

from datetime import timedelta

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import (
    ApiToken,
    Assignment,
    InterpretingRequest,
    OfferStatus,
    Outcome,
    RequestStatus,
)
from sprachmittlerpool.security import new_token, token_hash
from sprachmittlerpool.services import assignments, coordination_jobs
from tests.confirm import CONFIRMED
from tests.coordination.helpers import confirmed as _confirmed
from tests.coordination.helpers import mails, now, offers_of, open_request, reload


def _ics(db, key_prefix: str) -> str:
    row = [m for m in mails(db) if m.dedupe_key.startswith(key_prefix)][-1]
    return row.attachments[0]["content"]


def test_volunteer_withdraws_acceptance_and_calendar_is_cancelled(app, db, factories, client):
    request, offer, token, assignment = _confirmed(app, factories)
    assert "METHOD:REQUEST" in _ics(db, "assignment_confirmed:") and "SEQUENCE:0" in _ics(
        db, "assignment_confirmed:"
    )
    assert client.post(f"/o/{token}/withdraw", data=CONFIRMED).status_code == 200
    assert reload(db, request).status == RequestStatus.OPEN
    assert reload(db, offer).status == OfferStatus.WITHDRAWN
    cancel = _ics(db, "assignment_cancelled:")
    assert "METHOD:CANCEL" in cancel and "SEQUENCE:1" in cancel and f"UID:einsatz-{assignment.id}@" in cancel
    assert any(m.dedupe_key.startswith("assignment_withdrawn_institution:") for m in mails(db))
    assert client.post(f"/o/{token}/withdraw", data=CONFIRMED).status_code == 409


def test_late_cancellation_keeps_the_base_amount(app, db, factories):
    soon = now().replace(second=0) + timedelta(hours=30)
    request, _offer, _token, assignment = _confirmed(
        app, factories, start=soon, end=soon + timedelta(hours=1)
    )
    with app.app_context(), new_session(write=True) as session:
        cancelled = assignments.cancel_confirmed(
            session, request=request, now=soon - timedelta(hours=10), actor="institution"
        )
    assert cancelled.outcome == Outcome.LATE and cancelled.allowance_cents == 2500
    assert reload(db, request).status == RequestStatus.CANCELLED
    assert "METHOD:CANCEL" in _ics(db, "assignment_cancelled:")


def test_early_cancellation_pays_nothing(app, db, factories):
    request, _offer, _token, _assignment = _confirmed(app, factories)
    with app.app_context(), new_session(write=True) as session:
        cancelled = assignments.cancel_confirmed(session, request=request, now=now(), actor="institution")
    assert cancelled.outcome == Outcome.EARLY and cancelled.allowance_cents == 0


def test_unfilled_warning_and_cut_off_happen_once(app, db, factories):
    request = open_request(factories)
    warn_at = request.start - timedelta(days=2)
    with app.app_context(), new_session(write=True) as session:
        assert coordination_jobs.warn_unfilled(session, now=warn_at).startswith("1 Vorwarnungen")
        session.commit()
        assert coordination_jobs.warn_unfilled(session, now=warn_at).startswith("0 Vorwarnungen")
        session.commit()
        cut_off = request.start - timedelta(hours=23)
        assert coordination_jobs.warn_unfilled(session, now=cut_off).endswith("1 nicht besetzt")
        session.commit()
        assert coordination_jobs.warn_unfilled(session, now=cut_off).endswith("0 nicht besetzt")
        session.commit()
    row = reload(db, request)
    assert row.status == RequestStatus.UNFILLED and row.unfilled_reason == "no_candidate"
    keys = [m.dedupe_key for m in mails(db)]
    assert keys.count(f"unfilled_warning:{request.id}") == 1 and keys.count(f"unfilled:{request.id}") == 1


def test_completion_over_the_api_then_conflict(app, db, factories, coordinator):
    request, _offer, _token, assignment = _confirmed(app, factories)
    token = new_token()
    db.add(ApiToken(user_id=coordinator.id, token_hash=token_hash(token)))
    db.commit()
    db.rollback()
    for model in (InterpretingRequest, Assignment):
        row = db.get(model, request.id if model is InterpretingRequest else assignment.id)
        row.start, row.end = now() - timedelta(hours=4), now() - timedelta(hours=1)
        db.add(row)
    db.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/assignments/{assignment.id}/completion"
    answer = client.post(
        url, json={"took_place": True, "duration_minutes": 150, "travel_km": 12}, headers=headers
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["allowance"] == "35.00"
    assert (
        client.post(url, json={"took_place": True, "duration_minutes": 60}, headers=headers).status_code
        == 409
    )
    assert client.post(url, json={"took_place": "ja"}, headers=headers).status_code == 422
    assert reload(db, request).status == RequestStatus.COMPLETED


def test_offer_api_conflicts_and_withdraw(app, db, factories, coordinator):
    request = open_request(factories, status=RequestStatus.CANCELLED)
    volunteer = factories.VolunteerFactory()
    token = new_token()
    db.add(ApiToken(user_id=coordinator.id, token_hash=token_hash(token)))
    db.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        client.post(f"/api/v1/requests/{request.id}/offer", json={"volunteer": volunteer.id}).status_code
        == 401
    )
    answer = client.post(
        f"/api/v1/requests/{request.id}/offer", json={"volunteer": volunteer.id}, headers=headers
    )
    assert answer.status_code == 409
    other = open_request(factories)
    made = client.post(
        f"/api/v1/requests/{other.id}/offer", json={"volunteer": volunteer.id}, headers=headers
    )
    assert made.status_code == 201 and made.json["status"] == "offered"
    again = client.post(
        f"/api/v1/requests/{other.id}/offer", json={"volunteer": volunteer.id}, headers=headers
    )
    assert again.status_code == 409
    offer_id = made.json["offer"]
    assert offer_id == str(offers_of(db, other.id)[0].id)  # ids are strings in every answer (api.md)
    assert client.post(f"/api/v1/offers/{offer_id}/withdraw", headers=headers).status_code == 200
    assert client.post(f"/api/v1/offers/{offer_id}/withdraw", headers=headers).status_code == 409
    assert [o.status for o in offers_of(db, other.id)] == [OfferStatus.WITHDRAWN]
    assert reload(db, other).status == RequestStatus.OPEN
