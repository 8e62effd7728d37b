"""Build completed assignments directly in the database for payout tests."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlmodel import Session

from sprachmittlerpool.ibans import parse_key
from sprachmittlerpool.identity import AccountInput
from sprachmittlerpool.models import (
    Assignment,
    Institution,
    InterpretingRequest,
    Offer,
    Pool,
    Volunteer,
)
from sprachmittlerpool.security import new_token, token_hash
from sprachmittlerpool.services.identity import set_account
from tests.factories import FIRST_POOL

POOL_IBAN = "DE21312512201234567890"  # Kreissparkasse Heinsberg's bank code, an invented account


def paying_account(session: Session, iban_key: str) -> None:
    """Give the first pool the paying account an admin would enter (SEPA files need it)."""
    pool = session.get(Pool, FIRST_POOL)
    assert pool is not None
    account = AccountInput(holder="Kreis Heinsberg", iban=POOL_IBAN, bic="WELADED1ERK")
    set_account(pool, account, key=parse_key(iban_key))
    session.add(pool)


def institution(session: Session, name: str = "Städtische Kita Regenbogen") -> Institution:
    """Add an institution."""
    row = Institution(
        pool_id=FIRST_POOL, name=name, type="kita", email=f"{secrets.token_hex(4)}@kita.example"
    )
    session.add(row)
    session.flush()
    return row


def volunteer(session: Session, name: str = "Olena Kowalenko", **fields: object) -> Volunteer:
    """Add a volunteer."""
    row = Volunteer(
        pool_id=FIRST_POOL,
        name=name,
        email=f"{secrets.token_hex(5)}@example.org",
        home_id="heinsberg",
        **fields,
    )
    session.add(row)
    session.flush()
    return row


def completed(
    session: Session,
    volunteer_id: int,
    institution_id: int,
    start: datetime,
    allowance_cents: int,
    *,
    minutes: int = 90,
    language: str = "uk",
    outcome: str = "took_place",
) -> Assignment:
    """Add a request, an accepted offer and a completed assignment with the given allowance."""
    end = start + timedelta(minutes=minutes)
    request = InterpretingRequest(
        pool_id=FIRST_POOL,
        institution_id=institution_id,
        contact_name="Frau Schneider",
        contact_email="leitung@kita.example",
        language_code=language,
        appointment_type="elterngespraech",
        start=start,
        end=end,
        municipality_id="heinsberg",
        address="Apfelstraße 1",
        status="completed",
        status_token_hash=token_hash(new_token()),
        created_at=start - timedelta(days=10),
    )
    session.add(request)
    session.flush()
    offer = Offer(
        pool_id=FIRST_POOL,
        request_id=request.id,
        volunteer_id=volunteer_id,
        status="accepted",
        token_hash=token_hash(new_token()),
        expires_at=start,
    )
    session.add(offer)
    session.flush()
    assignment = Assignment(
        pool_id=FIRST_POOL,
        request_id=request.id,
        offer_id=offer.id,
        volunteer_id=volunteer_id,
        start=start,
        end=end,
        status="completed",
        outcome=outcome,
        duration_minutes=minutes,
        allowance_cents=allowance_cents,
        completed_at=end,
        completed_by="test",
    )
    session.add(assignment)
    session.flush()
    return assignment
