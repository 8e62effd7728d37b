"""What the coordinators' dashboard shows: counts by state, waiting requests, failed mails, debriefing wishes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from notifications.outbox import failed_count
from sprachmittlerpool.models import (
    Assignment,
    AssignmentStatus,
    Feedback,
    Institution,
    InterpretingRequest,
    Language,
    Municipality,
    Offer,
    OfferStatus,
    Outcome,
    RequestStatus,
    Volunteer,
    local_now,
    request_language_join,
    request_municipality_join,
)
from sprachmittlerpool.services.clearance_expiry import expiring
from sprachmittlerpool.services.feedback import open_debriefings

WAITING = (RequestStatus.OPEN, RequestStatus.REVIEW)


@dataclass(frozen=True)
class Overview:
    """The pool at a glance."""

    counts: dict[str, int]
    pending_offers: int  # offers, not requests: the figure must match the "Angebote offen" list it links to
    volunteers: int
    failed_mails: int
    durations_to_approve: (
        int  # reported longer than booked, waiting for a coordinator (completion.awaits_approval)
    )
    upcoming: list[tuple[InterpretingRequest, str, str, str]]
    clearances_expiring: int  # police clearances of active volunteers ending soon or ended
    debriefings: list[tuple[Feedback, Assignment, Volunteer | None]]  # asked for, not yet marked handled


def overview(session: Session, *, pool_id: int) -> Overview:
    """Collect the dashboard's figures in one read."""
    return Overview(
        counts=_status_counts(session, pool_id),
        pending_offers=session.exec(
            select(func.count())
            .select_from(Offer)
            .where(Offer.pool_id == pool_id, Offer.status == OfferStatus.PENDING)
        ).one(),
        volunteers=session.exec(
            select(func.count())
            .select_from(Volunteer)
            .where(Volunteer.pool_id == pool_id, col(Volunteer.active))
        ).one(),
        failed_mails=failed_count(session, pool_id=pool_id),
        durations_to_approve=session.exec(
            select(func.count())
            .select_from(Assignment)
            .where(
                Assignment.pool_id == pool_id,
                Assignment.status == AssignmentStatus.CONFIRMED,
                Assignment.outcome == Outcome.TOOK_PLACE,
            )
        ).one(),
        upcoming=_waiting_requests(session, pool_id),
        clearances_expiring=len(expiring(session, pool_id=pool_id, today=local_now().date())),
        debriefings=open_debriefings(session, pool_id=pool_id),
    )


def _status_counts(session: Session, pool_id: int) -> dict[str, int]:
    rows = session.exec(
        select(InterpretingRequest.status, func.count())
        .where(InterpretingRequest.pool_id == pool_id)
        .group_by(col(InterpretingRequest.status))
    )
    return dict(rows.all())


def _waiting_requests(session: Session, pool_id: int) -> list[tuple[InterpretingRequest, str, str, str]]:
    """Return open and review requests by date with the names a person reads."""
    rows = session.exec(
        select(InterpretingRequest, Language.name_de, Municipality.name, Institution.name)
        .join(Language, request_language_join())
        .join(Municipality, request_municipality_join())
        .join(Institution, col(Institution.id) == InterpretingRequest.institution_id)
        .where(InterpretingRequest.pool_id == pool_id, col(InterpretingRequest.status).in_(WAITING))
        .order_by(col(InterpretingRequest.start))
        .limit(100)
    )
    return list(rows.all())
