"""The committee's figures for any period: counts, placement, money, languages, reasons.

Requests count by the day they were received; assignments by their appointment day;
allowances by the payout months that fall into the period — a closed month with its frozen
total, an open month with what is booked so far, labelled "vorläufig" everywhere it is shown. The placement rate is the
share of requests placed among those the pool tried to place (placed + unfilled), so
rejected, withdrawn and still open requests do not distort it.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from sprachmittlerpool.exports.formatting import date_de, money_de, money_plain, month_de
from sprachmittlerpool.exports.safe_cells import neutralise, set_text
from sprachmittlerpool.models import (
    Assignment,
    InterpretingRequest,
    Language,
    PayoutEntry,
    PayoutMonth,
    Volunteer,
    VolunteerLanguage,
    request_language_join,
)
from sprachmittlerpool.services.payouts import month_of, next_month, year_budget
from sprachmittlerpool.services.pool_rules import rule_title, rule_titles
from sprachmittlerpool.tariff import from_cents
from sprachmittlerpool.tax_limits import BudgetStatus
from sprachmittlerpool.text_check import whole_number

PLACED = ("confirmed", "completed", "settled", "no_show")
UNFILLED_DE = {
    "no_candidate": "keine passende Person",
    "capacity": "alle Passenden ausgelastet",
    "declined": "alle Angefragten abgesagt",
    "expired": "keine Antwort rechtzeitig",
    "late": "zu kurzfristig",
}
TOP_LANGUAGES = 10
MONEY_TEXT = re.compile(r"^-?\d+,\d{2}$")  # how rows() writes an amount: the workbook stores a number


@dataclass(frozen=True)
class MonthAllowances:
    """One payout month of the period: its sum, and whether it is closed (final) or open (provisional)."""

    month: str
    amount: Decimal
    closed: bool

    @property
    def label(self) -> str:
        """Name the month with its state, e.g. 'März 2025 (vorläufig)'."""
        return f"{month_de(self.month)} ({'abgeschlossen' if self.closed else 'vorläufig'})"


@dataclass(frozen=True)
class Report:
    """The figures of one period, in the order the committee reads them."""

    start: date
    end: date
    requests: int
    assignments: int
    placed: int
    unfilled: int
    allowance_months: list[MonthAllowances]
    languages: list[tuple[str, int]]
    per_month: list[tuple[str, int]]
    rejections: list[tuple[str, int]]
    unfilled_reasons: list[tuple[str, int]]
    active_volunteers: int
    languages_covered: int
    budgets: tuple[BudgetStatus, ...] = ()  # each year the period touches: its spending against its grant

    @property
    def allowances(self) -> Decimal:
        """Return all allowances of the period, closed and open months together."""
        return self.allowances_closed + self.allowances_open

    @property
    def allowances_closed(self) -> Decimal:
        """Return the allowances of the closed (final) months."""
        return sum((m.amount for m in self.allowance_months if m.closed), Decimal("0.00"))

    @property
    def allowances_open(self) -> Decimal:
        """Return the allowances of the open months: provisional, they may still change."""
        return sum((m.amount for m in self.allowance_months if not m.closed), Decimal("0.00"))

    @property
    def provisional(self) -> bool:
        """Tell whether any month of the period is still open."""
        return any(not m.closed for m in self.allowance_months)

    @property
    def placement_rate(self) -> Decimal | None:
        """Return placed ÷ (placed + unfilled) in percent, or None when nothing was tried."""
        tried = self.placed + self.unfilled
        if tried == 0:
            return None
        return (Decimal(self.placed) * 100 / tried).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def default_period(today: date) -> tuple[date, date]:
    """Return this calendar year, the committee's usual period."""
    return date(today.year, 1, 1), date(today.year, 12, 31)


