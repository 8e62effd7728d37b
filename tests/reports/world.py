"""A pool's 2024–2025 as the report tests read it, with each figure's expected value worked out by hand.

Pool 1 (Kreis Heinsberg):
    assignments (completed)   Jan 8 2025 uk Kita Heinsberg Elterngespräch 120 min, 40,00 € booked Jan 2025
                              (its request came in on Dec 20 2024)
                              Feb 3 2025 uk Kita Heinsberg Elterngespräch 90 min, 25,00 € booked Feb 2025
                              Mar 3 2025 ar Schule Erkelenz Anmeldung 60 min, 35,00 € booked Mar 2025
                              Dec 15 2024 tr Kita Heinsberg Elterngespräch 45 min, 15,00 € booked late, Jan 2025
    requests not served       Apr 1 2025 uk Kita Polizei rejected by legal.police (legal.court only reviewed)
                              Apr 2 2025 ar Schule Anmeldung rejected by a rule no longer in the rule set
                              May 1 2025 ar Schule Anmeldung unfilled (no_candidate)
                              Jun 10 2025 uk Kita Elterngespräch cancelled
                              Dec 28 2025 uk Kita Elterngespräch open, for January 2026
                              Jan 5 2026 uk Kita Polizei rejected (outside 2025)
    grant 2025                1.000,00 €
Pool 2 (another district) has an assignment, a booking and a rejection in 2025 that must never show.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from sprachmittlerpool import reference_data
from sprachmittlerpool.models import (
    Assignment,
    Institution,
    InterpretingRequest,
    Offer,
    PayoutEntry,
    PayoutMonth,
    Pool,
    PoolGrant,
    Volunteer,
)
from sprachmittlerpool.security import new_token, token_hash
from tests.factories import FIRST_POOL

OTHER_POOL = 2


def institution(session: Session, kind: str, *, pool_id: int = FIRST_POOL) -> Institution:
    """Add an institution of a type."""
    row = Institution(
        pool_id=pool_id, name=f"Einrichtung {kind}", type=kind, email=f"{secrets.token_hex(4)}@x.example"
    )
    session.add(row)
    session.flush()
    return row


def request(
    session: Session,
    where: Institution,
    *,
    created: datetime,
    start: datetime,
    language: str,
    municipality: str,
    appointment: str,
    status: str,
    reasons: list[dict[str, Any]] | None = None,
    unfilled_reason: str | None = None,
    minutes: int = 60,
) -> InterpretingRequest:
    """Add a request received at ``created``."""
    row = InterpretingRequest(
        pool_id=where.pool_id,
        institution_id=where.id,
        contact_name="Frau Schneider",
        contact_email="leitung@x.example",
        language_code=language,
        appointment_type=appointment,
        start=start,
        end=start + timedelta(minutes=minutes),
        municipality_id=municipality,
        address="Apfelstraße 1",
        status=status,
        reasons=reasons or [],
        unfilled_reason=unfilled_reason,
        status_token_hash=token_hash(new_token()),
        created_at=created,
    )
    session.add(row)
    session.flush()
    return row


def completed(session: Session, asked: InterpretingRequest, volunteer: Volunteer, cents: int) -> Assignment:
    """Add an accepted offer and a completed assignment for a request, lasting as the request does."""
    offer = Offer(
        pool_id=asked.pool_id,
        request_id=asked.id,
        volunteer_id=volunteer.id,
        status="accepted",
        token_hash=token_hash(new_token()),
        expires_at=asked.start,
    )
    session.add(offer)
    session.flush()
    row = Assignment(
        pool_id=asked.pool_id,
        request_id=asked.id,
        offer_id=offer.id,
        volunteer_id=volunteer.id,
        start=asked.start,
        end=asked.end,
        status="completed",
        outcome="took_place",
        duration_minutes=int((asked.end - asked.start).total_seconds() // 60),
        allowance_cents=cents,
        completed_at=asked.end,
        completed_by="test",
    )
    session.add(row)
    session.flush()
    return row


def book(session: Session, assignment: Assignment, month: str) -> None:
    """Book an assignment's allowance into a payout month (made open if it does not exist)."""
    target = session.exec(
        select(PayoutMonth).where(PayoutMonth.pool_id == assignment.pool_id, PayoutMonth.month == month)
    ).first()
    if target is None:
        target = PayoutMonth(pool_id=assignment.pool_id, month=month)
        session.add(target)
        session.flush()
    session.add(
        PayoutEntry(
            pool_id=assignment.pool_id,
            payout_month_id=target.id,
            volunteer_id=assignment.volunteer_id,
            assignment_id=assignment.id,
            amount_cents=assignment.allowance_cents or 0,
        )
    )
    session.flush()


