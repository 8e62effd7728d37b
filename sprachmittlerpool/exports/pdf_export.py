"""The payout list as a printable A4 PDF for the treasury.

A closed month's PDF is byte-identical whenever it is made (its creation date is the closing
time); an open month's is dated when it is made. Long names and institutions wrap inside their
columns, and a volunteer's block that runs over a page starts the next page with the name and id.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.fonts import TTFFont

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
from sprachmittlerpool.exports.pdf_fonts import COMMON, FONT, add_fonts, write

BERLIN = ZoneInfo("Europe/Berlin")
LANGUAGE = "de-DE"
ROW = 6.0
LINE = 4.0  # height of one wrapped line inside a table row
COLUMNS = (("Datum", 22.0), ("Einsatz", 20.0), ("Einrichtung", 52.0), ("Dauer", 16.0))
COLUMNS += (("Ergebnis", 40.0), ("Betrag", 30.0))
RIGHT_ALIGNED = ("Dauer", "Betrag")


class _PayoutPdf(FPDF):
    """An A4 page layout whose footer carries page numbers and the list's checksum."""

    def __init__(self, digest: str, *, italic: bool) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.digest = digest
        self.continuing: PayoutLine | None = None  # the volunteer whose block is being printed
        add_fonts(self, styles=("", "B", "I") if italic else ("", "B"))  # italics only for remarks
        self.set_auto_page_break(auto=True, margin=20)
        self.set_margins(15, 15, 15)

    def header(self) -> None:
        """On a page that continues a volunteer's block, name the volunteer again and repeat the columns."""
        if self.continuing is None:
            return
        _name(self, self.continuing, suffix=" (Fortsetzung)")
        _header_row(self)

    def footer(self) -> None:
        """Print the page number and the checksum on every page."""
        self.set_y(-15)
        self.set_font(FONT, size=7)
        text = f"Seite {self.page_no()}/{{nb}} · Prüfsumme (SHA-256 der CSV-Fassung): {self.digest}"
        self.cell(0, 5, text, align="C")


def to_pdf(payout_list: PayoutList) -> bytes:
    """Render the payout list as PDF bytes."""
    remarks = any(_remark(item) for line in payout_list.lines for item in line.items)
    pdf = _PayoutPdf(content_digest(payout_list), italic=remarks)
    pdf.set_creation_date(created_at(payout_list))
    pdf.set_lang(LANGUAGE)
    pdf.set_title(f"Auszahlungsliste {payout_list.month}")
    pdf.set_subject(f"Aufwandsentschädigung – {payout_list.pool_name}")
    pdf.set_creator("Sprachmittlerpool")
    pdf.add_page()
    _heading(pdf, payout_list)
    for line in payout_list.sorted_lines():
        _volunteer(pdf, line)
    _grand_total(pdf, payout_list)
    return write(pdf)


def created_at(payout_list: PayoutList) -> datetime:
    """Date a closed list by its closing (so it stays byte-identical), an open one by now."""
    if payout_list.closed and payout_list.closed_at is not None:
        return payout_list.closed_at.replace(microsecond=0, tzinfo=BERLIN)
    return datetime.now(BERLIN).replace(microsecond=0)


