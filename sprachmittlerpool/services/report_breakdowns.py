"""The committee's breakdowns: each figure by language, institution type, appointment type, municipality and month.

Every figure counts by one date of its rows and says which (COUNTED_BY): assignments and their hours by the
day the assignment began, allowances by the payout month they were booked into, requests (received,
rejected, unfilled, cancelled) by the day the request came in. A request received in December for a January
appointment is therefore a December request and a January assignment. The breakdowns run one GROUP BY
query per kind of row, never a query per row or per dimension, so a pool with years of history reports as
fast as a new one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import String, and_, cast, extract, func, literal_column, union_all
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


@dataclass(frozen=True)
class Figures:
    """The breakdowns, and the totals the report's key figures take from the same rows."""

    breakdowns: tuple[Breakdown, ...]  # in the order of DIMENSIONS
    statuses: Mapping[str, int]  # the period's requests by their status
    assignments: int  # completed assignments that began in the period


def figures(session: Session, start: date, end: date, *, pool_id: int) -> Figures:
    """Return the period's figures by each dimension and the totals by status.

    Three queries in all, one per kind of row: each reads its rows once (a common table expression) and
    groups them by every dimension in turn (UNION ALL). A query per dimension scanned the same rows five
    times; grouping by all five keys at once returned about as many groups as rows. Every request is in
    every dimension (its language, institution and town are foreign keys), so the first dimension's
    groups also give the totals by status.
    """
    facts = _Facts(
        assignments=_assignments(session, start, end, pool_id),
        allowances=_allowances(session, start, end, pool_id),
        requests=_requests(session, start, end, pool_id),
    )
    statuses: Counter[str] = Counter()
    for index, _key, status, count in facts.requests:
        if index == 0:
            statuses[status] += count
    return Figures(
        breakdowns=tuple(
            _breakdown(facts, index, dimension, start, end) for index, dimension in enumerate(DIMENSIONS)
        ),
        statuses=dict(statuses),
        assignments=sum(count for index, _key, count, _minutes in facts.assignments if index == 0),
    )


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


@dataclass(frozen=True)
class _Facts:
    """The period's grouped rows: (index of the dimension in DIMENSIONS, key, figures …)."""

    assignments: list[tuple[int, str, int, int]]  # dimension, key, count, minutes
    allowances: list[tuple[int, str, int]]  # dimension, key, cents
    requests: list[tuple[int, str, str, int]]  # dimension, key, status, count


def _breakdown(facts: _Facts, index: int, dimension: str, start: date, end: date) -> Breakdown:
    """Gather the index-th dimension's grouped rows into the dimension's rows and total."""
    rows: dict[str, BreakdownRow] = {}
    if dimension == "month":
        rows = {month: BreakdownRow(month_de(month)) for month in _months(start, end)}

    def row(raw: str) -> BreakdownRow:
        key = _row_key(dimension, raw)
        return rows.setdefault(key, BreakdownRow(_label(dimension, key)))

    for _, raw, count, minutes in (f for f in facts.assignments if f[0] == index):
        row(raw).assignments += count
        row(raw).minutes += minutes
    for _, raw, cents in (f for f in facts.allowances if f[0] == index):
        row(raw).allowance_cents += cents
    for _, raw, status, count in (f for f in facts.requests if f[0] == index):
        row(raw).requests += count
        if status in ("rejected", "unfilled", "cancelled"):
            setattr(row(raw), status, getattr(row(raw), status) + count)
    ordered = list(rows.values()) if dimension == "month" else sorted(rows.values(), key=_importance)
    total = BreakdownRow(TOTAL)
    for item in ordered:
        total.add(item)
    return Breakdown(dimension, tuple(ordered), total)


def _month_number(moment: Any) -> Any:
    """Group a time by its month as one number, 202503 for March 2025 (the same on SQLite and PostgreSQL)."""
    return extract("year", moment) * 100 + extract("month", moment)


def _by_each_dimension(statement: Any, month: Any, figures: Callable[[Any], list[Any]], *more: str) -> Any:
    """Read the rows once with every dimension's key, then group them by each dimension in turn.

    statement selects the rows' own columns (named) from a request; this joins the request's language,
    institution and municipality (foreign keys every request has, so no row is lost) and adds the five keys
    as text. figures(facts) gives the aggregates; more names further columns to group by (the status).
    """
    keys = (
        Language.name_de,
        Institution.type,
        InterpretingRequest.appointment_type,
        Municipality.name,
        month,
    )  # DIMENSIONS order
    facts = (
        statement.join(Language, request_language_join())
        .join(
            Institution,
            and_(
                Institution.pool_id == InterpretingRequest.pool_id,
                Institution.id == InterpretingRequest.institution_id,
            ),
        )
        .join(Municipality, request_municipality_join())
        .add_columns(*(cast(key, String).label(f"key{n}") for n, key in enumerate(keys)))
        .cte("facts")
    )
    extra = [facts.c[name] for name in more]
    return union_all(
        *(
            select(literal_column(str(n)), facts.c[f"key{n}"], *extra, *figures(facts)).group_by(
                facts.c[f"key{n}"], *extra
            )
            for n in range(len(keys))
        )
    )


def _request_of(row: Any) -> Any:
    """Join an assignment-bearing row to its request inside the pool."""
    return and_(InterpretingRequest.pool_id == row.pool_id, InterpretingRequest.id == row.request_id)


def _assignments(session: Session, start: date, end: date, pool_id: int) -> list[Any]:
    """Count completed assignments and their minutes by each dimension, by the day they began."""
    lo, hi = bounds(start, end)
    statement = (
        select(Assignment.duration_minutes.label("minutes"))
        .select_from(Assignment)
        .join(InterpretingRequest, _request_of(Assignment))
        .where(
            Assignment.pool_id == pool_id,
            Assignment.status == "completed",
            col(Assignment.start) >= lo,
            col(Assignment.start) < hi,
        )
    )
    grouped = _by_each_dimension(
        statement, _month_number(Assignment.start), lambda f: [func.count(), func.sum(f.c.minutes)]
    )
    return [
        (int(n), key, int(count), int(minutes or 0)) for n, key, count, minutes in session.execute(grouped)
    ]


def _allowances(session: Session, start: date, end: date, pool_id: int) -> list[Any]:
    """Sum the allowances booked into the period's payout months by each dimension (corrections included)."""
    statement = (
        select(PayoutEntry.amount_cents.label("cents"))
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
    grouped = _by_each_dimension(statement, PayoutMonth.month, lambda f: [func.sum(f.c.cents)])
    return [(int(n), key, int(cents or 0)) for n, key, cents in session.execute(grouped)]


def _requests(session: Session, start: date, end: date, pool_id: int) -> list[Any]:
    """Count the requests received in the period by each dimension and their status."""
    statement = (
        select(InterpretingRequest.status.label("status"))
        .select_from(InterpretingRequest)
        .where(*received(start, end, pool_id))
    )
    grouped = _by_each_dimension(
        statement, _month_number(InterpretingRequest.created_at), lambda f: [func.count()], "status"
    )
    return [(int(n), key, status, int(count)) for n, key, status, count in session.execute(grouped)]


def _row_key(dimension: str, raw: str) -> str:
    """Turn a grouped key into the row's key: a month number (202503) as '2025-03', anything else as it is."""
    if dimension != "month" or "-" in raw:  # a payout month is 'YYYY-MM' already
        return raw
    number = int(Decimal(raw))
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