def served(
    session: Session,
    where: Institution,
    volunteer: Volunteer,
    *,
    created: datetime,
    start: datetime,
    minutes: int,
    language: str,
    municipality: str,
    appointment: str,
    cents: int,
    booked: str,
) -> Assignment:
    """Add a request that was served: completed and booked into ``booked``."""
    asked = request(
        session,
        where,
        created=created,
        start=start,
        language=language,
        municipality=municipality,
        appointment=appointment,
        status="completed",
        minutes=minutes,
    )
    assignment = completed(session, asked, volunteer, cents)
    book(session, assignment, booked)
    return assignment


def seed(session: Session) -> None:
    """Write both pools' rows as the module docstring lists them, and commit."""
    kita, school = institution(session, "kita"), institution(session, "schule")
    volunteer = Volunteer(
        pool_id=FIRST_POOL, name="Olena Kowalenko", email="olena@example.org", home_id="heinsberg"
    )
    session.add(volunteer)
    session.flush()
    heinsberg = {"municipality": "heinsberg", "language": "uk", "appointment": "elterngespraech"}
    erkelenz = {"municipality": "erkelenz", "language": "ar", "appointment": "anmeldung"}
    served(
        session,
        kita,
        volunteer,
        created=datetime(2024, 12, 20, 10),
        start=datetime(2025, 1, 8, 9),
        minutes=120,
        cents=4000,
        booked="2025-01",
        **heinsberg,
    )
    served(
        session,
        kita,
        volunteer,
        created=datetime(2025, 1, 24, 10),
        start=datetime(2025, 2, 3, 9),
        minutes=90,
        cents=2500,
        booked="2025-02",
        **heinsberg,
    )
    served(
        session,
        school,
        volunteer,
        created=datetime(2025, 2, 20, 10),
        start=datetime(2025, 3, 3, 9),
        minutes=60,
        cents=3500,
        booked="2025-03",
        **erkelenz,
    )
    served(
        session,
        kita,
        volunteer,
        created=datetime(2024, 12, 5, 10),
        start=datetime(2024, 12, 15, 9),
        minutes=45,
        cents=1500,
        booked="2025-01",
        **{**heinsberg, "language": "tr"},
    )
    police = [{"rule": "legal.police", "effect": "reject"}, {"rule": "legal.court", "effect": "review"}]
    request(
        session,
        kita,
        created=datetime(2025, 4, 1, 8),
        start=datetime(2025, 4, 20, 9),
        status="rejected",
        reasons=police,
        **{**heinsberg, "appointment": "polizei"},
    )
    request(
        session,
        school,
        created=datetime(2025, 4, 2, 8),
        start=datetime(2025, 4, 22, 9),
        status="rejected",
        reasons=[{"rule": "x.gone", "effect": "reject"}],
        **erkelenz,
    )
    request(
        session,
        school,
        created=datetime(2025, 5, 1, 8),
        start=datetime(2025, 5, 20, 9),
        status="unfilled",
        unfilled_reason="no_candidate",
        **erkelenz,
    )
    request(
        session,
        kita,
        created=datetime(2025, 6, 10, 8),
        start=datetime(2025, 6, 30, 9),
        status="cancelled",
        **heinsberg,
    )
    request(
        session,
        kita,
        created=datetime(2025, 12, 28, 8),
        start=datetime(2026, 1, 12, 9),
        status="open",
        **heinsberg,
    )
    request(
        session,
        kita,
        created=datetime(2026, 1, 5, 8),
        start=datetime(2026, 1, 25, 9),
        status="rejected",
        reasons=police,
        **{**heinsberg, "appointment": "polizei"},
    )
    session.add(PoolGrant(pool_id=FIRST_POOL, year=2025, amount_cents=100_000))
    _other_pool(session)
    session.commit()


def _other_pool(session: Session) -> None:
    """Give a second pool figures of its own in the same months, in a language pool 1 never uses."""
    session.add(Pool(id=OTHER_POOL, slug="kleve", name="Sprachmittlerpool Kreis Kleve"))
    session.flush()
    reference_data.load(session, pool_id=OTHER_POOL)
    kita = institution(session, "kita", pool_id=OTHER_POOL)
    volunteer = Volunteer(
        pool_id=OTHER_POOL, name="Ana Popescu", email="ana@example.org", home_id="heinsberg"
    )
    session.add(volunteer)
    session.flush()
    elsewhere = {"municipality": "wegberg", "language": "ro", "appointment": "beratung"}
    served(
        session,
        kita,
        volunteer,
        created=datetime(2025, 1, 30, 10),
        start=datetime(2025, 2, 10, 9),
        minutes=240,
        cents=9900,
        booked="2025-02",
        **elsewhere,
    )
    request(
        session,
        kita,
        created=datetime(2025, 4, 3, 8),
        start=datetime(2025, 4, 20, 9),
        status="rejected",
        reasons=[{"rule": "legal.court", "effect": "reject"}],
        **elsewhere,
    )