def _heading(pdf: _PayoutPdf, payout_list: PayoutList) -> None:
    """Print title, pool and whether the month is closed."""
    pdf.set_font(FONT, style="B", size=15)
    pdf.multi_cell(
        0, 9, f"Auszahlungsliste {month_de(payout_list.month)}", align="L", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(
        0, ROW, f"Aufwandsentschädigung – {payout_list.pool_name}", align="L", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.multi_cell(0, ROW, f"Stand: {status_de(payout_list)}", align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _name(pdf: _PayoutPdf, line: PayoutLine, suffix: str = "") -> None:
    """Print a volunteer's name and id as a heading that wraps when long."""
    pdf.set_font(FONT, style="B", size=11)
    pdf.multi_cell(
        0, 6, f"{line.name} ({line.volunteer_id}){suffix}", align="L", new_x="LMARGIN", new_y="NEXT"
    )


def _volunteer(pdf: _PayoutPdf, line: PayoutLine) -> None:
    """Print one volunteer's items, sum and year-to-date total."""
    pdf.set_font(FONT, style="B", size=11)
    heading = len(pdf.multi_cell(0, 6, f"{line.name} ({line.volunteer_id})", dry_run=True, output="LINES"))
    if pdf.get_y() + heading * 6 + 3 * ROW > pdf.page_break_trigger:
        pdf.add_page()  # no heading alone at the foot of a page
    _name(pdf, line)
    _header_row(pdf)
    pdf.continuing = line
    for item in line.sorted_items():
        _item_row(pdf, item)
    ensure_room(pdf, ROW + 5)
    pdf.continuing = None
    pdf.set_font(FONT, style="B", size=9)
    pdf.cell(150, ROW, "Summe", border="T")
    pdf.cell(30, ROW, money_de(line.amount), border="T", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=8)
    note = f"Summe seit Jahresbeginn: {money_de(line.year_to_date)}"
    if line.limit_warning:
        note += f" – Achtung: {warning_de(line.limit_warning)}"
    pdf.multi_cell(0, 5, note, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _header_row(pdf: FPDF) -> None:
    """Print the column headings of an items table."""
    pdf.set_font(FONT, style="B", size=8)
    for title, width in COLUMNS:
        pdf.cell(width, ROW, title, border="B", align="R" if title in RIGHT_ALIGNED else "L")
    pdf.ln(ROW)


def ensure_room(pdf: FPDF, height: float) -> None:
    """Start a new page when ``height`` no longer fits on this one (the header then names the volunteer)."""
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()


def _item_row(pdf: _PayoutPdf, item: PayoutItem) -> None:
    """Print one assignment with wrapping columns, then a wrapped line for a correction or a remark."""
    pdf.set_font(FONT, size=8)
    values = (date_de(item.date), item.assignment_id, item.institution, f"{item.duration_minutes} Min.")
    values += (outcome_de(item.outcome), money_de(item.amount))
    remark = _remark(item)
    height = max(
        ROW,
        LINE * max(line_count(pdf, value, width) for (_, width), value in zip(COLUMNS, values, strict=True)),
    )
    ensure_room(pdf, height)
    wrapped_row(pdf, COLUMNS, values, height, RIGHT_ALIGNED)
    if remark:
        pdf.set_font(FONT, style="I", size=7)
        ensure_room(pdf, LINE * line_count(pdf, remark, 158))
        pdf.set_x(pdf.l_margin + 22)
        pdf.multi_cell(158, LINE, remark, align="L", new_x="LMARGIN", new_y="NEXT")


def _remark(item: PayoutItem) -> str:
    """The line under an assignment: what it corrects and the coordinator's note, if any."""
    return " · ".join(
        part for part in (f"Korrektur zu {item.corrects}" if item.corrects else "", item.note) if part
    )


def line_count(pdf: FPDF, value: str, width: float) -> int:
    """Count the lines ``value`` takes in a column of ``width``.

    Most cells (amounts, dates, short names) fit on one line: their width, a sum of character widths,
    says so without laying the cell out (fpdf2's dry run costs as much as printing it). A cell that comes
    near the column's edge is laid out as before.
    """
    if fits_one_line(pdf, value, width):
        return 1
    return len(pdf.multi_cell(width, LINE, value, dry_run=True, output="LINES")) or 1


def fits_one_line(pdf: FPDF, value: str, width: float) -> bool:
    """Tell whether ``value`` plainly fits one line of a column: what `multi_cell` would print unchanged.

    Only printable text the font has every glyph of, without surrounding or doubled spaces: line breaks,
    soft hyphens, control characters and missing glyphs are `multi_cell`'s to handle.
    """
    plain = value.isprintable() and value == value.strip() and "  " not in value
    font = pdf.current_font
    if not plain or not isinstance(font, TTFFont) or not all(ord(char) in font.cmap for char in value):
        return False
    return _text_width(pdf, font, value) < width - 2 * pdf.c_margin - FIT_MARGIN


def _text_width(pdf: FPDF, font: TTFFont, value: str) -> float:
    """Return the printed width of a plain string, in mm: the sum of its characters' advance widths.

    What `get_string_width` computes, without its bidirectional analysis and fragments (a fifth of the
    cost of a table cell); it defers to it when stretching or letter spacing are set.
    """
    if pdf.font_stretching != 100 or pdf.char_spacing:
        return pdf.get_string_width(value)
    return sum(font.cw[ord(char)] for char in value) * pdf.font_size_pt * 0.001 / pdf.k


FIT_MARGIN = 0.5  # mm kept free before trusting the quick one-line answer, against rounding in the layout


def wrapped_row(
    pdf: FPDF,
    columns: Sequence[tuple[str, float]],
    values: Sequence[str],
    height: float,
    right_aligned: Collection[str],
) -> None:
    """Print the cells of one row side by side, each wrapping inside its column (numbers flush right).

    A cell of Latin text that fits one line is placed where `cell` would print it (`_line`): it looks the
    same as from `multi_cell`, at a seventh of the cost (a payout month has thousands of cells).
    """
    top, x = pdf.get_y(), pdf.l_margin
    for (title, width), value in zip(columns, values, strict=True):
        align = "R" if title in right_aligned else "L"
        if fits_one_line(pdf, value, width) and _left_to_right(value):
            _line(pdf, x, top, width, value, align)
        else:
            pdf.set_xy(x, top)
            pdf.multi_cell(width, LINE, value, align=align)
        x += width
    pdf.set_xy(pdf.l_margin, top + height)


def _line(pdf: FPDF, x: float, top: float, width: float, value: str, align: str) -> None:
    """Print a line of plain text where `cell(width, LINE, value, align=align)` at (x, top) prints it.

    `cell` lays its text out as styled fragments with a bidirectional analysis (70 µs); `text` only
    places it (10 µs). The baseline and the start are `cell`'s: half the line down plus 0.3 of the font
    size, and the cell margin in from the side the text is aligned to.
    """
    if not value:
        return
    assert isinstance(pdf.current_font, TTFFont)  # fits_one_line said so
    start = pdf.c_margin if align == "L" else width - pdf.c_margin - _text_width(pdf, pdf.current_font, value)
    pdf.text(x + start, top + 0.5 * LINE + 0.3 * pdf.font_size, value)


def _left_to_right(value: str) -> bool:
    """Tell whether text is only of the common Latin characters, which need no reordering (`text` does none)."""
    return all(char in _COMMON for char in value)


_COMMON = frozenset(COMMON)


def _grand_total(pdf: FPDF, payout_list: PayoutList) -> None:
    """Print the sum of all volunteers."""
    pdf.ln(2)
    ensure_room(pdf, 8)
    pdf.set_font(FONT, style="B", size=11)
    pdf.cell(150, 8, f"Gesamtsumme ({len(payout_list.lines)} Sprachmittelnde)", border="T")
    pdf.cell(30, 8, money_de(payout_list.total), border="T", align="R", new_x="LMARGIN", new_y="NEXT")
