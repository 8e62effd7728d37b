"""No double booking: races released together by a barrier, real commits, one consistent winner per round.

Runs on SQLite and, with SPRACHMITTLERPOOL_TEST_DATABASE_URL, on PostgreSQL. CONCURRENCY_ROUNDS sets
the rounds per race kind (default 100).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import (
    Assignment,
    AssignmentStatus,
    InterpretingRequest,
    Offer,
    OfferStatus,
    RequestStatus,
)
from sprachmittlerpool.services import assignments, offers
from tests.coordination.helpers import now, open_request
from tests.factories import FIRST_POOL

ROUNDS = int(os.environ.get("CONCURRENCY_ROUNDS", "100"))


def race(app, *actions: Callable[[Session], object]) -> list[object]:
    """Run the actions in threads, each with its own write session, released together by a barrier."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(index: int, action: Callable[[Session], object]) -> None:
        with app.app_context():
            session = new_session(write=True)
            try:
                barrier.wait(timeout=30)
                results[index] = action(session)
            except offers.Conflict as exc:
                results[index] = exc
            except Exception as exc:  # noqa: BLE001 (reported below as a failure of the round)
                results[index] = exc
            finally:
                session.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, offers.Conflict)]
    assert not unexpected, unexpected
    return results


def _state(app, request_id: int) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    with app.app_context(), new_session(write=False) as session:
        request = session.get(InterpretingRequest, request_id)
        offer_states = tuple(
            sorted(o.status for o in session.exec(select(Offer).where(Offer.request_id == request_id)))
        )
        assignment_states = tuple(
            sorted(
                a.status for a in session.exec(select(Assignment).where(Assignment.request_id == request_id))
            )
        )
        return request.status, offer_states, assignment_states


def _offer(app, request_id: int, volunteer_id: int) -> int:
    with app.app_context(), new_session(write=True) as session:
        offer, _token = offers.make_offer(
            session, request_id=request_id, volunteer_id=volunteer_id, now=now(), actor="test"
        )
        return offer.id


def _accept(offer_id: int) -> Callable[[Session], object]:
    return lambda session: offers.accept_offer(session, offer_id=offer_id, now=now(), actor="test")


def _request_on(factories, day: int):
    start = (now() + timedelta(days=7 + day % 300)).replace(hour=10, minute=0, second=0)
    return open_request(factories, start=start, end=start + timedelta(hours=1))


def test_two_accepts_of_one_request_have_one_winner(app, factories):
    for round_ in range(ROUNDS):
        request = _request_on(factories, round_)
        first, second = factories.VolunteerFactory(), factories.VolunteerFactory()
        offer_ids = [_offer(app, request.id, first.id), _offer(app, request.id, second.id)]
        results = race(app, _accept(offer_ids[0]), _accept(offer_ids[1]))
        winners = [r for r in results if isinstance(r, Assignment)]
        assert len(winners) == 1, results
        status, offer_states, assignment_states = _state(app, request.id)
        assert status == RequestStatus.CONFIRMED
        assert offer_states == (OfferStatus.ACCEPTED, OfferStatus.WITHDRAWN)
        assert assignment_states == (AssignmentStatus.CONFIRMED,)


def test_accept_against_withdrawal_ends_in_one_of_two_states(app, factories, coordinator):
    outcomes = set()
    for round_ in range(ROUNDS):
        request = _request_on(factories, round_)
        offer_id = _offer(app, request.id, factories.VolunteerFactory().id)
        results = race(
            app,
            _accept(offer_id),
            lambda s, o=offer_id: offers.withdraw_offer(s, offer_id=o, now=now(), actor="coordinator:1"),
        )
        assert sum(not isinstance(r, offers.Conflict) for r in results) == 1, results
        state = _state(app, request.id)
        assert state in {
            (RequestStatus.CONFIRMED, (OfferStatus.ACCEPTED,), (AssignmentStatus.CONFIRMED,)),
            (RequestStatus.OPEN, (OfferStatus.WITHDRAWN,), ()),
        }, state
        outcomes.add(state[0])
    assert outcomes  # which one wins is up to the scheduler; both are consistent


