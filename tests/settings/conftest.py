"""Settings pages are for admins: the logged-in account of these tests is one; helpers for booked assignments."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlmodel import Session, col, select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import Assignment, AuditEvent, InterpretingRequest, Offer
from sprachmittlerpool.security import new_token, token_hash
from sprachmittlerpool.services import completion
from tests.factories import FIRST_POOL
from tests.payouts import helpers


@pytest.fixture
def coordinator_role() -> str:
    """Log in as an admin: the settings are theirs."""
    return "admin"


def confirmed_assignment(session: Session, start: datetime, *, minutes: int = 60) -> Assignment:
    """Add a request with an accepted offer and its confirmed assignment, not yet completed."""
    volunteer = helpers.volunteer(session)
    institution = helpers.institution(session)
    request = InterpretingRequest(
        pool_id=FIRST_POOL, institution_id=institution.id, contact_name="Frau Schneider",
        contact_email="leitung@kita.example", language_code="uk", appointment_type="elterngespraech",
        start=start, end=start + timedelta(minutes=minutes), municipality_id="heinsberg",
        address="Apfelstraße 1", status="confirmed", status_token_hash=token_hash(new_token()),
    )  # fmt: skip
    session.add(request)
    session.flush()
    offer = Offer(
        pool_id=FIRST_POOL, request_id=request.id, volunteer_id=volunteer.id, status="accepted",
        token_hash=token_hash(new_token()), expires_at=start,
    )  # fmt: skip
    session.add(offer)
    session.flush()
    assignment = Assignment(
        pool_id=FIRST_POOL, request_id=request.id, offer_id=offer.id, volunteer_id=volunteer.id,
        start=start, end=start + timedelta(minutes=minutes),
    )  # fmt: skip
    session.add(assignment)
    session.commit()
    return assignment


def book(app: Flask, start: datetime, minutes: int, *, outcome: str = "took_place") -> int:
    """Book an assignment's allowance through the real completion service; return the cents it earned."""
    with app.app_context(), new_session(write=True) as session:
        assignment = confirmed_assignment(session, start, minutes=minutes)
        took_place = outcome == "took_place"
        done = completion.record_completion(
            session,
            assignment=assignment,
            took_place=took_place,
            duration_minutes=minutes if took_place else None,
            cancelled=None if took_place else outcome,
            now=start + timedelta(hours=4),
            actor="test",
        )
        return int(done.allowance_cents or 0)


def audit_rows(db: Session, entity: str, action: str | None = None) -> list[AuditEvent]:
    """Return the audit rows of an entity (optionally one action), fresh from the database."""
    db.rollback()
    statement = select(AuditEvent).where(AuditEvent.entity == entity)
    if action:
        statement = statement.where(AuditEvent.action == action)
    return list(db.exec(statement.order_by(col(AuditEvent.id))).all())
