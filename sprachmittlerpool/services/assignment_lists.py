"""A pool's assignments for the coordinator: by date range (API) and those whose longer duration waits for approval.

Only reads; the changes go through ``services.completion``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from sprachmittlerpool.models import (
    Assignment,
    AssignmentStatus,
    Institution,
    InterpretingRequest,
    Outcome,
    Volunteer,
)
from sprachmittlerpool.services.completion import booked_minutes, corrected_allowance

MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 7  # without dates: the week from today, what a coordinator's script asks most


class InvalidRange(ValueError):
    """The asked date range is broken or too long; the message is German."""


def parse_range(first: str | None, last: str | None, *, today: date) -> tuple[date, date]:
    """Read a from/to pair of YYYY-MM-DD dates (both included, at most a year apart); a missing one is defaulted.

    No `from` means today; no `to` means a week from `from`.
    """
    try:
        start = date.fromisoformat(first) if first else today
        end = date.fromisoformat(last) if last else start + timedelta(days=DEFAULT_RANGE_DAYS - 1)
    except ValueError:
        raise InvalidRange("Bitte „from“ und „to“ als Datum JJJJ-MM-TT angeben.") from None
    if end < start:
        raise InvalidRange("Das Ende („to“) liegt vor dem Anfang („from“).")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise InvalidRange(f"Bitte höchstens {MAX_RANGE_DAYS} Tage auf einmal abfragen.")
    return start, end


def between(session: Session, *, pool_id: int, first: date, last: date) -> list[tuple[Assignment, str]]:
    """Return the pool's assignments (any state) starting from `first` to `last` inclusive, with the volunteer's name."""
    rows = session.exec(
        select(Assignment, Volunteer.name)
        .join(Volunteer, col(Volunteer.id) == Assignment.volunteer_id)
        .where(
            Assignment.pool_id == pool_id,
            Assignment.start >= datetime.combine(first, datetime.min.time()),
            Assignment.start < datetime.combine(last + timedelta(days=1), datetime.min.time()),
        )
        .order_by(col(Assignment.start), col(Assignment.id))
    )
    return list(rows.all())


@dataclass(frozen=True)
class PendingDuration:
    """A reported duration longer than the booked slot, with what either decision would pay (cents)."""

    assignment: Assignment
    volunteer: str
    institution: str
    booked_minutes: int
    reported_minutes: int
    booked_cents: int
    reported_cents: int


def awaiting_approval(session: Session, *, pool_id: int) -> list[PendingDuration]:
    """Return the pool's assignments whose longer reported duration waits for a coordinator, oldest first."""
    rows = session.exec(
        select(Assignment, Volunteer.name, Institution.name)
        .join(Volunteer, col(Volunteer.id) == Assignment.volunteer_id)
        .join(
            InterpretingRequest,
            (InterpretingRequest.pool_id == Assignment.pool_id)
            & (col(InterpretingRequest.id) == Assignment.request_id),
        )
        .join(Institution, col(Institution.id) == InterpretingRequest.institution_id)
        .where(
            Assignment.pool_id == pool_id,
            Assignment.status == AssignmentStatus.CONFIRMED,
            Assignment.outcome == Outcome.TOOK_PLACE,
        )
        .order_by(col(Assignment.start), col(Assignment.id))
    )
    return [
        pending(session, assignment, volunteer, institution) for assignment, volunteer, institution in rows
    ]


def pending(session: Session, assignment: Assignment, volunteer: str, institution: str) -> PendingDuration:
    """Describe one waiting duration with both possible allowances."""
    slot = booked_minutes(assignment)
    reported = assignment.duration_minutes or slot
    return PendingDuration(
        assignment=assignment,
        volunteer=volunteer,
        institution=institution,
        booked_minutes=slot,
        reported_minutes=reported,
        booked_cents=corrected_allowance(session, assignment, duration_minutes=slot),
        reported_cents=corrected_allowance(session, assignment, duration_minutes=reported),
    )
