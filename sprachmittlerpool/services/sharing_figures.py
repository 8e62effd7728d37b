"""What a pool got from and gave to other pools in a period, for the committee's report (see services/sharing.py).

Counted like the report's assignments: completed ones, by the day of the appointment; the allowance is
the assignment's, booked in the requesting pool's payout list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, func, select

from sprachmittlerpool.models import Assignment, AssignmentStatus, Pool
from sprachmittlerpool.tariff import from_cents


@dataclass(frozen=True)
class ExchangeLine:
    """Completed assignments exchanged with one other pool in a period."""

    pool_name: str
    assignments: int
    minutes: int
    amount: Decimal

    @property
    def hours(self) -> Decimal:
        """Return the hours, to one decimal."""
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.1"))


def exchanges(
    session: Session, lo: datetime, hi: datetime, *, pool_id: int
) -> tuple[tuple[ExchangeLine, ...], tuple[ExchangeLine, ...]]:
    """Return (received from other pools, given to other pools): completed assignments starting in [lo, hi)."""
    in_period = (
        Assignment.status == AssignmentStatus.COMPLETED,
        col(Assignment.start) >= lo,
        col(Assignment.start) < hi,
        Assignment.volunteer_pool_id != Assignment.pool_id,
    )
    received = _exchange_rows(session, Assignment.volunteer_pool_id, in_period, Assignment.pool_id == pool_id)
    given = _exchange_rows(session, Assignment.pool_id, in_period, Assignment.volunteer_pool_id == pool_id)
    return received, given


def _exchange_rows(
    session: Session, other_pool: Any, in_period: tuple[Any, ...], side: Any
) -> tuple[ExchangeLine, ...]:
    """Group the period's exchanged assignments of one side by the other pool's name."""
    rows = session.exec(
        select(
            Pool.name,
            func.count(),
            func.coalesce(func.sum(Assignment.duration_minutes), 0),
            func.coalesce(func.sum(Assignment.allowance_cents), 0),
        )
        .select_from(Assignment)
        .join(Pool, col(Pool.id) == other_pool)
        .where(*in_period, side)
        .group_by(Pool.name)
        .order_by(Pool.name)
    ).all()
    return tuple(
        ExchangeLine(name, int(n), int(minutes), from_cents(int(cents))) for name, n, minutes, cents in rows
    )
