"""What sharing refuses: a refusal books nothing, unshared or too distant volunteers are never proposed,
another pool's volunteer needs an agreed loan (in the service and in the database), sharing needs consent."""

from __future__ import annotations

import math

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from matching.types import Municipality as Town
from sprachmittlerpool import sharing as rules
from sprachmittlerpool.models import (
    Loan,
    LoanStatus,
    Municipality,
    Offer,
    OutboxMail,
    PayoutEntry,
    RequestMode,
    local_now,
)
from sprachmittlerpool.security import new_token, token_hash
from sprachmittlerpool.services import offers, sharing
from tests.coordination.helpers import fresh_read
from tests.factories import FIRST_POOL
from tests.sharing.world import CONSENT, lender_client, lender_pool, phone_request, shared_volunteer


def _count(db, model, *where) -> int:
    return fresh_read(db, lambda: db.exec(select(func.count()).select_from(model).where(*where)).one())


def _ask(app, request_id: int, user_id: int = 1) -> sharing.AskOutcome:
    with app.app_context():
        from sprachmittlerpool.db import new_session

        session = new_session(write=True)
        try:
            return sharing.ask_other_pools(
                session, request_id=request_id, pool_id=FIRST_POOL, now=local_now(), user_id=user_id
            )
        finally:
            session.close()


def test_refusal_books_nothing_and_the_person_is_not_asked_again(app, db, factories, coordinator):
    pool_b = lender_pool(db)
    shared_volunteer(factories, pool_b)
    request = phone_request(factories)
    loan = _ask(app, request.id, coordinator.id).loan
    assert loan is not None

    lender = lender_client(app)
    page = lender.post(f"/koordination/andere-pools/{loan.id}/ablehnen").get_data(as_text=True)
    assert "Ja, ablehnen" in page and "Niemand bekommt eine E-Mail." in page
    lender.post(f"/koordination/andere-pools/{loan.id}/ablehnen", data={"confirm": "ja"})

    refused = fresh_read(db, lambda: db.get(Loan, loan.id, populate_existing=True))
    assert refused.status == LoanStatus.REFUSED and refused.decided_at is not None
    assert _count(db, Offer) == 0 and _count(db, PayoutEntry) == 0
    assert _count(db, OutboxMail) == 1  # only the ask to pool B's coordinator
    again = _ask(app, request.id, coordinator.id)
    assert again.loan is None and again.problem.startswith(sharing.NOBODY)


def test_a_volunteer_who_is_not_shared_is_never_proposed(app, db, factories, coordinator):
    pool_b = lender_pool(db)
    unshared = shared_volunteer(factories, pool_b, shared_remote=False, shared_consent_on=None)
    request = phone_request(factories)
    assert _ask(app, request.id, coordinator.id).problem == sharing.NOBODY

    shared = shared_volunteer(factories, pool_b, name="Yonas Haile", email="yonas@example.org")
    loan = _ask(app, request.id, coordinator.id).loan
    assert loan is not None and loan.volunteer_id == shared.id != unshared.id


def _beyond_km(db, pool_b) -> float:
    place = db.get(Municipality, (FIRST_POOL, "heinsberg"))
    towns = db.exec(select(Municipality).where(Municipality.pool_id == pool_b.id)).all()
    return rules.beyond_border_km(
        Town(place.id, place.name, place.lat, place.lon), [Town(t.id, t.name, t.lat, t.lon) for t in towns]
    )


def test_in_person_only_within_the_shared_distance_beyond_the_border(app, db, factories, coordinator):
    pool_b = lender_pool(db)
    beyond = _beyond_km(db, pool_b)
    near = shared_volunteer(
        factories, pool_b, shared_remote=False, shared_in_person_km=math.floor(beyond) - 1,
        home_id="niederkruechten", max_distance_km=150.0,
    )  # fmt: skip
    request = factories.RequestFactory(language_code="ti", mode=RequestMode.IN_PERSON)
    assert _ask(app, request.id, coordinator.id).problem == sharing.NOBODY

    fresh_read(db, lambda: None)
    near = db.get(type(near), near.id, populate_existing=True)
    near.shared_in_person_km = math.ceil(beyond) + 1
    db.add(near)
    db.commit()
    loan = _ask(app, request.id, coordinator.id).loan
    assert loan is not None and loan.volunteer_id == near.id and loan.distance_km > 0


def _offer_row(**values) -> Offer:
    return Offer(status="pending", token_hash=token_hash(new_token()), expires_at=local_now(), **values)


def test_the_database_refuses_an_offer_to_another_pools_volunteer_without_a_loan(db, factories, coordinator):
    pool_b = lender_pool(db)
    lent = shared_volunteer(factories, pool_b)
    request = phone_request(factories)
    other_request = phone_request(factories)
    attempts = [
        {"volunteer_pool_id": pool_b.id},  # no loan at all
        {"volunteer_pool_id": FIRST_POOL},  # pretending the volunteer were pool A's
    ]
    for values in attempts:
        db.add(_offer_row(pool_id=FIRST_POOL, request_id=request.id, volunteer_id=lent.id, **values))
        with pytest.raises(IntegrityError):
            db.commit()
        db.rollback()
    loan = Loan(
        pool_id=FIRST_POOL, lender_pool_id=pool_b.id, request_id=other_request.id, volunteer_id=lent.id
    )
    db.add(loan)
    db.commit()
    db.add(  # a loan of another request does not cover this one
        _offer_row(
            pool_id=FIRST_POOL, request_id=request.id, volunteer_id=lent.id, volunteer_pool_id=pool_b.id,
            loan_id=loan.id,
        )
    )  # fmt: skip
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()
    db.add(
        _offer_row(
            pool_id=FIRST_POOL, request_id=other_request.id, volunteer_id=lent.id, volunteer_pool_id=pool_b.id,
            loan_id=loan.id,
        )
    )  # fmt: skip
    db.commit()  # the loan's own request and person: accepted


