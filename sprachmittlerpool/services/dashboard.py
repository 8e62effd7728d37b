"""What the coordinators' dashboard shows: counts by state, waiting requests, failed mails."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from notifications.outbox import failed_count
from sprachmittlerpool.models import (
    Institution,
    InterpretingRequest,
    Language,
    Municipality,
    RequestStatus,
    Volunteer,
)

WAITING = (RequestStatus.OPEN, RequestStatus.REVIEW)


@dataclass(frozen=True)
class Overview:
    """The pool at a glance."""

    counts: dict[str, int]
    volunteers: int
    failed_mails: int
    upcoming: list[tuple[InterpretingRequest, str, str, str]]


def overview(session: Session) -> Overview:
    """Collect the dashboard's figures in one read."""
    return Overview(
        counts=_status_counts(session),
        volunteers=session.exec(
            select(func.count()).select_from(Volunteer).where(col(Volunteer.active))
        ).one(),
        failed_mails=failed_count(session),
        upcoming=_waiting_requests(session),
    )


def _status_counts(session: Session) -> dict[str, int]:
    rows = session.exec(
        select(InterpretingRequest.status, func.count()).group_by(col(InterpretingRequest.status))
    )
    return dict(rows.all())


def _waiting_requests(session: Session) -> list[tuple[InterpretingRequest, str, str, str]]:
    """Return open and review requests by date with the names a person reads."""
    rows = session.exec(
        select(InterpretingRequest, Language.name_de, Municipality.name, Institution.name)
        .join(Language, col(Language.code) == InterpretingRequest.language_code)
        .join(Municipality, col(Municipality.id) == InterpretingRequest.municipality_id)
        .join(Institution, col(Institution.id) == InterpretingRequest.institution_id)
        .where(col(InterpretingRequest.status).in_(WAITING))
        .order_by(col(InterpretingRequest.start))
        .limit(100)
    )
    return list(rows.all())
