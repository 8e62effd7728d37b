"""The committee's breakdowns: each figure by language, institution type, appointment type, municipality and month.

Every figure counts by one date of its rows and says which (COUNTED_BY): assignments and their hours by the
day the assignment began, allowances by the payout month they were booked into, requests (received,
rejected, unfilled, cancelled) by the day the request came in. A request received in December for a January
appointment is therefore a December request and a January assignment. Each breakdown runs one GROUP BY
query per kind of row, never a query per row, so a pool with years of history reports as fast as a new one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import and_, extract, func
from sqlmodel import Session, col, select

from matching.eligibility import APPOINTMENT_TYPES, INSTITUTION_TYPES
from sprachmittlerpool.exports.formatting import money_de, money_plain, month_de
from sprachmittlerpool.models import (
    Assignment,
    Institution,
    InterpretingRequest,
    Language,
    Municipality,
    PayoutEntry,
    PayoutMonth,
    request_language_join,
    request_municipality_join,
)
from sprachmittlerpool.services.payouts import month_of, next_month
from sprachmittlerpool.tariff import from_cents

# The German words of the report, in one place for the page, CSV, XLSX and PDF.
DIMENSIONS: Mapping[str, str] = {
    "language": "Sprache",
    "institution_type": "Art der Einrichtung",
    "appointment_type": "Art des Termins",
    "municipality": "Kommune",
    "month": "Monat",
}
MEASURES: Mapping[str, str] = {
    "requests": "Anfragen",
    "assignments": "Einsätze",
    "hours": "Stunden",
    "allowances": "Aufwandsentschädigungen",
    "rejected": "Abgelehnt",
    "unfilled": "Nicht besetzt",
    "cancelled": "Abgesagt",
}
COUNTED_BY: Mapping[str, str] = {
    "requests": "alle eingegangenen Anfragen, nach dem Tag des Eingangs",
    "assignments": "abgeschlossene Einsätze, nach dem Tag des Einsatzes",
    "hours": "tatsächliche Dauer der abgeschlossenen Einsätze, nach dem Tag des Einsatzes",
    "allowances": "gebuchte Beträge samt Korrekturen, nach dem Monat der Auszahlungsliste",
    "rejected": "nach einer Regel abgelehnte Anfragen, nach dem Tag des Eingangs",
    "unfilled": "Anfragen, für die sich niemand fand, nach dem Tag des Eingangs",
    "cancelled": "von der Einrichtung abgesagte Anfragen, nach dem Tag des Eingangs",
}
UNKNOWN_RULE = "andere Regel"
UNKNOWN_TYPE = "andere Art"
TOTAL = "Summe"


@dataclass
class BreakdownRow:
    """One value of a dimension (a language, a month …) with every figure counted for it."""

    label: str
    requests: int = 0
    assignments: int = 0
    minutes: int = 0
    allowance_cents: int = 0
    rejected: int = 0
    unfilled: int = 0
    cancelled: int = 0

    @property
    def hours(self) -> Decimal:
        """Return the hours worked, to one decimal place."""
        return hours_of(self.minutes)

    @property
    def allowances(self) -> Decimal:
        """Return the allowances in euros."""
        return from_cents(self.allowance_cents)

    def value(self, measure: str) -> int | Decimal:
        """Return the figure a measure of MEASURES names (hours and euros as Decimal)."""
        return getattr(self, measure)

    def add(self, other: BreakdownRow) -> None:
        """Add another row's figures to this one."""
        for figure in fields(self)[1:]:  # every field after the label is a figure
            setattr(self, figure.name, getattr(self, figure.name) + getattr(other, figure.name))


@dataclass(frozen=True)
class Breakdown:
    """The figures of one dimension: a row per value and their total."""

    dimension: str
    rows: tuple[BreakdownRow, ...]
    total: BreakdownRow

    @property
    def name(self) -> str:
        """Name the dimension in German: 'Sprache'."""
        return DIMENSIONS[self.dimension]


def hours_of(minutes: int) -> Decimal:
    """Turn minutes into hours with one decimal place (half up)."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def breakdowns(session: Session, start: date, end: date, *, pool_id: int) -> tuple[Breakdown, ...]:
    """Return the period's figures by each dimension, in the order of DIMENSIONS."""
    return tuple(_breakdown(session, dimension, start, end, pool_id) for dimension in DIMENSIONS)


