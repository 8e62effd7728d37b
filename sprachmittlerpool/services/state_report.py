"""The state's yearly figures: every pool of the installation and their total, without any personal data.

The operator of an installation reports to the state once a year for all its pools. Each pool's figures are
the committee report's (services/reports.py, counted by the same dates), so a pool's row here equals its own
report; three figures the committee report does not have are counted here, each by one GROUP BY pool:
volunteers who completed an assignment in the year, the languages those assignments were in, and the
institutions that sent a request in the year by their type. Only counts, hours and euros leave this module:
no name, e-mail, address or free text of anyone.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from matching.eligibility import INSTITUTION_TYPES
from sprachmittlerpool.exports.formatting import money_plain
from sprachmittlerpool.exports.safe_cells import neutralise
from sprachmittlerpool.models import Assignment, Institution, InterpretingRequest, Pool
from sprachmittlerpool.services import reports
from sprachmittlerpool.services.report_breakdowns import bounds, hours_of

TOTAL = "Summe aller Pools"
COLUMNS = (
    "Pool",
    "Anfragen",
    "Vermittelt",
    "Nicht besetzt",
    "Abgelehnt",
    "Einsätze",
    "Stunden",
    "Aufwandsentschädigungen (EUR)",
    "Aktive Sprachmittelnde",
    "Sprachen bedient",
)
COUNTED_BY = (
    "Anfragen, vermittelt, nicht besetzt und abgelehnt nach dem Tag des Eingangs der Anfrage; "
    "Einsätze und Stunden (tatsächliche Dauer) nach dem Tag des Einsatzes; Aufwandsentschädigungen nach "
    "dem Monat der Auszahlungsliste (offene Monate vorläufig); aktive Sprachmittelnde und Sprachen: wer "
    "bzw. welche Sprache im Jahr mindestens einen abgeschlossenen Einsatz hatte; Einrichtungen: die im "
    "Jahr mindestens eine Anfrage gestellt haben, nach ihrer Art."
)


@dataclass(frozen=True)
class PoolYear:
    """One pool's figures of the year (or the installation's, in the total row)."""

    pool: str
    requests: int = 0
    placed: int = 0
    unfilled: int = 0
    rejected: int = 0
    assignments: int = 0
    minutes: int = 0
    allowances: Decimal = Decimal("0.00")
    volunteers: int = 0
    languages: frozenset[str] = frozenset()
    rejected_by_rule: Counter[str] = field(default_factory=Counter)
    institutions_by_type: Counter[str] = field(default_factory=Counter)
    provisional: bool = False

    @property
    def hours(self) -> Decimal:
        """Return the hours with one decimal place."""
        return hours_of(self.minutes)

    def cells(self) -> list[str]:
        """Return the row as the CSV writes it: German decimals, no thousands separator."""
        return [
            self.pool, str(self.requests), str(self.placed), str(self.unfilled), str(self.rejected),
            str(self.assignments), str(self.hours).replace(".", ","), money_plain(self.allowances),
            str(self.volunteers), str(len(self.languages)),
        ]  # fmt: skip


@dataclass(frozen=True)
class StateReport:
    """The year's figures per pool and for the whole installation."""

    year: int
    pools: tuple[PoolYear, ...]
    total: PoolYear

    @property
    def rule_titles(self) -> list[str]:
        """Every rule title that rejected a request in any pool, most rejections first."""
        return [title for title, _ in self.total.rejected_by_rule.most_common()]

    @property
    def institution_types(self) -> list[tuple[str, str]]:
        """(type, German word) of every type that sent a request, in the form's order."""
        seen = self.total.institutions_by_type
        known = [(key, word) for key, word in INSTITUTION_TYPES.items() if seen[key]]
        return known + [(key, "andere Art") for key in sorted(seen) if key not in INSTITUTION_TYPES]


