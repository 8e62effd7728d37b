"""The payout list as a printable A4 PDF for the treasury, byte-identical for identical input."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

from sprachmittlerpool.exports.csv_export import content_digest
from sprachmittlerpool.exports.formatting import (
    date_de,
    money_de,
    month_de,
    outcome_de,
    status_de,
    warning_de,
)
from sprachmittlerpool.exports.payout_list import PayoutItem, PayoutLine, PayoutList

# Names come in Cyrillic, Greek, Arabic …: a shipped Unicode font (DejaVu, free licence) prints them,
# where fpdf2's core fonts would print '?'.
FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
ROW = 6.0
COLUMNS = (("Datum", 22.0), ("Einsatz", 20.0), ("Einrichtung", 52.0), ("Dauer", 16.0))
COLUMNS += (("Ergebnis", 40.0), ("Betrag", 30.0))


class _PayoutPdf(FPDF):
    """An A4 page layout whose footer carries page numbers and the list's checksum."""

    def __init__(self, digest: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.digest = digest
        for style, filename in FONT_FILES.items():
            self.add_font(FONT, style=style, fname=str(FONT_DIR / filename))
        self.set_auto_page_break(auto=True, margin=20)
        self.set_margins(15, 15, 15)

    def footer(self) -> None:
        """Print the page number and the checksum on every page."""
        self.set_y(-15)
        self.set_font(FONT, size=7)
        text = f"Seite {self.page_no()}/{{nb}} · Prüfsumme (SHA-256 der CSV-Fassung): {self.digest}"
        self.cell(0, 5, text, align="C")


def to_pdf(payout_list: PayoutList) -> bytes:
    """Render the payout list as PDF bytes."""
    pdf = _PayoutPdf(content_digest(payout_list))
    pdf.set_creation_date(_fixed_moment(payout_list))
    pdf.set_title(f"Auszahlungsliste {payout_list.month}")
    pdf.set_creator("Sprachmittlerpool")
    pdf.add_page()
    _heading(pdf, payout_list)
    for line in payout_list.sorted_lines():
        _volunteer(pdf, line)
    _grand_total(pdf, payout_list)
    return bytes(pdf.output())


def _fixed_moment(payout_list: PayoutList) -> datetime:
    """Stamp the file with the month's first day instead of the time of rendering."""
    return datetime(payout_list.year, int(payout_list.month[5:7]), 1, tzinfo=UTC)


def _fit(pdf: FPDF, value: str, width: float) -> str:
    """Shorten text with an ellipsis so it stays inside its column."""
    if pdf.get_string_width(value) <= width - 2:
        return value
    while value and pdf.get_string_width(value + "…") > width - 2:
        value = value[:-1]
    return value + "…"


def _heading(pdf: FPDF, payout_list: PayoutList) -> None:
    """Print title, pool and whether the month is closed."""
    pdf.set_font(FONT, style="B", size=15)
    pdf.cell(0, 9, f"Auszahlungsliste {month_de(payout_list.month)}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    pdf.cell(0, ROW, f"Aufwandsentschädigung – {payout_list.pool_name}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, ROW, f"Stand: {status_de(payout_list)}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _volunteer(pdf: FPDF, line: PayoutLine) -> None:
    """Print one volunteer's items, sum and year-to-date total."""
    pdf.set_font(FONT, style="B", size=11)
    pdf.cell(0, 7, _fit(pdf, f"{line.name} ({line.volunteer_id})", 180), new_x="LMARGIN", new_y="NEXT")
    _header_row(pdf)
    for item in line.sorted_items():
        _item_row(pdf, item)
    pdf.set_font(FONT, style="B", size=9)
    pdf.cell(150, ROW, "Summe", border="T")
    pdf.cell(30, ROW, money_de(line.amount), border="T", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=8)
    note = f"Summe seit Jahresbeginn: {money_de(line.year_to_date)}"
    if line.limit_warning:
        note += f" – Achtung: {warning_de(line.limit_warning)}"
    pdf.cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _header_row(pdf: FPDF) -> None:
    """Print the column headings of an items table."""
    pdf.set_font(FONT, style="B", size=8)
    for title, width in COLUMNS:
        pdf.cell(width, ROW, title, border="B", align="R" if title in ("Dauer", "Betrag") else "L")
    pdf.ln(ROW)


def _item_row(pdf: FPDF, item: PayoutItem) -> None:
    """Print one assignment, with a second line for a correction or a remark."""
    pdf.set_font(FONT, size=8)
    values = (date_de(item.date), item.assignment_id, item.institution, f"{item.duration_minutes} Min.")
    values += (outcome_de(item.outcome), money_de(item.amount))
    for (title, width), value in zip(COLUMNS, values, strict=True):
        pdf.cell(width, ROW, _fit(pdf, value, width), align="R" if title in ("Dauer", "Betrag") else "L")
    pdf.ln(ROW)
    remark = " · ".join(
        part for part in (f"Korrektur zu {item.corrects}" if item.corrects else "", item.note) if part
    )
    if remark:
        pdf.set_font(FONT, style="I", size=7)
        pdf.cell(22, 4, "")
        pdf.cell(158, 4, _fit(pdf, remark, 158), new_x="LMARGIN", new_y="NEXT")


def _grand_total(pdf: FPDF, payout_list: PayoutList) -> None:
    """Print the sum of all volunteers."""
    pdf.ln(2)
    pdf.set_font(FONT, style="B", size=11)
    pdf.cell(150, 8, f"Gesamtsumme ({len(payout_list.lines)} Sprachmittelnde)", border="T")
    pdf.cell(30, 8, money_de(payout_list.total), border="T", align="R", new_x="LMARGIN", new_y="NEXT")