def build_report(session: Session, start: date, end: date, *, pool_id: int) -> Report:
    """Compute every figure of the period from start to end (both inclusive)."""
    if end < start:
        raise ValueError("the period ends before it starts")
    lo, hi = datetime.combine(start, time()), datetime.combine(end + timedelta(days=1), time())
    received = (
        InterpretingRequest.pool_id == pool_id,
        col(InterpretingRequest.created_at) >= lo,
        col(InterpretingRequest.created_at) < hi,
    )
    requests = session.exec(select(func.count()).select_from(InterpretingRequest).where(*received)).one()
    statuses = dict(
        session.exec(
            select(InterpretingRequest.status, func.count())
            .where(*received)
            .group_by(InterpretingRequest.status)
        ).all()
    )
    assignments = session.exec(
        select(func.count())
        .select_from(Assignment)
        .where(
            Assignment.pool_id == pool_id,
            Assignment.status == "completed",
            col(Assignment.start) >= lo,
            col(Assignment.start) < hi,
        )
    ).one()
    return Report(
        start=start,
        end=end,
        requests=int(requests),
        assignments=int(assignments),
        placed=sum(int(statuses.get(status, 0)) for status in PLACED),
        unfilled=int(statuses.get("unfilled", 0)),
        allowance_months=_allowance_months(session, start, end, pool_id),
        languages=_languages(session, received),
        per_month=_per_month(session, start, end, received),
        rejections=_rejections(session, received, pool_id=pool_id),
        unfilled_reasons=_unfilled(session, received),
        active_volunteers=int(
            session.exec(
                select(func.count())
                .select_from(Volunteer)
                .where(Volunteer.pool_id == pool_id, col(Volunteer.active).is_(True))
            ).one()
        ),
        languages_covered=int(
            session.exec(
                select(func.count(func.distinct(VolunteerLanguage.language_code)))
                .join(Volunteer, col(Volunteer.id) == VolunteerLanguage.volunteer_id)
                .where(Volunteer.pool_id == pool_id, col(Volunteer.active).is_(True))
            ).one()
        ),
        budgets=tuple(
            year_budget(session, year, pool_id=pool_id) for year in range(start.year, end.year + 1)
        ),
    )


def _allowance_months(session: Session, start: date, end: date, pool_id: int) -> list[MonthAllowances]:
    """Return each payout month inside the period: closed with its frozen total, open with its entries."""
    booked = dict(
        session.exec(
            select(PayoutEntry.payout_month_id, func.sum(PayoutEntry.amount_cents))
            .where(PayoutEntry.pool_id == pool_id)
            .group_by(PayoutEntry.payout_month_id)
        ).all()
    )
    months = session.exec(
        select(PayoutMonth)
        .where(PayoutMonth.pool_id == pool_id)
        .where(col(PayoutMonth.month) >= month_of(start), col(PayoutMonth.month) <= month_of(end))
        .order_by(col(PayoutMonth.month))
    ).all()
    result = []
    for row in months:
        closed = row.closed_at is not None
        cents = row.total_cents if closed and row.total_cents is not None else int(booked.get(row.id) or 0)
        if cents or closed:
            result.append(MonthAllowances(row.month, from_cents(cents), closed))
    return result


def _languages(session: Session, received: tuple) -> list[tuple[str, int]]:
    """Return the most requested languages by German name, most first."""
    rows = session.exec(
        select(Language.name_de, func.count())
        .join(InterpretingRequest, request_language_join())
        .where(*received)
        .group_by(Language.name_de)
    ).all()
    return sorted(((name, int(count)) for name, count in rows), key=lambda row: (-row[1], row[0]))[
        :TOP_LANGUAGES
    ]


def _per_month(session: Session, start: date, end: date, received: tuple) -> list[tuple[str, int]]:
    """Count requests per month of the period, months without requests included."""
    counts: Counter[str] = Counter(
        month_of(created)
        for created in session.exec(select(InterpretingRequest.created_at).where(*received)).all()
    )
    months, current = [], month_of(start)
    while current <= month_of(end):
        months.append((current, counts.get(current, 0)))
        current = next_month(current)
    return months


def _rejections(session: Session, received: tuple, *, pool_id: int) -> list[tuple[str, int]]:
    """Count rejected requests by the rule that rejected them, named by its German title."""
    titles = rule_titles(session, pool_id=pool_id)
    counts: Counter[str] = Counter()
    for reasons in session.exec(
        select(InterpretingRequest.reasons).where(*received, InterpretingRequest.status == "rejected")
    ).all():
        rules = [r for r in reasons or [] if isinstance(r, dict)]
        rejecting = [r for r in rules if r.get("effect") == "reject"] or rules
        for title in {rule_title(titles, str(r.get("rule"))) for r in rejecting}:
            counts[title] += 1
    return sorted(counts.items(), key=lambda row: (-row[1], row[0]))


def _unfilled(session: Session, received: tuple) -> list[tuple[str, int]]:
    """Count unfilled requests by their recorded reason."""
    rows = session.exec(
        select(InterpretingRequest.unfilled_reason, func.count())
        .where(*received, InterpretingRequest.status == "unfilled")
        .group_by(InterpretingRequest.unfilled_reason)
    ).all()
    named = [(UNFILLED_DE.get(reason or "", reason or "ohne Angabe"), int(count)) for reason, count in rows]
    return sorted(named, key=lambda row: (-row[1], row[0]))