def rejections_by_rule(
    session: Session, start: date, end: date, *, pool_id: int, titles: Mapping[str, str]
) -> list[tuple[str, int]]:
    """Count the period's rejected requests by the title of the rule that rejected them, most first."""
    counts: Counter[str] = Counter()
    for reasons in session.exec(
        select(InterpretingRequest.reasons).where(
            *received(start, end, pool_id), InterpretingRequest.status == "rejected"
        )
    ).all():
        rules = [r for r in reasons or [] if isinstance(r, dict)]
        rejecting = [r for r in rules if r.get("effect") == "reject"] or rules
        for title in {titles.get(str(r.get("rule")), UNKNOWN_RULE) for r in rejecting} or {UNKNOWN_RULE}:
            counts[title] += 1
    return sorted(counts.items(), key=lambda row: (-row[1], row[0]))


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Return the period as a half-open range of wall-clock times."""
    return datetime.combine(start, time()), datetime.combine(end + timedelta(days=1), time())


def received(start: date, end: date, pool_id: int) -> tuple[Any, ...]:
    """Select the pool's requests that came in during the period."""
    lo, hi = bounds(start, end)
    return (
        InterpretingRequest.pool_id == pool_id,
        col(InterpretingRequest.created_at) >= lo,
        col(InterpretingRequest.created_at) < hi,
    )


def _breakdown(session: Session, dimension: str, start: date, end: date, pool_id: int) -> Breakdown:
    """Run the three grouped queries of one dimension and merge them into rows."""
    rows: dict[str, BreakdownRow] = {}
    if dimension == "month":
        rows = {month: BreakdownRow(month_de(month)) for month in _months(start, end)}

    def row(raw: Any) -> BreakdownRow:
        key = _row_key(dimension, raw)
        return rows.setdefault(key, BreakdownRow(_label(dimension, key)))

    for raw, count, minutes in _assignments(session, dimension, start, end, pool_id):
        row(raw).assignments += int(count)
        row(raw).minutes += int(minutes or 0)
    for raw, cents in _allowances(session, dimension, start, end, pool_id):
        row(raw).allowance_cents += int(cents or 0)
    for raw, status, count in _requests(session, dimension, start, end, pool_id):
        row(raw).requests += int(count)
        if status in ("rejected", "unfilled", "cancelled"):
            setattr(row(raw), status, getattr(row(raw), status) + int(count))
    ordered = list(rows.values()) if dimension == "month" else sorted(rows.values(), key=_importance)
    total = BreakdownRow(TOTAL)
    for item in ordered:
        total.add(item)
    return Breakdown(dimension, tuple(ordered), total)


def _key(dimension: str, month: Any) -> tuple[Any, list[tuple[Any, Any]]]:
    """Return the expression a dimension groups by and the joins it needs from a request."""
    if dimension == "language":
        return Language.name_de, [(Language, request_language_join())]
    if dimension == "municipality":
        return Municipality.name, [(Municipality, request_municipality_join())]
    if dimension == "institution_type":
        on = and_(
            Institution.pool_id == InterpretingRequest.pool_id,
            Institution.id == InterpretingRequest.institution_id,
        )
        return Institution.type, [(Institution, on)]
    if dimension == "appointment_type":
        return InterpretingRequest.appointment_type, []
    return month, []


def _month_number(moment: Any) -> Any:
    """Group a time by its month as one number, 202503 for March 2025 (the same on SQLite and PostgreSQL)."""
    return extract("year", moment) * 100 + extract("month", moment)


def _grouped(statement: Any, dimension: str, month: Any, *more: Any) -> Any:
    """Join what the dimension needs, select its key first and group by it."""
    key, joins = _key(dimension, month)
    for target, on in joins:
        statement = statement.join(target, on)
    return statement.add_columns(key).group_by(key, *more)


def _request_of(row: Any) -> Any:
    """Join an assignment-bearing row to its request inside the pool."""
    return and_(InterpretingRequest.pool_id == row.pool_id, InterpretingRequest.id == row.request_id)


