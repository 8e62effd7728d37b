"""The committee's report as a printable A4 PDF (landscape, so a breakdown's eight columns fit one line).

It holds what the page holds, in the same words: the period and how each figure counts, the key figures,
the year against the state grant, each breakdown as a table, rejections by rule and unfilled requests by
reason. A table that runs over a page repeats its heading row on the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from fpdf import FPDF

from sprachmittlerpool.exports.formatting import date_de, money_de
from sprachmittlerpool.exports.pdf_export import (
    BERLIN,
    LANGUAGE,
    LINE,
    fits_one_line,
    line_count,
    wrapped_row,
)
from sprachmittlerpool.exports.pdf_fonts import FONT, add_fonts, write
from sprachmittlerpool.services.feedback_figures import FeedbackFigures
from sprachmittlerpool.services.report_breakdowns import COUNTED_BY, MEASURES, Breakdown, figure_de
from sprachmittlerpool.services.reports import Report
from sprachmittlerpool.tax_limits import BudgetStatus

Columns = tuple[tuple[str, float], ...]

ROW = 6.0
WIDTH = 267.0  # A4 landscape less 15 mm margins
MEASURE_WIDTHS = {
    "requests": 22.0,
    "assignments": 22.0,
    "hours": 22.0,
    "allowances": 50.0,
    "rejected": 26.0,
    "unfilled": 28.0,
    "cancelled": 26.0,
}
BUDGET_COLUMNS: Columns = (
    ("Jahr", 30.0),
    ("Zuschuss", 55.0),
    ("ausgezahlt bzw. gebucht", 62.0),
    ("Anteil", 50.0),
    ("verbleibend", 70.0),
)


class _ReportPdf(FPDF):
    """A4 landscape pages whose footer names the report and the page, and whose header repeats a table's head."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.footer_text = footer_text
        self.table_head: tuple[Columns, Sequence[str]] | None = None  # the table being printed
        add_fonts(self, styles=("", "B"))  # no italics in a report
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(15, 15, 15)

    def header(self) -> None:
        """On a page that continues a table, print its heading row again."""
        if self.table_head is not None:
            _row(self, *self.table_head, bold=True)

    def footer(self) -> None:
        """Print the report's name and the page number on every page."""
        self.set_y(-13)
        self.set_font(FONT, size=7)
        self.cell(0, 5, f"{self.footer_text} · Seite {self.page_no()}/{{nb}}", align="C")


def to_pdf(report: Report, *, pool_name: str, now: datetime | None = None) -> bytes:
    """Render the report as PDF bytes, dated ``now`` (Berlin time; the current time by default)."""
    moment = (now or datetime.now(BERLIN).replace(tzinfo=None)).replace(microsecond=0)
    pdf = _ReportPdf(f"Bericht {report.label} – {pool_name}")
    pdf.set_creation_date(moment.replace(tzinfo=BERLIN))
    pdf.set_lang(LANGUAGE)
    pdf.set_title(f"Bericht für den Ausschuss: {report.label}")
    pdf.set_subject(pool_name)
    pdf.set_creator("Sprachmittlerpool")
    pdf.add_page()
    _heading(pdf, report, pool_name, moment)
    _key_figures(pdf, report)
    _budgets(pdf, report.budgets)
    for breakdown in report.breakdowns:
        _breakdown(pdf, breakdown)
    _counts(pdf, "Abgelehnt nach Regel", "Regel", report.rejections)
    _counts(pdf, "Nicht besetzt nach Grund", "Grund", report.unfilled_reasons)
    if report.feedback is not None:
        _feedback(pdf, report.feedback)
    return write(pdf)


def _heading(pdf: _ReportPdf, report: Report, pool_name: str, moment: datetime) -> None:
    """Print title, pool, period and how each figure is counted."""
    pdf.set_font(FONT, style="B", size=15)
    _paragraph(pdf, "Bericht für den Ausschuss", height=9)
    pdf.set_font(FONT, size=10)
    _paragraph(pdf, pool_name)
    _paragraph(pdf, f"Zeitraum: {report.label} ({date_de(report.start)} bis {date_de(report.end)})")
    _paragraph(pdf, f"Erstellt am {date_de(moment.date())} um {moment:%H:%M} Uhr")
    pdf.ln(2)
    _section(pdf, "So wird gezählt")
    pdf.set_font(FONT, size=8.5)
    for key, how in COUNTED_BY.items():
        _paragraph(pdf, f"{MEASURES[key]}: {how}", height=LINE + 0.5)


def _key_figures(pdf: _ReportPdf, report: Report) -> None:
    """Print the period's key figures as a two-column table."""
    rate = report.placement_rate
    allowances = money_de(report.allowances) + (
        " (vorläufig: Monate noch offen)" if report.provisional else ""
    )
    figures = (
        ("Anfragen", f"{report.requests:,}".replace(",", ".")),
        ("Einsätze (abgeschlossen)", f"{report.assignments:,}".replace(",", ".")),
        ("Vermittlungsquote (vermittelt ÷ vermittelt + nicht besetzt)", _percent(rate)),
        ("Aufwandsentschädigungen", allowances),
        ("aktive Sprachmittelnde", str(report.active_volunteers)),
        ("abgedeckte Sprachen", str(report.languages_covered)),
    )
    _table(pdf, "Kennzahlen", (("Kennzahl", 120.0), ("Wert", 80.0)), [list(f) for f in figures])