def rows(report: Report) -> list[tuple[str, str, str]]:
    """Flatten the report into (section, label, value) rows for CSV, XLSX and text."""
    rate = report.placement_rate
    out = [
        ("Zeitraum", "von", date_de(report.start)),
        ("Zeitraum", "bis", date_de(report.end)),
        ("Kennzahlen", "Anfragen", str(report.requests)),
        ("Kennzahlen", "Einsätze", str(report.assignments)),
        ("Kennzahlen", "Vermittlungsquote (%)", "–" if rate is None else str(rate).replace(".", ",")),
        *_allowance_rows(report),
        ("Kennzahlen", "Aktive Sprachmittelnde", str(report.active_volunteers)),
        ("Kennzahlen", "Abgedeckte Sprachen", str(report.languages_covered)),
    ]
    out += [
        ("Aufwandsentschädigungen je Monat", m.label, money_plain(m.amount)) for m in report.allowance_months
    ]
    for budget in report.budgets:
        out += _budget_rows(budget)
    out += [("Meistgefragte Sprachen", name, str(count)) for name, count in report.languages]
    out += [("Anfragen je Monat", month_de(month), str(count)) for month, count in report.per_month]
    out += [("Abgelehnt nach Regel", rule, str(count)) for rule, count in report.rejections]
    out += [("Nicht besetzt nach Grund", reason, str(count)) for reason, count in report.unfilled_reasons]
    return out


def _allowance_rows(report: Report) -> list[tuple[str, str, str]]:
    """Give the allowances of closed and of open (provisional) months apart, and their sum."""
    total = "Aufwandsentschädigungen gesamt" + (", vorläufig" if report.provisional else "") + " (EUR)"
    return [
        (
            "Kennzahlen",
            "Aufwandsentschädigungen abgeschlossener Monate (EUR)",
            money_plain(report.allowances_closed),
        ),
        (
            "Kennzahlen",
            "Aufwandsentschädigungen offener Monate, vorläufig (EUR)",
            money_plain(report.allowances_open),
        ),
        ("Kennzahlen", total, money_plain(report.allowances)),
    ]


def _budget_rows(budget: BudgetStatus) -> list[tuple[str, str, str]]:
    """Say a year's grant, spending and share; a year without a grant says so instead of a number."""
    section = f"Landeszuschuss {budget.year}"
    if budget.budget is None:
        return [
            (section, "Zuschuss (EUR)", "kein Zuschuss hinterlegt"),
            (section, "Ausgezahlt bzw. gebucht im ganzen Jahr (EUR)", money_plain(budget.spent)),
        ]
    share = budget.share_percent
    return [
        (section, "Zuschuss (EUR)", money_plain(budget.budget)),
        (section, "Ausgezahlt bzw. gebucht im ganzen Jahr (EUR)", money_plain(budget.spent)),
        (section, "Anteil am Zuschuss (%)", "–" if share is None else str(share).replace(".", ",")),
    ]


def to_csv(report: Report) -> bytes:
    """Render the report as CSV for German Excel (BOM, ';', CRLF), formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Bereich", "Kennzahl", "Wert"])
    for section, label, value in rows(report):
        writer.writerow([neutralise(section), neutralise(label), neutralise(value)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(report: Report) -> bytes:
    """Render the report as a workbook, numbers as numbers, with fixed properties."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Bericht"
    sheet.append(["Bereich", "Kennzahl", "Wert"])
    for number, (section, label, value) in enumerate(rows(report), start=2):
        set_text(sheet.cell(number, 1), section)
        set_text(sheet.cell(number, 2), label)
        if (whole := whole_number(value, max_digits=15)) is not None:
            sheet.cell(number, 3, whole)
        elif MONEY_TEXT.match(value):
            sheet.cell(number, 3, Decimal(value.replace(",", "."))).number_format = '#,##0.00 "€"'
        else:
            set_text(sheet.cell(number, 3), value)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 44
    moment = datetime.combine(report.start, time())
    workbook.properties.created = moment
    workbook.properties.modified = moment
    workbook.properties.creator = "Sprachmittlerpool"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return buffer.getvalue()


def to_text(report: Report) -> str:
    """Render the report as plain text for the terminal."""
    lines, section = [], None
    for current, label, value in rows(report):
        if current != section:
            lines.append(f"\n{current}" if section else current)
            section = current
        lines.append(f"  {label}: {value}")
    total = f"\nSumme Aufwandsentschädigungen: {money_de(report.allowances)}"
    if report.provisional:
        total += f" (davon vorläufig, Monate noch offen: {money_de(report.allowances_open)})"
    lines.append(total)
    return "\n".join(lines) + "\n"
