"""Builders and checks shared by the coordination tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, func, select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import Assignment, AuditEvent, InterpretingRequest, Offer, OutboxMail, local_now
from sprachmittlerpool.services import offers

CANARY = "KANARIENVOGEL-7f3a"


def now() -> datetime:
    """Return the wall-clock now the tests act at."""
    return local_now()


def open_request(factories, **overrides) -> InterpretingRequest:
    """Create an open request whose sensitive fields all carry the canary."""
    values = {
        "topic": f"Diagnose {CANARY}",
        "contact_name": f"Frau {CANARY}",
        "decision_note": f"Notiz {CANARY}",
    }
    values.update(overrides)
    return factories.RequestFactory(**values)


def fresh_read(session: Session, read):
    """Read in a transaction of its own and end it, so the test holds no lock or stale snapshot."""
    session.rollback()
    try:
        return read()
    finally:
        session.commit()


def mails(session: Session) -> list[OutboxMail]:
    """Return every queued mail, oldest first."""
    return fresh_read(session, lambda: list(session.exec(select(OutboxMail).order_by(OutboxMail.id)).all()))


def mail_count(session: Session) -> int:
    """Count queued mails."""
    return fresh_read(session, lambda: session.exec(select(func.count()).select_from(OutboxMail)).one())


def trail_counts(session: Session) -> tuple[int, int]:
    """Return how many mails are queued and how many audit rows exist: a refused action moves neither."""
    return fresh_read(
        session,
        lambda: (
            session.exec(select(func.count()).select_from(OutboxMail)).one(),
            session.exec(select(func.count()).select_from(AuditEvent)).one(),
        ),
    )


def reload(session: Session, row):
    """Return the row as the database has it now."""
    return fresh_read(session, lambda: session.get(type(row), row.id, populate_existing=True))


def offers_of(session: Session, request_id: int) -> list[Offer]:
    """Return a request's offers, fresh."""
    return fresh_read(
        session,
        lambda: list(
            session.exec(select(Offer).where(Offer.request_id == request_id).order_by(Offer.id)).all()
        ),
    )


def audit_rows(session: Session, entity: str, entity_id: int) -> list[AuditEvent]:
    """Return the audit rows of one entity."""
    statement = (
        select(AuditEvent)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id))
        .order_by(AuditEvent.id)
    )
    return fresh_read(session, lambda: list(session.exec(statement).all()))


def hours(n: float) -> timedelta:
    """Return n hours."""
    return timedelta(hours=n)


def confirmed(
    app, factories, *, at: datetime | None = None, **request_values
) -> tuple[InterpretingRequest, Offer, str, Assignment]:
    """Offer an open request to a new volunteer who accepts; return request, offer, link token, assignment.

    `at` is when offer and acceptance happen (default now): an earlier moment books an appointment that
    is already inside the cut-off now, which no offer made now could reach.
    """
    at = at or now()
    request = open_request(factories, **request_values)
    volunteer = factories.VolunteerFactory()
    with app.app_context(), new_session(write=True) as session:
        offer, token = offers.make_offer(
            session, request_id=request.id, volunteer_id=volunteer.id, now=at, actor="t"
        )
        offer_id = offer.id
        assignment_id = offers.accept_offer(session, offer_id=offer_id, now=at, actor="v").id
    with app.app_context(), new_session(write=True) as session:
        offer, assignment = session.get(Offer, offer_id), session.get(Assignment, assignment_id)
        session.commit()
    return request, offer, token, assignment