def test_the_service_refuses_another_pools_volunteer_until_the_loan_is_agreed(
    app, db, factories, coordinator
):
    pool_b = lender_pool(db)
    shared_volunteer(factories, pool_b)
    request = phone_request(factories)
    loan = _ask(app, request.id, coordinator.id).loan
    with app.app_context():
        from sprachmittlerpool.db import new_session

        session = new_session(write=True)
        for loan_id in (None, loan.id):
            with pytest.raises(offers.Conflict) as refused:
                offers.make_offer(
                    session, request_id=request.id, volunteer_id=loan.volunteer_id, now=local_now(),
                    actor="test", loan_id=loan_id,
                )  # fmt: skip
            assert refused.value.code == "other_pool"
        session.close()
    assert _count(db, Offer) == 0


def test_a_coordinator_decides_only_the_asks_made_of_their_own_pool(app, db, factories, coordinator_client):
    pool_b = lender_pool(db)
    shared_volunteer(factories, pool_b)
    request = phone_request(factories)
    coordinator_client.post(f"/koordination/anfragen/{request.id}/andere-pools")
    loan = fresh_read(db, lambda: db.exec(select(Loan)).one())
    coordinator_client.post(f"/koordination/andere-pools/{loan.id}/zustimmen", data={"confirm": "ja"})
    assert fresh_read(db, lambda: db.get(Loan, loan.id, populate_existing=True)).status == LoanStatus.ASKED
    assert "Semhar" not in coordinator_client.get("/koordination/andere-pools").get_data(as_text=True)


def test_sharing_needs_the_day_of_consent(app, db, factories, coordinator_client):
    volunteer = factories.VolunteerFactory()
    refused = coordinator_client.post(
        f"/koordination/sprachmittelnde/{volunteer.id}/teilen",
        data={"shared_remote": "ja", "in_person_km": "10"},
    )
    assert "Datum eintragen" in refused.get_data(as_text=True)
    saved = coordinator_client.post(
        f"/koordination/sprachmittelnde/{volunteer.id}/teilen",
        data={"shared_remote": "ja", "in_person_km": "10", "consent_on": "05.01.2026"},
    )
    assert saved.status_code == 302
    row = fresh_read(db, lambda: db.get(type(volunteer), volunteer.id, populate_existing=True))
    assert (row.shared_remote, row.shared_in_person_km, row.shared_consent_on) == (True, 10, CONSENT)
    row.shared_consent_on = None
    db.add(row)
    with pytest.raises(IntegrityError):  # the database keeps the rule too
        db.commit()
    db.rollback()


def test_after_the_lent_volunteer_declines_the_request_may_be_asked_for_again(
    app, db, factories, coordinator
):
    pool_b = lender_pool(db)
    first = shared_volunteer(factories, pool_b)
    second = shared_volunteer(factories, pool_b, name="Yonas Haile", email="yonas@example.org")
    request = phone_request(factories)
    loan = _ask(app, request.id, coordinator.id).loan
    assert _ask(app, request.id, coordinator.id).problem == sharing.ALREADY_ASKED

    lender_client(app).post(f"/koordination/andere-pools/{loan.id}/zustimmen", data={"confirm": "ja"})
    offer = fresh_read(db, lambda: db.exec(select(Offer)).one())
    with app.app_context():
        from sprachmittlerpool.db import new_session

        session = new_session(write=True)
        offers.decline_offer(session, offer_id=offer.id, reason="krank", now=local_now())
        session.close()

    again = _ask(app, request.id, coordinator.id).loan
    assert again is not None and {loan.volunteer_id, again.volunteer_id} == {first.id, second.id}


def test_an_ask_whose_request_was_cancelled_meanwhile_cannot_be_agreed_to(app, db, factories, coordinator):
    pool_b = lender_pool(db)
    shared_volunteer(factories, pool_b)
    request = phone_request(factories)
    loan = _ask(app, request.id, coordinator.id).loan
    fresh_read(db, lambda: None)
    row = db.get(type(request), request.id, populate_existing=True)
    row.status = "cancelled"
    db.add(row)
    db.commit()

    lender = lender_client(app)
    assert '<span class="figure">0</span> Anfragen anderer Pools' in lender.get("/koordination/").get_data(
        as_text=True
    )
    assert "nicht mehr nötig" in lender.get("/koordination/andere-pools").get_data(as_text=True)
    answer = lender.post(
        f"/koordination/andere-pools/{loan.id}/zustimmen", data={"confirm": "ja"}, follow_redirects=True
    )
    assert "Zustimmen ist nicht mehr möglich" in answer.get_data(as_text=True)
    assert fresh_read(db, lambda: db.get(Loan, loan.id, populate_existing=True)).status == LoanStatus.ASKED
    assert _count(db, Offer) == 0 and _count(db, OutboxMail) == 1  # only the ask
