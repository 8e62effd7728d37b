"""Settings tests: an admin who may change the pool's settings next to the coordinator who may not, and
helpers for booked assignments. Modules that act as the admin through `coordinator_client` say so by
overriding `coordinator_role`."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.ibans import encrypt_iban, mask_iban, parse_key
from sprachmittlerpool.models import Assignment, AuditEvent, InterpretingRequest, Offer, Role, User
from sprachmittlerpool.security import hash_password, new_token, token_hash
from sprachmittlerpool.services import completion, payouts
from tests.conftest import TEST_IBAN_KEY
from tests.factories import FIRST_POOL
from tests.payouts import helpers

ADMIN_EMAIL = "verwaltung@kreis-kleve.example"
ADMIN_PASSWORD = "ein-langes-admin-passwort"
VOLUNTEER_IBAN = "DE21312512201234567890"


@pytest.fixture
def admin(app: Flask) -> User:
    """Create an admin account of the first pool."""
    with app.app_context(), new_session(write=True) as session:
        user = User(
            pool_id=FIRST_POOL,
            email=ADMIN_EMAIL,
            name="Ada Administration",
            role=Role.ADMIN,
            password_hash=hash_password(ADMIN_PASSWORD),
        )
        session.add(user)
        session.commit()
        session.refresh(user)
        return user


@pytest.fixture
def admin_client(app: Flask, admin: User) -> FlaskClient:
    """Return a test client logged in as the admin."""
    client = app.test_client()
    response = client.post("/anmelden", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def march(app) -> None:
    """Book an allowance of a volunteer with an IBAN into March 2025."""
    with app.app_context(), new_session(write=True) as session:
        volunteer = helpers.volunteer(session, name="Anna Müller")
        volunteer.iban_encrypted = encrypt_iban(
            VOLUNTEER_IBAN, key=parse_key(TEST_IBAN_KEY), row_id=str(volunteer.id)
        )
        volunteer.iban_masked = mask_iban(VOLUNTEER_IBAN)
        institution = helpers.institution(session)
        assignment = helpers.completed(session, volunteer.id, institution.id, datetime(2025, 3, 3, 9), 2500)
        payouts.book_allowance(session, assignment, now=datetime(2025, 3, 20))
        session.commit()


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