def _budgets(pdf: _ReportPdf, budgets: Sequence[BudgetStatus]) -> None:
    """Print each year the period touches against the state grant recorded for it."""
    rows = [
        [
            str(b.year),
            "kein Zuschuss hinterlegt" if b.budget is None else money_de(b.budget),
            money_de(b.spent),
            _percent(b.share_percent),
            "–" if b.remaining is None else money_de(b.remaining),
        ]
        for b in budgets
    ]
    _table(pdf, "Landeszuschuss: ganzes Jahr gegen den Zuschuss", BUDGET_COLUMNS, rows)


def _breakdown(pdf: _ReportPdf, breakdown: Breakdown) -> None:
    """Print one breakdown, a row per value and the total."""
    label_width = WIDTH - sum(MEASURE_WIDTHS.values())
    columns: Columns = ((breakdown.name, label_width), *((MEASURES[k], w) for k, w in MEASURE_WIDTHS.items()))
    rows = [
        [row.label, *(figure_de(row, key) for key in MEASURES)] for row in (*breakdown.rows, breakdown.total)
    ]
    _table(pdf, f"Nach {breakdown.name}", columns, rows, total=True)


def _counts(pdf: _ReportPdf, title: str, what: str, items: Sequence[tuple[str, int]]) -> None:
    """Print a list of reasons with their counts."""
    rows = [[label, str(count)] for label, count in items] or [["keine", "0"]]
    _table(pdf, title, ((what, 150.0), ("Anfragen", 40.0)), rows)


def _feedback(pdf: _ReportPdf, figures: FeedbackFigures) -> None:
    """Print the feedback per side: answers, average and spread 1–5 (never a comment), then the debriefing wishes."""
    columns: Columns = (
        ("Rückmeldungen von", 67.0), ("Eingegangen", 35.0), ("Durchschnitt", 35.0),
        *((f"Bewertung {n}", 26.0) for n in range(1, 6)),
    )  # fmt: skip
    rows = [
        [side.name, str(side.received), _average(side.average), *(str(n) for n in side.distribution)]
        for side in figures.sides
    ]
    _table(pdf, "Rückmeldungen nach Einsätzen (nach dem Tag des Eingangs)", columns, rows)
    _paragraph(pdf, f"Nachgespräch gewünscht: {figures.debriefings}")


def _average(value: object) -> str:
    return "–" if value is None else str(value).replace(".", ",")


def _table(
    pdf: _ReportPdf,
    title: str,
    columns: Columns,
    rows: Sequence[Sequence[str]],
    *,
    total: bool = False,
) -> None:
    """Print a titled table; its heading row is repeated on each page it runs onto."""
    heading = [name for name, _ in columns]
    needed = 7 + (len(rows) + 1) * ROW
    page_room = pdf.page_break_trigger - pdf.t_margin
    if pdf.get_y() + min(needed, 7 + 4 * ROW) > pdf.page_break_trigger or (
        needed <= page_room and pdf.get_y() + needed > pdf.page_break_trigger
    ):
        pdf.add_page()  # a short table stays on one page; a long one never leaves its title alone
    _section(pdf, title)
    _row(pdf, columns, heading, bold=True)
    pdf.table_head = (columns, heading)
    for index, values in enumerate(rows):
        _row(pdf, columns, values, bold=total and index == len(rows) - 1)
    pdf.table_head = None
    pdf.ln(3)


def _row(pdf: _ReportPdf, columns: Columns, values: Sequence[str], *, bold: bool = False) -> None:
    """Print one row, each cell wrapping inside its column, figures (every column but the first) flush right."""
    pdf.set_font(FONT, style="B" if bold else "", size=8)
    height = max(ROW, LINE * max(line_count(pdf, v, w) for (_, w), v in zip(columns, values, strict=True)))
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()
        pdf.set_font(FONT, style="B" if bold else "", size=8)
    top = pdf.get_y()
    wrapped_row(pdf, columns, values, height, [name for name, _ in columns[1:]])
    pdf.set_draw_color(200)
    pdf.line(pdf.l_margin, top + height, pdf.l_margin + sum(w for _, w in columns), top + height)


def _section(pdf: FPDF, title: str) -> None:
    pdf.set_font(FONT, style="B", size=11)
    _paragraph(pdf, title, height=7)


def _paragraph(pdf: FPDF, text: str, *, height: float = ROW) -> None:
    """Print a paragraph across the page; one that plainly fits one line as a plain cell, at a fifth of the cost."""
    if fits_one_line(pdf, text, pdf.epw):
        pdf.cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.multi_cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")


def _percent(share: object) -> str:
    return "–" if share is None else f"{share} %".replace(".", ",")