def build(session: Session, year: int, *, instance_path: str | Path) -> StateReport:
    """Compute the year's figures of every pool and their total."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    served = _served(session, start, end)
    institutions = _institutions(session, start, end)
    rows = []
    for pool in session.exec(select(Pool).order_by(col(Pool.name), col(Pool.id))).all():
        titles = reports.rule_titles(session, pool_id=pool.id, instance_path=instance_path)
        figures = reports.build_report(session, start, end, pool_id=pool.id, titles=titles)  # type: ignore[arg-type]
        volunteers, languages = served.get(pool.id, (0, frozenset()))  # type: ignore[arg-type]
        months = next(b for b in figures.breakdowns if b.dimension == "month").total
        rows.append(
            PoolYear(
                pool=pool.name,
                requests=figures.requests,
                placed=figures.placed,
                unfilled=figures.unfilled,
                rejected=months.rejected,
                assignments=figures.assignments,
                minutes=months.minutes,
                allowances=figures.allowances,
                volunteers=volunteers,
                languages=languages,
                rejected_by_rule=Counter(dict(figures.rejections)),
                institutions_by_type=institutions.get(pool.id, Counter()),  # type: ignore[arg-type]
                provisional=figures.provisional,
            )
        )
    return StateReport(year, tuple(rows), _total(rows))


def _served(session: Session, start: date, end: date) -> dict[int, tuple[int, frozenset[str]]]:
    """Per pool: how many volunteers completed an assignment in the period, and in which languages."""
    lo, hi = bounds(start, end)
    rows = session.exec(
        select(Assignment.pool_id, Assignment.volunteer_id, InterpretingRequest.language_code)
        .join(InterpretingRequest, col(InterpretingRequest.id) == Assignment.request_id)
        .where(Assignment.status == "completed", col(Assignment.start) >= lo, col(Assignment.start) < hi)
        .distinct()
    ).all()
    volunteers: dict[int, set[int]] = {}
    languages: dict[int, set[str]] = {}
    for pool_id, volunteer_id, language in rows:
        volunteers.setdefault(pool_id, set()).add(volunteer_id)
        languages.setdefault(pool_id, set()).add(language)
    return {pool_id: (len(people), frozenset(languages[pool_id])) for pool_id, people in volunteers.items()}


def _institutions(session: Session, start: date, end: date) -> dict[int, Counter[str]]:
    """Per pool: the institutions that sent at least one request in the period, counted by type."""
    lo, hi = bounds(start, end)
    rows = session.exec(
        select(Institution.pool_id, Institution.type, func.count(func.distinct(Institution.id)))
        .join(InterpretingRequest, col(InterpretingRequest.institution_id) == Institution.id)
        .where(col(InterpretingRequest.created_at) >= lo, col(InterpretingRequest.created_at) < hi)
        .group_by(Institution.pool_id, Institution.type)
    ).all()
    result: dict[int, Counter[str]] = {}
    for pool_id, kind, count in rows:
        result.setdefault(pool_id, Counter())[kind] = int(count)
    return result


def _total(rows: list[PoolYear]) -> PoolYear:
    """Add the pools up; languages count once however many pools served them."""
    return PoolYear(
        pool=TOTAL,
        requests=sum(r.requests for r in rows),
        placed=sum(r.placed for r in rows),
        unfilled=sum(r.unfilled for r in rows),
        rejected=sum(r.rejected for r in rows),
        assignments=sum(r.assignments for r in rows),
        minutes=sum(r.minutes for r in rows),
        allowances=sum((r.allowances for r in rows), Decimal("0.00")),
        volunteers=sum(r.volunteers for r in rows),
        languages=frozenset().union(*(r.languages for r in rows)),
        rejected_by_rule=sum((r.rejected_by_rule for r in rows), Counter()),
        institutions_by_type=sum((r.institutions_by_type for r in rows), Counter()),
        provisional=any(r.provisional for r in rows),
    )


def rule_table(report: StateReport) -> list[list[str]]:
    """Rejections by rule title: a row per title, a column per pool and the total."""
    head = ["Abgelehnt nach Regel", *(r.pool for r in report.pools), TOTAL]
    lines = [
        [
            title,
            *(str(r.rejected_by_rule[title]) for r in report.pools),
            str(report.total.rejected_by_rule[title]),
        ]
        for title in report.rule_titles
    ]
    return [head, *lines]


def institution_table(report: StateReport) -> list[list[str]]:
    """Requesting institutions by type: a row per type, a column per pool and the total."""
    head = ["Einrichtungen nach Art", *(r.pool for r in report.pools), TOTAL]
    lines = [
        [
            word,
            *(str(r.institutions_by_type[key]) for r in report.pools),
            str(report.total.institutions_by_type[key]),
        ]
        for key, word in report.institution_types
    ]
    return [head, *lines]


def to_csv(report: StateReport) -> bytes:
    """Render for German Excel (BOM, ';', CRLF, decimal comma), formula-safe: three tables, empty lines between."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([f"Landesauswertung {report.year}"] + [""] * (len(COLUMNS) - 1))
    writer.writerow(COLUMNS)
    for row in (*report.pools, report.total):
        writer.writerow([neutralise(cell) for cell in row.cells()])
    for table in (rule_table(report), institution_table(report)):
        writer.writerow([])
        writer.writerows([neutralise(cell) for cell in line] for line in table)
    writer.writerow([])
    writer.writerow(["Gezählt", COUNTED_BY])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