def test_accept_against_institution_cancellation_ends_consistent(app, factories):
    for round_ in range(ROUNDS):
        request = _request_on(factories, round_)
        offer_id = _offer(app, request.id, factories.VolunteerFactory().id)
        results = race(
            app,
            _accept(offer_id),
            lambda s, r=request: assignments.cancel_confirmed(s, request=r, now=now(), actor="institution"),
        )
        assert not isinstance(results[1], offers.Conflict), results
        state = _state(app, request.id)
        assert state in {
            # cancelled first: the offer was withdrawn and accepting failed
            (RequestStatus.CANCELLED, (OfferStatus.WITHDRAWN,), ()),
            # accepted first: the new assignment was cancelled right after
            (RequestStatus.CANCELLED, (OfferStatus.ACCEPTED,), (AssignmentStatus.CANCELLED,)),
        }, state


def test_one_volunteer_offered_overlapping_appointments_accepts_only_one(app, factories):
    for round_ in range(ROUNDS):
        first = _request_on(factories, round_)
        second = open_request(
            factories, start=first.start + timedelta(minutes=30), end=first.end + timedelta(minutes=30)
        )
        volunteer = factories.VolunteerFactory()
        made = race(
            app,
            lambda s, r=first, v=volunteer: offers.make_offer(
                s, request_id=r.id, volunteer_id=v.id, now=now(), actor="k1"
            ),
            lambda s, r=second, v=volunteer: offers.make_offer(
                s, request_id=r.id, volunteer_id=v.id, now=now(), actor="k2"
            ),
        )
        offer_ids = [offer.id for offer, _token in made]
        results = race(app, _accept(offer_ids[0]), _accept(offer_ids[1]))
        assert sum(isinstance(r, Assignment) for r in results) == 1, results
        with app.app_context(), new_session(write=False) as session:
            held = session.exec(
                select(Assignment).where(
                    Assignment.volunteer_id == volunteer.id, Assignment.status == AssignmentStatus.CONFIRMED
                )
            ).all()
            assert len(held) == 1
            confirmed = [session.get(InterpretingRequest, r.id).status for r in (first, second)]
            assert sorted(confirmed) == sorted([RequestStatus.CONFIRMED, RequestStatus.OFFERED])


def _accepted_setup(app, factories):
    request = open_request(factories)
    first, second = factories.VolunteerFactory(), factories.VolunteerFactory()
    offer_id = _offer(app, request.id, first.id)
    other_id = _offer(app, request.id, second.id)
    with app.app_context(), new_session(write=True) as session:
        offers.accept_offer(session, offer_id=offer_id, now=now(), actor="test")
    return request, first, other_id


def test_backstop_refuses_a_second_accepted_offer(app, factories):
    request, _first, other_id = _accepted_setup(app, factories)
    with app.app_context(), new_session(write=True) as session:
        with pytest.raises(IntegrityError):
            session.exec(text("UPDATE offer SET status = 'accepted' WHERE id = :id").bindparams(id=other_id))
            session.commit()
        session.rollback()
        # the same through the ORM, with a brand-new row
        session.add(
            Offer(
                pool_id=FIRST_POOL,
                request_id=request.id,
                volunteer_id=_first.id,
                status=OfferStatus.ACCEPTED,
                token_hash="x" * 64,
                expires_at=now(),
            )
        )
        with pytest.raises(IntegrityError):
            session.commit()


def test_backstop_refuses_an_overlapping_assignment(app, factories):
    request, volunteer, _other = _accepted_setup(app, factories)
    overlapping = open_request(
        factories, start=request.start + timedelta(minutes=30), end=request.end + timedelta(hours=1)
    )
    with app.app_context(), new_session(write=True) as session:
        offer = Offer(
            pool_id=FIRST_POOL,
            request_id=overlapping.id,
            volunteer_id=volunteer.id,
            status=OfferStatus.ACCEPTED,
            token_hash="y" * 64,
            expires_at=now(),
        )
        session.add(offer)
        session.commit()
        session.add(
            Assignment(
                pool_id=FIRST_POOL,
                request_id=overlapping.id,
                offer_id=offer.id,
                volunteer_id=volunteer.id,
                start=overlapping.start,
                end=overlapping.end,
            )
        )
        with pytest.raises(IntegrityError):
            session.commit()