def _assignments(session: Session, dimension: str, start: date, end: date, pool_id: int) -> list[Any]:
    """Count completed assignments and their minutes by the dimension, by the day they began."""
    lo, hi = bounds(start, end)
    statement = (
        select(func.count(), func.sum(Assignment.duration_minutes))
        .select_from(Assignment)
        .join(InterpretingRequest, _request_of(Assignment))
        .where(
            Assignment.pool_id == pool_id,
            Assignment.status == "completed",
            col(Assignment.start) >= lo,
            col(Assignment.start) < hi,
        )
    )
    rows = session.execute(_grouped(statement, dimension, _month_number(Assignment.start))).all()
    return [(key, count, minutes) for count, minutes, key in rows]


def _allowances(session: Session, dimension: str, start: date, end: date, pool_id: int) -> list[Any]:
    """Sum the allowances booked into the period's payout months by the dimension (corrections included)."""
    statement = (
        select(func.sum(PayoutEntry.amount_cents))
        .select_from(PayoutEntry)
        .join(
            PayoutMonth,
            and_(PayoutMonth.pool_id == PayoutEntry.pool_id, PayoutMonth.id == PayoutEntry.payout_month_id),
        )
        .join(
            Assignment,
            and_(Assignment.pool_id == PayoutEntry.pool_id, Assignment.id == PayoutEntry.assignment_id),
        )
        .join(InterpretingRequest, _request_of(Assignment))
        .where(
            PayoutEntry.pool_id == pool_id,
            col(PayoutMonth.month) >= month_of(start),
            col(PayoutMonth.month) <= month_of(end),
        )
    )
    rows = session.execute(_grouped(statement, dimension, PayoutMonth.month)).all()
    return [(key, cents) for cents, key in rows]


def _requests(session: Session, dimension: str, start: date, end: date, pool_id: int) -> list[Any]:
    """Count the requests received in the period by the dimension and their status."""
    statement = (
        select(InterpretingRequest.status, func.count())
        .select_from(InterpretingRequest)
        .where(*received(start, end, pool_id))
    )
    grouped = _grouped(
        statement, dimension, _month_number(InterpretingRequest.created_at), InterpretingRequest.status
    )
    return [(key, status, count) for status, count, key in session.execute(grouped).all()]


def _row_key(dimension: str, raw: Any) -> str:
    """Turn a grouped key into the row's key: a month as 'YYYY-MM', anything else as it is."""
    if dimension != "month" or isinstance(raw, str):
        return str(raw)
    number = int(raw)
    return f"{number // 100:04d}-{number % 100:02d}"


def _label(dimension: str, key: str) -> str:
    """Name a row in German, never by a stored code."""
    if dimension == "month":
        return month_de(key)
    if dimension == "institution_type":
        return INSTITUTION_TYPES.get(key, UNKNOWN_TYPE)
    if dimension == "appointment_type":
        return APPOINTMENT_TYPES.get(key, UNKNOWN_TYPE)
    return key


def _importance(row: BreakdownRow) -> tuple[Any, ...]:
    """Order rows by most requests, then most assignments, then most money, then by name."""
    return (-row.requests, -row.assignments, -row.allowance_cents, row.label.casefold())


def _months(start: date, end: date) -> list[str]:
    """List every month the period touches, so a month without figures shows as zero."""
    months, current = [], month_of(start)
    while current <= month_of(end):
        months.append(current)
        current = next_month(current)
    return months


def figure_de(row: BreakdownRow, measure: str) -> str:
    """Write a figure for reading: '1.234', '1.234,5' hours, '1.234,50 €'."""
    value = row.value(measure)
    if measure == "allowances":
        return money_de(Decimal(value))
    if measure == "hours":
        return f"{Decimal(value):,.1f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{int(value):,}".replace(",", ".")


def figure_plain(row: BreakdownRow, measure: str) -> str:
    """Write a figure as German Excel reads a number: decimal comma, no thousands separator."""
    value = row.value(measure)
    if measure == "allowances":
        return money_plain(Decimal(value))
    return str(value).replace(".", ",")


def table(breakdown: Breakdown, write: Callable[[BreakdownRow, str], str] = figure_plain) -> list[list[str]]:
    """Lay a breakdown out as a table: a heading row, a row per value, the total last."""
    heading = [
        breakdown.name,
        *(f"{title} (EUR)" if key == "allowances" else title for key, title in MEASURES.items()),
    ]
    return [heading] + [
        [row.label, *(write(row, key) for key in MEASURES)] for row in (*breakdown.rows, breakdown.total)
    ]
