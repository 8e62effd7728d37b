"""The committee's figures for any period: counts, placement, money, breakdowns, rules, the grant.

Requests count by the day they were received; assignments by their appointment day;
allowances by the payout months that fall into the period — a closed month with its frozen
total, an open month with what is booked so far, labelled "vorläufig" everywhere it is shown. The placement rate is the
share of requests placed among those the pool tried to place (placed + unfilled), so
rejected, withdrawn and still open requests do not distort it. The breakdowns (report_breakdowns) count the
same way and say so; the grant compares each whole year the period touches with what the state granted.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from sprachmittlerpool.exports.formatting import MONTHS_DE, date_de, money_de, money_plain, month_de
from sprachmittlerpool.exports.safe_cells import neutralise, set_text
from sprachmittlerpool.german import period_long
from sprachmittlerpool.models import (
    InterpretingRequest,
    PayoutEntry,
    PayoutMonth,
    Volunteer,
    VolunteerLanguage,
)
from sprachmittlerpool.services import feedback_figures
from sprachmittlerpool.services.feedback_figures import FeedbackFigures
from sprachmittlerpool.services.payouts import FIRST_YEAR, LAST_YEAR, month_of, year_budget
from sprachmittlerpool.services.pool_rules import effective_rule_set
from sprachmittlerpool.services.report_breakdowns import (
    COUNTED_BY,
    MEASURES,
    Breakdown,
    bounds,
    figure_de,
    figures,
    received,
    rejections_by_rule,
    table,
)
from sprachmittlerpool.services.sharing_figures import ExchangeLine, exchanges
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
    "no_remote": "niemand für Telefon oder Video",
    "no_written": "niemand für schriftliche Übersetzungen",
    "no_qualified": "Nachweis fehlt (z. B. Führungszeugnis)",
}
QUARTERS = {"Q1": 1, "Q2": 2, "Q3": 3, "Q4": 4}
MAX_DAYS = 366 * 10
MONEY_TEXT = re.compile(r"^-?\d+,\d{2}$")  # how rows() writes an amount: the workbook stores a number
HOURS_TEXT = re.compile(r"^\d+,\d$")  # how the breakdowns write hours


class InvalidPeriod(ValueError):
    """A period the report cannot be made for; the message is German and says what to enter."""


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
    rejections: list[tuple[str, int]]  # by the rule's title
    unfilled_reasons: list[tuple[str, int]]
    active_volunteers: int
    languages_covered: int
    breakdowns: tuple[Breakdown, ...] = ()
    budgets: tuple[BudgetStatus, ...] = ()  # each year the period touches: its spending against its grant
    feedback: FeedbackFigures | None = None  # the feedback that arrived in the period (no free text)
    received: tuple[ExchangeLine, ...] = ()  # completed assignments served by other pools' volunteers
    given: tuple[ExchangeLine, ...] = ()  # this pool's volunteers lent to other pools

    @property
    def label(self) -> str:
        """Name the period: 'Jahr 2025', '2. Quartal 2025 (April bis Juni)', 'März 2025' or a span of days."""
        return period_label(self.start, self.end)

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


def choose_period(args: Mapping[str, str], today: date) -> tuple[date, date]:
    """Read the period a page or file asks for: a year with an optional quarter or month, or from/to dates.

    ``year`` (and ``part``: Q1…Q4 or 01…12) wins over ``from``/``to``; without either it is this year.
    """
    if (args.get("year") or "").strip():
        start, end = _part_of_year(_year(args["year"].strip()), (args.get("part") or "").strip())
    else:
        start, end = default_period(today)
        start = _iso(args.get("from")) or start
        end = _iso(args.get("to")) or end
    if end < start or (end - start).days > MAX_DAYS:
        raise InvalidPeriod(
            "Der Zeitraum ist ungültig: das Ende liegt vor dem Anfang oder mehr als zehn Jahre danach."
        )
    if not (start.year >= FIRST_YEAR and end.year <= LAST_YEAR):  # month arithmetic needs room on both sides
        raise InvalidPeriod(f"Bitte einen Zeitraum zwischen {FIRST_YEAR} und {LAST_YEAR} wählen.")
    return start, end


def _year(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise InvalidPeriod("Bitte das Jahr vierstellig angeben, z. B. 2025.")
    return int(text)


def _iso(text: str | None) -> date | None:
    if not text:
        return None
    try:
        if text.isascii():
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidPeriod("Bitte Datumsangaben als JJJJ-MM-TT.")


def _part_of_year(year: int, part: str) -> tuple[date, date]:
    """Return the whole year, one quarter (Q1…Q4) or one month (01…12) of it."""
    if not part:
        return date(year, 1, 1), date(year, 12, 31)
    if part in QUARTERS:
        first = 3 * QUARTERS[part] - 2
        return date(year, first, 1), _month_end(year, first + 2)
    if part.isascii() and part.isdigit() and 1 <= int(part) <= 12:
        return date(year, int(part), 1), _month_end(year, int(part))
    raise InvalidPeriod("Bitte ein Quartal oder einen Monat aus der Liste wählen.")


def _month_end(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def period_label(start: date, end: date) -> str:
    """Name a period as people say it: a whole year, quarter or month by its name, else its first and last day."""
    if start.day == 1 and end == _month_end(end.year, end.month) and start.year == end.year:
        months = end.month - start.month + 1
        if months == 12:
            return f"Jahr {start.year}"
        if months == 3 and start.month % 3 == 1:
            names = f"{MONTHS_DE[start.month - 1]} bis {MONTHS_DE[end.month - 1]}"
            return f"{start.month // 3 + 1}. Quartal {start.year} ({names})"
        if months == 1:
            return month_de(month_of(start))
    return period_long(start, end)


def rule_titles(session: Session, *, pool_id: int, instance_path: str | Path) -> dict[str, str]:
    """Name each rule of the pool's rule set by its German title: reports say titles, not the rule set's ids."""
    rules = effective_rule_set(session, pool_id=pool_id, instance_path=instance_path)
    return {rule_id: rule.title for rule_id, rule in rules.rules.items() if rule.title}


def build_report(
    session: Session, start: date, end: date, *, pool_id: int, titles: Mapping[str, str] | None = None
) -> Report:
    """Compute every figure of the period from start to end (both inclusive); ``titles`` name the rules."""
    if end < start:
        raise ValueError("the period ends before it starts")
    in_period = received(start, end, pool_id)
    counted = figures(session, start, end, pool_id=pool_id)
    statuses = counted.statuses
    lo, hi = bounds(start, end)
    received_from, given_to = exchanges(session, lo, hi, pool_id=pool_id)
    return Report(
        start=start,
        end=end,
        requests=sum(int(count) for count in statuses.values()),
        assignments=counted.assignments,
        placed=sum(int(statuses.get(status, 0)) for status in PLACED),
        unfilled=int(statuses.get("unfilled", 0)),
        allowance_months=_allowance_months(session, start, end, pool_id),
        rejections=rejections_by_rule(session, start, end, pool_id=pool_id, titles=titles or {}),
        unfilled_reasons=_unfilled(session, in_period),
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
        breakdowns=counted.breakdowns,
        budgets=tuple(
            year_budget(session, year, pool_id=pool_id) for year in range(start.year, end.year + 1)
        ),
        feedback=feedback_figures.feedback_figures(session, start, end, pool_id=pool_id),
        received=received_from,
        given=given_to,
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
    """Flatten the report's key figures into (section, label, value) rows for CSV, XLSX and text."""
    rate = report.placement_rate
    out = [
        ("Zeitraum", "Bezeichnung", report.label),
        ("Zeitraum", "von", date_de(report.start)),
        ("Zeitraum", "bis", date_de(report.end)),
        *(("Gezählt", MEASURES[key], how) for key, how in COUNTED_BY.items()),
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
    out += _exchange_rows("Von anderen Pools erhalten", report.received)
    out += _exchange_rows("An andere Pools gegeben", report.given)
    out += [("Abgelehnt nach Regel", rule, str(count)) for rule, count in report.rejections]
    out += [("Nicht besetzt nach Grund", reason, str(count)) for reason, count in report.unfilled_reasons]
    if report.feedback is not None:
        out += feedback_figures.rows(report.feedback)
    return out


def _exchange_rows(section: str, lines: tuple[ExchangeLine, ...]) -> list[tuple[str, str, str]]:
    """Give per other pool the completed assignments, their hours and allowances."""
    out = []
    for line in lines:
        out += [
            (section, f"{line.pool_name}: Einsätze", str(line.assignments)),
            (section, f"{line.pool_name}: Stunden", str(line.hours).replace(".", ",")),
            (section, f"{line.pool_name}: Aufwandsentschädigungen (EUR)", money_plain(line.amount)),
        ]
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
    share, remaining = budget.share_percent, budget.remaining
    return [
        (section, "Zuschuss (EUR)", money_plain(budget.budget)),
        (section, "Ausgezahlt bzw. gebucht im ganzen Jahr (EUR)", money_plain(budget.spent)),
        (section, "Anteil am Zuschuss (%)", "–" if share is None else str(share).replace(".", ",")),
        (section, "Verbleibend (EUR)", "–" if remaining is None else money_plain(remaining)),
    ]


def to_csv(report: Report) -> bytes:
    """Render the report as CSV for German Excel (BOM, ';', CRLF), formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Bereich", "Kennzahl", "Wert"])
    for section, label, value in rows(report):
        writer.writerow([neutralise(section), neutralise(label), neutralise(value)])
    for breakdown in report.breakdowns:  # each breakdown as its own table, after an empty line
        writer.writerow([])
        writer.writerows([neutralise(cell) for cell in line] for line in table(breakdown))
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
    for breakdown in report.breakdowns:
        _breakdown_sheet(workbook.create_sheet(breakdown.name), breakdown)
    moment = datetime.combine(report.start, time())
    workbook.properties.created = moment
    workbook.properties.modified = moment
    workbook.properties.creator = "Sprachmittlerpool"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return buffer.getvalue()


def _breakdown_sheet(sheet: Any, breakdown: Breakdown) -> None:
    """Write one breakdown on its own sheet: hours and euros as numbers with their format."""
    for number, line in enumerate(table(breakdown), start=1):
        set_text(sheet.cell(number, 1), line[0])
        for column, value in enumerate(line[1:], start=2):
            if number == 1:
                set_text(sheet.cell(number, column), value)
            elif MONEY_TEXT.match(value):
                sheet.cell(number, column, Decimal(value.replace(",", "."))).number_format = '#,##0.00 "€"'
            elif HOURS_TEXT.match(value):
                sheet.cell(number, column, Decimal(value.replace(",", "."))).number_format = "#,##0.0"
            else:
                sheet.cell(number, column, int(value))
    sheet.column_dimensions["A"].width = 36
    sheet.freeze_panes = "B2"


def to_text(report: Report) -> str:
    """Render the report as plain text for the terminal."""
    lines, section = [], None
    for current, label, value in rows(report):
        if current != section:
            lines.append(f"\n{current}" if section else current)
            section = current
        lines.append(f"  {label}: {value}")
    for breakdown in report.breakdowns:
        lines.append(f"\nNach {breakdown.name}")
        lines += [
            f"  {row.label}: "
            + ", ".join(f"{title} {figure_de(row, key)}" for key, title in MEASURES.items())
            for row in (*breakdown.rows, breakdown.total)
        ]
    total = f"\nSumme Aufwandsentschädigungen: {money_de(report.allowances)}"
    if report.provisional:
        total += f" (davon vorläufig, Monate noch offen: {money_de(report.allowances_open)})"
    lines.append(total)
    return "\n".join(lines) + "\n"
