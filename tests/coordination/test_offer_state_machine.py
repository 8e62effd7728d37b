"""A stateful property test of the offer state machine: any order of answers keeps the invariants."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlmodel import func, select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import AuditEvent, InterpretingRequest, Offer, OfferStatus
from sprachmittlerpool.services import assignments, offers
from tests.coordination.helpers import now, open_request

TERMINAL = {OfferStatus.DECLINED, OfferStatus.EXPIRED, OfferStatus.WITHDRAWN}


def test_offer_state_machine(app, factories):
    class Offers(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.request = open_request(factories)
            self.offer_ids = []
            with app.app_context(), new_session(write=True) as session:
                for _ in range(3):
                    volunteer = factories.VolunteerFactory()
                    offer, _token = offers.make_offer(
                        session, request_id=self.request.id, volunteer_id=volunteer.id, now=now(), actor="t"
                    )
                    self.offer_ids.append(offer.id)
            self.seen = {offer_id: [OfferStatus.PENDING] for offer_id in self.offer_ids}

        def _do(self, action) -> None:
            with app.app_context(), new_session(write=True) as session, contextlib.suppress(offers.Conflict):
                action(session)
            self._observe()

        def _observe(self) -> None:
            with app.app_context(), new_session(write=False) as session:
                for offer_id in self.offer_ids:
                    status = session.get(Offer, offer_id).status
                    history = self.seen[offer_id]
                    if history[-1] != status:
                        assert history[-1] not in TERMINAL, (offer_id, history, status)
                        assert history[-1] != OfferStatus.ACCEPTED, (offer_id, history, status)
                        history.append(status)

        @rule(i=st.integers(0, 2))
        def accept(self, i: int) -> None:
            self._do(lambda s: offers.accept_offer(s, offer_id=self.offer_ids[i], now=now(), actor="v"))

        @rule(i=st.integers(0, 2))
        def re_click(self, i: int) -> None:
            self.accept(i)
            self.accept(i)

        @rule(i=st.integers(0, 2))
        def decline(self, i: int) -> None:
            self._do(
                lambda s: offers.decline_offer(s, offer_id=self.offer_ids[i], reason="", now=now(), actor="v")
            )

        @rule()
        def cancel(self) -> None:
            def act(session):
                request = session.get(InterpretingRequest, self.request.id)
                assignments.cancel_confirmed(session, request=request, now=now(), actor="institution")

            self._do(act)

        @rule(i=st.integers(0, 2))
        def expire(self, i: int) -> None:
            def act(session):
                offer = session.get(Offer, self.offer_ids[i])
                offers.expire(session, offer, now=offer.expires_at + timedelta(minutes=1))
                session.commit()

            self._do(act)

        @invariant()
        def at_most_one_accepted(self) -> None:
            with app.app_context(), new_session(write=False) as session:
                accepted = session.exec(
                    select(func.count())
                    .select_from(Offer)
                    .where(Offer.request_id == self.request.id, Offer.status == OfferStatus.ACCEPTED)
                ).one()
                assert accepted <= 1

        @invariant()
        def one_audit_row_per_transition(self) -> None:
            with app.app_context(), new_session(write=False) as session:
                for offer_id in self.offer_ids:
                    rows = session.exec(
                        select(func.count())
                        .select_from(AuditEvent)
                        .where(AuditEvent.entity == "offer", AuditEvent.entity_id == str(offer_id))
                    ).one()
                    assert rows == len(self.seen[offer_id]), (offer_id, self.seen[offer_id], rows)

    run_state_machine_as_test(
        Offers, settings=settings(max_examples=25, stateful_step_count=8, deadline=None)
    )
