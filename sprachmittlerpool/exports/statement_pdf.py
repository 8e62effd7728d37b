"""A volunteer's statement of allowances as an A4 PDF, laid out like the payout list (same font, same wrapping)."""

from __future__ import annotations

from datetime import datetime

from fpdf import FPDF

from sprachmittlerpool.exports.formatting import date_de, money_de
from sprachmittlerpool.exports.pdf_export import (
    BERLIN,
    LANGUAGE,
    LINE,
    ROW,
    ensure_room,
    line_count,
    wrapped_row,
)
from sprachmittlerpool.exports.pdf_fonts import FONT, add_fonts, write
from sprachmittlerpool.german import date_long, minutes_words
from sprachmittlerpool.services.allowance_statement import Statement, StatementItem

COLUMNS = (("Datum", 22.0), ("Einrichtung", 44.0), ("Sprache", 28.0), ("Dauer", 24.0))
COLUMNS += (("Betrag", 22.0), ("Ausgezahlt", 40.0))
RIGHT_ALIGNED = ("Betrag",)
LAW = "§ 3 Nr. 26a EStG"


class _StatementPdf(FPDF):
    """An A4 page whose footer names the volunteer and the page, so loose pages stay attributable."""

    def __init__(self, statement: Statement) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.statement = statement
        add_fonts(self)
        self.set_auto_page_break(auto=True, margin=20)
        self.set_margins(15, 15, 15)

    def footer(self) -> None:
        """Print who the statement is for and the page number on every page."""
        self.set_y(-15)
        self.set_font(FONT, size=7)
        text = f"{self.statement.volunteer_name} · {self.statement.label} · Seite {self.page_no()}/{{nb}}"
        self.cell(0, 5, text, align="C")


def to_pdf(statement: Statement) -> bytes:
    """Render the statement as PDF bytes."""
    pdf = _StatementPdf(statement)
    pdf.set_creation_date(datetime.now(BERLIN).replace(microsecond=0))
    pdf.set_lang(LANGUAGE)
    pdf.set_title(f"Nachweis der Aufwandsentschädigungen – {statement.label}")
    pdf.set_subject(f"Aufwandsentschädigung – {statement.pool_name}")
    pdf.set_creator("Sprachmittlerpool")
    pdf.add_page()
    _heading(pdf, statement)
    _header_row(pdf)
    for item in statement.items:
        _item_row(pdf, item)
    if not statement.items:
        pdf.set_font(FONT, size=9)
        pdf.multi_cell(0, ROW, "In diesem Zeitraum wurde nichts gebucht.", new_x="LMARGIN", new_y="NEXT")
    _totals(pdf, statement)
    return write(pdf)


def _paragraph(pdf: FPDF, text: str, *, size: float = 10, style: str = "", height: float = ROW) -> None:
    pdf.set_font(FONT, style=style, size=size)
    pdf.multi_cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: FPDF, statement: Statement) -> None:
    """Print title, the paying pool, the person and the date it was made."""
    _paragraph(pdf, f"Nachweis der Aufwandsentschädigungen – {statement.label}", size=15, style="B", height=9)
    _paragraph(pdf, f"Ehrenamtliche Sprachmittlung – {statement.pool_name}")
    _paragraph(pdf, f"Für: {statement.volunteer_name} (Nr. {statement.volunteer_id})")
    _paragraph(pdf, f"Stand: {date_long(statement.made_on)}")
    pdf.ln(4)


def _header_row(pdf: FPDF) -> None:
    pdf.set_font(FONT, style="B", size=8)
    for title, width in COLUMNS:
        pdf.cell(width, ROW, title, border="B", align="R" if title in RIGHT_ALIGNED else "L")
    pdf.ln(ROW)


def _item_row(pdf: FPDF, item: StatementItem) -> None:
    """Print one payout entry with wrapping columns, then a line that explains a correction or a late entry."""
    pdf.set_font(FONT, size=8)
    duration = "–" if item.duration_minutes is None else minutes_words(item.duration_minutes)
    values = (
        date_de(item.day),
        item.institution_type,
        item.language,
        duration,
        money_de(item.amount),
        item.paid,
    )
    height = max(
        ROW,
        LINE * max(line_count(pdf, value, width) for (_, width), value in zip(COLUMNS, values, strict=True)),
    )
    ensure_room(pdf, height)
    wrapped_row(pdf, COLUMNS, values, height, RIGHT_ALIGNED)
    if item.note:
        pdf.set_font(FONT, style="I", size=7)
        ensure_room(pdf, LINE)
        pdf.set_x(pdf.l_margin + 22)
        pdf.multi_cell(158, LINE, item.note, align="L", new_x="LMARGIN", new_y="NEXT")


def _totals(pdf: FPDF, statement: Statement) -> None:
    """Print the period's sum, the year's total against the Ehrenamtspauschale and whether it is final."""
    ensure_room(pdf, 4 * ROW)
    pdf.set_font(FONT, style="B", size=9)
    pdf.cell(118, ROW, f"Summe {statement.label}", border="T")
    pdf.cell(22, ROW, money_de(statement.total), border="T", align="R")
    pdf.cell(40, ROW, "", border="T", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    year = statement.year
    through = "" if len(statement.period) == 4 else f" (bis {statement.label})"
    _paragraph(pdf, f"Summe {year}{through}: {money_de(statement.year_total)}", size=9)
    _paragraph(pdf, f"Ehrenamtspauschale {year} ({LAW}): {money_de(statement.limit)}", size=9)
    if statement.remaining >= 0:
        _paragraph(pdf, f"Davon noch nicht ausgeschöpft: {money_de(statement.remaining)}", size=9)
    else:
        _paragraph(
            pdf, f"Die Ehrenamtspauschale ist um {money_de(-statement.remaining)} überschritten.", size=9
        )
    if statement.provisional:
        pdf.ln(2)
        _paragraph(
            pdf,
            "Vorläufig: Beträge aus Monaten, die noch nicht abgeschlossen sind, können sich noch ändern.",
            size=8,
            style="I",
            height=LINE,
        )
