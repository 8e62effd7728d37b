"""Business rules an outside review broke: cancelling a started appointment, accepting while unavailable.

Each rule is checked as a class: every way a volunteer stops being available (deactivated, erased,
away on the day) withdraws their pending offers and blocks accepting one.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from sprachmittlerpool import links
from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import (
    ApiToken,
    Assignment,
    AssignmentStatus,
    InterpretingRequest,
    Offer,
    OfferStatus,
    OutboxMail,
    PayoutEntry,
    RequestStatus,
    Volunteer,
)
from sprachmittlerpool.security import new_token, token_hash
from sprachmittlerpool.services import offers, privacy
from sprachmittlerpool.services import volunteers as volunteer_service
from tests.confirm import CONFIRMED
from tests.coordination.helpers import confirmed, fresh_read, now, open_request, reload


def _status_path(factories, **values) -> tuple[InterpretingRequest, str]:
    token = new_token()
    row = factories.RequestFactory(status_token_hash=token_hash(token), **values)
    return row, f"/status/{token}"


@pytest.mark.parametrize("started_minutes_ago", [0, 1, 90, 60 * 24 * 3])
def test_an_institution_cannot_cancel_once_the_appointment_has_started(
    client, db, factories, started_minutes_ago
):
    start = now().replace(second=0) - timedelta(minutes=started_minutes_ago)
    row, path = _status_path(factories, start=start, end=start + timedelta(hours=4))

    page = client.get(path).get_data(as_text=True)
    response = client.post(path + "/stornieren", data=CONFIRMED, follow_redirects=True)

    assert "Anfrage stornieren" not in page
    assert "Der Termin hat bereits begonnen" in response.get_data(as_text=True)
    assert reload(db, row).status == RequestStatus.OPEN
    assert client.get("/api/v1/requests/status/" + path.rsplit("/", 1)[1]).get_json()["cancellable"] is False


def test_a_confirmed_appointment_that_has_started_stays_confirmed(app, client, db, factories):
    start = now().replace(second=0) - timedelta(minutes=5)
    request, _offer, _token, assignment = confirmed(
        app, factories, at=start - timedelta(days=3), start=start, end=start + timedelta(hours=1)
    )
    token = new_token()
    with app.app_context(), new_session(write=True) as session:
        row = session.get(InterpretingRequest, request.id)
        row.status_token_hash = token_hash(token)
        session.add(row)
        session.commit()

    response = client.post(f"/status/{token}/stornieren", data=CONFIRMED, follow_redirects=True)

    assert "Der Termin hat bereits begonnen" in response.get_data(as_text=True)
    assert reload(db, request).status == RequestStatus.CONFIRMED
    assert reload(db, assignment).status == AssignmentStatus.CONFIRMED


def _pending(app, factories, **request_values) -> tuple[InterpretingRequest, Volunteer, int, str]:
    request = open_request(factories, **request_values)
    volunteer = factories.VolunteerFactory()
    with app.app_context(), new_session(write=True) as session:
        offer, token = offers.make_offer(
            session, request_id=request.id, volunteer_id=volunteer.id, now=now(), actor="t"
        )
    return request, volunteer, offer.id, token


def _deactivate(app, volunteer: Volunteer, request: InterpretingRequest) -> None:
    with app.app_context(), new_session(write=True) as session:
        row = session.get(Volunteer, volunteer.id)
        volunteer_service.update_volunteer(session, row, {"active": False}, actor="t")


def _erase(app, volunteer: Volunteer, request: InterpretingRequest) -> None:
    with app.app_context(), new_session(write=True) as session:
        privacy.erase_volunteer(session, volunteer.id, now=now(), actor="t")


def _away_that_day(app, volunteer: Volunteer, request: InterpretingRequest) -> None:
    with app.app_context(), new_session(write=True) as session:
        row = session.get(Volunteer, volunteer.id)
        day = request.start.date()
        volunteer_service.add_absence(session, row, start=day - timedelta(days=1), end=day, actor="t")


def _away_from_that_day(app, volunteer: Volunteer, request: InterpretingRequest) -> None:
    with app.app_context(), new_session(write=True) as session:
        row = session.get(Volunteer, volunteer.id)
        day = request.start.date()
        volunteer_service.add_absence(session, row, start=day, end=day + timedelta(days=20), actor="t")


UNAVAILABLE = [_deactivate, _erase, _away_that_day, _away_from_that_day]


@pytest.mark.parametrize("make_unavailable", UNAVAILABLE, ids=lambda f: f.__name__.strip("_"))
def test_an_unavailable_volunteers_pending_offer_is_withdrawn_and_cannot_be_accepted(
    app, client, db, factories, make_unavailable
):
    request, volunteer, offer_id, token = _pending(app, factories)

    make_unavailable(app, volunteer, request)
    response = client.post(f"/o/{token}/accept")

    assert response.status_code == 409
    assert reload(db, request).status == RequestStatus.OPEN
    offer = fresh_read(db, lambda: db.get(Offer, offer_id, populate_existing=True))
    assert offer.status == OfferStatus.WITHDRAWN
    assert fresh_read(db, lambda: db.exec(select(Assignment)).all()) == []
    told = fresh_read(
        db,
        lambda: db.exec(
            select(OutboxMail).where(OutboxMail.dedupe_key == f"offer_withdrawn:{offer_id}")
        ).all(),
    )
    assert len(told) == (0 if make_unavailable is _erase else 1)


@pytest.mark.parametrize(
    "make_unavailable", [_deactivate, _away_that_day], ids=lambda f: f.__name__.strip("_")
)
def test_accepting_is_refused_in_german_even_if_the_offer_is_still_pending(
    app, db, factories, make_unavailable
):
    """The accept path checks by itself: an offer left pending by a direct database change still cannot be taken."""
    request, volunteer, offer_id, _token = _pending(app, factories)
    make_unavailable(app, volunteer, request)
    with app.app_context(), new_session(write=True) as session:
        offer = session.get(Offer, offer_id)
        offer.status = OfferStatus.PENDING
        session.add(offer)
        session.commit()

    with app.app_context(), new_session(write=True) as session, pytest.raises(offers.Conflict) as refused:
        offers.accept_offer(session, offer_id=offer_id, now=now())

    assert refused.value.code in ("volunteer_inactive", "volunteer_absent")
    assert "können" in refused.value.message


def test_an_absence_on_other_days_leaves_the_offer_pending(app, db, factories):
    request, volunteer, offer_id, token = _pending(app, factories)
    with app.app_context(), new_session(write=True) as session:
        row = session.get(Volunteer, volunteer.id)
        day = request.start.date()
        volunteer_service.add_absence(
            session, row, start=day + timedelta(days=1), end=day + timedelta(days=5), actor="t"
        )

    assert (
        fresh_read(db, lambda: db.get(Offer, offer_id, populate_existing=True)).status == OfferStatus.PENDING
    )


def test_erasure_releases_confirmed_future_assignments_and_tells_the_institution(app, db, factories):
    request, offer, _token, assignment = confirmed(app, factories)

    with app.app_context(), new_session(write=True) as session:
        privacy.erase_volunteer(session, assignment.volunteer_id, now=now(), actor="t")

    assert reload(db, assignment).status == AssignmentStatus.CANCELLED
    assert reload(db, offer).status == OfferStatus.WITHDRAWN
    assert reload(db, request).status == RequestStatus.OPEN
    keys = fresh_read(db, lambda: [m.dedupe_key for m in db.exec(select(OutboxMail)).all()])
    assert f"assignment_withdrawn_institution:{assignment.id}" in keys
    assert f"assignment_cancelled:{assignment.id}" not in keys


@pytest.fixture
def bearer(db, coordinator) -> dict[str, str]:
    token = new_token()
    db.add(ApiToken(user_id=coordinator.id, token_hash=token_hash(token)))
    db.commit()
    return {"Authorization": f"Bearer {token}"}


def _past_assignment(app, factories, minutes: int) -> tuple[InterpretingRequest, Assignment]:
    start = now().replace(second=0) - timedelta(days=1)
    request, _offer, _token, assignment = confirmed(
        app, factories, at=start - timedelta(days=3), start=start, end=start + timedelta(minutes=minutes)
    )
    return request, assignment


@pytest.mark.parametrize("reported", [61, 90, 1440])
def test_a_duration_longer_than_the_booked_slot_waits_for_a_coordinator_instead_of_being_paid(
    app, client, db, factories, bearer, reported
):
    request, assignment = _past_assignment(app, factories, 60)
    url = f"/api/v1/assignments/{assignment.id}/completion"

    answer = client.post(url, json={"took_place": True, "duration_minutes": reported}, headers=bearer)

    assert answer.status_code == 200 and answer.json["awaits_approval"] is True
    assert answer.json["assignment"] == str(assignment.id)
    assert "prüft" in answer.json["message"] and f"{reported} Minuten" in answer.json["message"]
    held = reload(db, assignment)
    assert held.allowance_cents is None and held.status == AssignmentStatus.CONFIRMED
    assert fresh_read(db, lambda: db.exec(select(PayoutEntry)).all()) == []
    assert reload(db, request).status == RequestStatus.CONFIRMED
    assert (
        client.post(url, json={"took_place": True, "duration_minutes": 60}, headers=bearer).status_code == 409
    )


def test_the_coordinator_pays_the_longer_duration_or_only_the_slot(app, client, db, factories, bearer):
    paid = {}
    for approve in (True, False):
        request, assignment = _past_assignment(app, factories, 60)
        client.post(
            f"/api/v1/assignments/{assignment.id}/completion",
            json={"took_place": True, "duration_minutes": 300},
            headers=bearer,
        )
        decided = client.post(
            f"/api/v1/assignments/{assignment.id}/duration", json={"approve": approve}, headers=bearer
        )
        assert decided.status_code == 200, decided.json
        assert decided.json["assignment"] == str(assignment.id)
        paid[approve] = reload(db, assignment)
        assert reload(db, request).status == RequestStatus.COMPLETED
        again = client.post(
            f"/api/v1/assignments/{assignment.id}/duration", json={"approve": True}, headers=bearer
        )
        assert again.status_code == 409
    assert paid[True].duration_minutes == 300 and paid[False].duration_minutes == 60
    assert paid[True].allowance_cents > paid[False].allowance_cents > 0


def test_the_institutions_form_says_a_longer_duration_goes_to_the_coordination(app, client, db, factories):
    _request, assignment = _past_assignment(app, factories, 60)
    with app.test_request_context():
        url = "/bestaetigung/" + links.completion_token(assignment.id)

    page = client.post(url, data={"outcome": "took_place", "duration_minutes": "120", "travel_km": ""})

    assert page.status_code == 200
    assert "Die Koordination prüft die längere Dauer" in page.get_data(as_text=True)
    assert reload(db, assignment).allowance_cents is None
