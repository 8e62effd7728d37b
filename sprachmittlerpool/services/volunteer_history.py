"""A volunteer's record as the coordinator reads it: assignments ahead and behind, declined offers, the year's allowance.

Assignments and declines are the pool's own (a shared volunteer's work for another pool is that pool's
business); the allowance against the Ehrenamtspauschale counts every pool, as the payout lists do,
because the tax-free limit is the person's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_
from sqlmodel import Session, col, select

from sprachmittlerpool.exports.formatting import OUTCOMES_DE
from sprachmittlerpool.models import (
    Assignment,
    AssignmentStatus,
    Institution,
    InterpretingRequest,
    Language,
    Offer,
    OfferStatus,
    request_language_join,
)
from sprachmittlerpool.services.payouts import volunteer_year_total
from sprachmittlerpool.tariff import from_cents
from sprachmittlerpool.tax_limits import limit_for_year, limit_warning

PAST_SHOWN = 50  # the most recent past assignments on the page; the payout lists hold the rest
DECLINES_SHOWN = 50  # the most recent declines; a volunteer of years had hundreds, and the page took 300 ms

ASSIGNMENT_STATUS_DE = {
    AssignmentStatus.CONFIRMED: "bestätigt",
    AssignmentStatus.COMPLETED: "durchgeführt",
    AssignmentStatus.CANCELLED: "storniert",
}


@dataclass(frozen=True)
class AssignmentRow:
    """One assignment with the names a person reads."""

    request_id: int
    start: datetime
    end: datetime
    institution: str
    language: str
    status: str  # German
    allowance: Decimal | None  # None until the assignment is completed


@dataclass(frozen=True)
class DeclineRow:
    """An offer the volunteer said no to, with their reason."""

    request_id: int
    answered_at: datetime | None
    start: datetime
    institution: str
    language: str
    reason: str


@dataclass(frozen=True)
class YearAllowance:
    """The allowances booked for a year against that year's Ehrenamtspauschale."""

    year: int
    total: Decimal
    limit: Decimal

    @property
    def remaining(self) -> Decimal:
        """Return what may still be paid tax-free (never below zero)."""
        return max(self.limit - self.total, Decimal("0.00"))

    @property
    def over(self) -> Decimal:
        """Return how far the total is above the limit (zero when it is not)."""
        return max(self.total - self.limit, Decimal("0.00"))

    @property
    def warning(self) -> str | None:
        """Say whether 80 % ("80") or all ("100") of the limit is reached."""
        return limit_warning(self.total, self.year)


@dataclass(frozen=True)
class History:
    """What the detail page shows above the volunteer's data."""

    upcoming: list[AssignmentRow]
    past: list[AssignmentRow]
    declines: list[DeclineRow]
    allowance: YearAllowance


def _status_de(assignment: Assignment, request_status: str) -> str:
    """Name an assignment's state; a completed one by its outcome, a paid one as settled."""
    if assignment.status == AssignmentStatus.COMPLETED:
        if request_status == "settled":
            return "abgerechnet"
        if assignment.outcome and assignment.outcome != "took_place":
            return OUTCOMES_DE.get(assignment.outcome, ASSIGNMENT_STATUS_DE[AssignmentStatus.COMPLETED])
    return ASSIGNMENT_STATUS_DE.get(AssignmentStatus(assignment.status), assignment.status)


def _assignments(session: Session, *, pool_id: int, volunteer_id: int) -> list[AssignmentRow]:
    rows = session.exec(
        select(Assignment, InterpretingRequest.status, Institution.name, Language.name_de)
        .join(
            InterpretingRequest,
            and_(
                InterpretingRequest.pool_id == Assignment.pool_id,
                col(InterpretingRequest.id) == Assignment.request_id,
            ),
        )
        .join(Institution, col(Institution.id) == InterpretingRequest.institution_id)
        .join(Language, request_language_join())
        .where(Assignment.pool_id == pool_id, Assignment.volunteer_id == volunteer_id)
        .order_by(col(Assignment.start), col(Assignment.id))
    )
    return [
        AssignmentRow(
            request_id=assignment.request_id,
            start=assignment.start,
            end=assignment.end,
            institution=institution,
            language=language,
            status=_status_de(assignment, request_status),
            allowance=from_cents(assignment.allowance_cents)
            if assignment.allowance_cents is not None
            else None,
        )
        for assignment, request_status, institution, language in rows.all()
    ]


def _declines(session: Session, *, pool_id: int, volunteer_id: int) -> list[DeclineRow]:
    rows = session.exec(
        select(Offer, InterpretingRequest.start, Institution.name, Language.name_de)
        .join(
            InterpretingRequest,
            and_(
                InterpretingRequest.pool_id == Offer.pool_id, col(InterpretingRequest.id) == Offer.request_id
            ),
        )
        .join(Institution, col(Institution.id) == InterpretingRequest.institution_id)
        .join(Language, request_language_join())
        .where(
            Offer.pool_id == pool_id,
            Offer.volunteer_id == volunteer_id,
            Offer.status == OfferStatus.DECLINED,
        )
        .order_by(col(Offer.answered_at).desc(), col(Offer.id).desc())
        .limit(DECLINES_SHOWN)
    )
    return [
        DeclineRow(offer.request_id, offer.answered_at, start, institution, language, offer.decline_reason)
        for offer, start, institution, language in rows.all()
    ]


def history_of(session: Session, *, pool_id: int, volunteer_id: int, now: datetime) -> History:
    """Collect a volunteer's assignments (ahead: soonest first; behind: latest first), declines and the year's allowance."""
    assignments = _assignments(session, pool_id=pool_id, volunteer_id=volunteer_id)
    return History(
        upcoming=[row for row in assignments if row.end > now],
        past=[row for row in reversed(assignments) if row.end <= now][:PAST_SHOWN],
        declines=_declines(session, pool_id=pool_id, volunteer_id=volunteer_id),
        allowance=YearAllowance(
            year=now.year,
            total=volunteer_year_total(session, volunteer_id, now.year),
            limit=limit_for_year(now.year),
        ),
    )
