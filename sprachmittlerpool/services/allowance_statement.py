"""A volunteer's statement of allowances for a month or a year, for the Jobcenter and the tax office.

It lists the payout entries booked for the volunteer — what the treasury pays, corrections included —
with the assignment's day, the kind of institution (not its name: the office needs no third party's
name), the language and the duration, and when it was paid: the execution date of the month's latest
SEPA file, else the closing of the month, else that the month is still open. The year's total is set
against the Ehrenamtspauschale in force that year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, func, select

from matching.eligibility import INSTITUTION_TYPES
from sprachmittlerpool.exports.formatting import date_de, month_de
from sprachmittlerpool.models import (
    Assignment,
    Institution,
    InterpretingRequest,
    Language,
    PayoutEntry,
    PayoutMonth,
    Pool,
    SepaFile,
    Volunteer,
    request_language_join,
)
from sprachmittlerpool.services.payouts import FIRST_YEAR, LAST_YEAR
from sprachmittlerpool.tariff import from_cents
from sprachmittlerpool.tax_limits import limit_for_year

PERIOD_RE = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2]))?$")
NOT_CLOSED = "noch offen (Monat nicht abgeschlossen)"


@dataclass(frozen=True)
class StatementItem:
    """One payout entry as the statement prints it."""

    day: date
    institution_type: str
    language: str
    duration_minutes: int | None
    amount: Decimal
    paid: str
    note: str


@dataclass(frozen=True)
class Statement:
    """A month's or a year's allowances of one volunteer, with the year's total against the tax-free limit."""

    pool_name: str
    volunteer_name: str
    volunteer_id: int
    period: str  # "2026" or "2026-03"
    items: list[StatementItem]
    total: Decimal
    year_total: Decimal  # from January to the end of the period
    limit: Decimal
    provisional: bool  # an entry's month is still open
    made_on: date

    @property
    def year(self) -> int:
        """Return the calendar year the statement belongs to."""
        return int(self.period[:4])

    @property
    def label(self) -> str:
        """Name the period for people: 'Jahr 2026' or 'März 2026'."""
        return f"Jahr {self.period}" if len(self.period) == 4 else month_de(self.period)

    @property
    def remaining(self) -> Decimal:
        """Return what is left of the year's tax-free limit (negative when it is exceeded)."""
        return self.limit - self.year_total


def parse_period(text: str) -> str:
    """Return a year 'YYYY' or a month 'YYYY-MM' the payout lists can hold; raise ValueError otherwise."""
    match = PERIOD_RE.fullmatch(text or "")
    if not match or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        raise ValueError("Bitte wählen Sie ein Jahr oder einen Monat.")
    return text


def periods(session: Session, volunteer: Volunteer) -> list[str]:
    """Return the years and months with entries for the volunteer, newest first (each year before its months)."""
    months = session.exec(
        select(PayoutMonth.month)
        .join(PayoutEntry, col(PayoutEntry.payout_month_id) == PayoutMonth.id)
        .where(PayoutEntry.volunteer_id == volunteer.id, PayoutMonth.pool_id == volunteer.pool_id)
        .distinct()
    ).all()
    found: list[str] = []
    for month in sorted(months, reverse=True):
        if month[:4] not in found:
            found.append(month[:4])
        found.append(month)
    return found


def statement(session: Session, volunteer: Volunteer, period: str, *, today: date) -> Statement:
    """Build the statement of a year or a month from the payout entries booked so far."""
    first, last = (f"{period}-01", f"{period}-12") if len(period) == 4 else (period, period)
    rows = session.exec(
        select(PayoutEntry, PayoutMonth, Assignment, Institution.type, Language.name_de)
        .join(PayoutMonth, col(PayoutMonth.id) == PayoutEntry.payout_month_id)
        .join(Assignment, col(Assignment.id) == PayoutEntry.assignment_id)
        .join(InterpretingRequest, col(InterpretingRequest.id) == Assignment.request_id)
        .join(Institution, col(Institution.id) == InterpretingRequest.institution_id)
        .outerjoin(Language, request_language_join())
        .where(PayoutEntry.volunteer_id == volunteer.id, PayoutEntry.pool_id == volunteer.pool_id)
        .where(col(PayoutMonth.month) >= first, col(PayoutMonth.month) <= last)
        .order_by(col(PayoutMonth.month), col(Assignment.start), col(PayoutEntry.id))
    ).all()
    paid = _paid_on(session, {month.id: month for _, month, _, _, _ in rows})
    items = [
        StatementItem(
            day=assignment.start.date(),
            institution_type=INSTITUTION_TYPES.get(kind, kind),
            language=language or "",
            duration_minutes=assignment.duration_minutes,
            amount=from_cents(entry.amount_cents),
            paid=paid[month.id],
            note=_note(session, entry, month.month, assignment.start.date()),
        )
        for entry, month, assignment, kind, language in rows
    ]
    pool = session.get(Pool, volunteer.pool_id)
    year = int(period[:4])
    return Statement(
        pool_name=(pool.organisation or pool.name) if pool else "",
        volunteer_name=volunteer.name,
        volunteer_id=volunteer.id or 0,
        period=period,
        items=items,
        total=sum((item.amount for item in items), Decimal("0")),
        year_total=_year_total(session, volunteer, year=year, last=last),
        limit=limit_for_year(year),
        provisional=any(month.closed_at is None for _, month, _, _, _ in rows),
        made_on=today,
    )


def _note(session: Session, entry: PayoutEntry, month: str, day: date) -> str:
    """Explain an entry that is not simply the assignment's allowance in its own month, in words."""
    if entry.corrects_entry_id is not None:
        original = session.get(PayoutEntry, entry.corrects_entry_id)
        original_month = session.get(PayoutMonth, original.payout_month_id) if original else None
        return (
            f"Korrektur des Betrags aus {month_de(original_month.month)}" if original_month else "Korrektur"
        )
    if month != f"{day:%Y-%m}":
        return f"Nachtrag zu {month_de(f'{day:%Y-%m}')}"
    return ""


def _paid_on(session: Session, months: dict[int | None, PayoutMonth]) -> dict[int | None, str]:
    """Say for each month when it was paid: the latest SEPA file's execution date, the closing, or not yet."""
    executions = dict(
        session.exec(
            select(SepaFile.payout_month_id, func.max(SepaFile.execution_date))
            .where(col(SepaFile.payout_month_id).in_([key for key in months if key is not None]))
            .group_by(SepaFile.payout_month_id)
        ).all()
    )
    said: dict[int | None, str] = {}
    for month_id, month in months.items():
        if month.closed_at is None:
            said[month_id] = NOT_CLOSED
        elif executions.get(month_id) is not None:
            said[month_id] = f"Überweisung zum {date_de(executions[month_id])}"
        else:
            said[month_id] = f"abgerechnet am {date_de(month.closed_at.date())}"
    return said


def _year_total(session: Session, volunteer: Volunteer, *, year: int, last: str) -> Decimal:
    """Sum the volunteer's entries from January of `year` up to and including the month `last`."""
    total = session.exec(
        select(func.coalesce(func.sum(PayoutEntry.amount_cents), 0))
        .join(PayoutMonth, col(PayoutMonth.id) == PayoutEntry.payout_month_id)
        .where(PayoutEntry.volunteer_id == volunteer.id)
        .where(col(PayoutMonth.month) >= f"{year:04d}-01", col(PayoutMonth.month) <= last)
    ).one()
    return from_cents(int(total))
