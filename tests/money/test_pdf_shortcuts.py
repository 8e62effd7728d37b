"""The PDF shortcuts change nothing a reader sees: the font measured once per process, one-line cells as cells."""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from fpdf import FPDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from sprachmittlerpool.exports import pdf_export, pdf_fonts
from sprachmittlerpool.exports.pdf_export import LINE, line_count
from sprachmittlerpool.exports.pdf_fonts import FONT, FONT_DIR, FONT_FILES, add_fonts
from sprachmittlerpool.reports import pdf as report_pdf
from tests.money.builders import item, line, payout_list, payout_lists
from tests.reports.test_report_pdf import _report

MADE = datetime(2025, 4, 1, 10, 30)
WORDS = ("Olena Kowalenko – Größe", "Αλέξανδρος", "Алексей Петров", "محمد الأحمد")


def _document(register, words: tuple[str, ...]) -> bytes:
    pdf = FPDF()
    register(pdf)
    pdf.set_creation_date(datetime(2025, 3, 31, 18, 0, tzinfo=UTC))
    pdf.add_page()
    for style in FONT_FILES:
        pdf.set_font(FONT, style=style, size=11)
        for word in words:
            pdf.cell(0, 8, word, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _fpdf_own(pdf: FPDF) -> None:
    for style, filename in FONT_FILES.items():
        pdf.add_font(FONT, style=style, fname=str(FONT_DIR / filename))


def test_documents_from_the_kept_font_are_byte_identical_to_fpdf2_s_own_and_do_not_share_subsets() -> None:
    expected_short = _document(_fpdf_own, WORDS[:1])
    expected_long = _document(_fpdf_own, WORDS)

    # long first: a subset shared between documents would carry its Greek, Cyrillic, Arabic into the short one
    assert _digest(_document(add_fonts, WORDS)) == _digest(expected_long)
    assert _digest(_document(add_fonts, WORDS[:1])) == _digest(expected_short)
    assert _digest(_document(add_fonts, WORDS)) == _digest(expected_long)
    assert len(expected_short) < len(expected_long)


def test_the_quick_one_line_answer_agrees_with_fpdf2_s_layout_near_every_column_edge() -> None:
    pdf = FPDF()
    add_fonts(pdf)
    pdf.add_page()
    pieces = ("1.234,56 €", "Olena Kowalenko", "Städtische Gemeinschaftsgrundschule", "Алексей", "مرحبا", "W")
    checked = 0
    for style in ("", "B"):
        pdf.set_font(FONT, style=style, size=8)
        for width in (16.0, 20.0, 22.0, 30.0, 40.0, 52.0):
            for piece in pieces:
                for repeat in range(1, 9):  # from well inside the column to past its edge
                    value = " ".join([piece] * repeat)
                    laid_out = len(pdf.multi_cell(width, LINE, value, dry_run=True, output="LINES")) or 1
                    assert line_count(pdf, value, width) == laid_out, (style, width, value)
                    checked += 1
    assert checked == 2 * 6 * 6 * 8


_KEPT_FONT = FPDF()
add_fonts(_KEPT_FONT)
_PRINTABLE = sorted(chr(code) for code in _KEPT_FONT.fonts[FONT.lower()].cmap if chr(code).isprintable())


@settings(max_examples=200, deadline=None)
@given(
    value=st.text(alphabet=st.sampled_from(_PRINTABLE), min_size=1, max_size=40),
    style=st.sampled_from(("", "B")),
    size=st.sampled_from((7, 8, 9.5, 11, 14)),
)
def test_the_quick_width_is_fpdf2_s_width(value: str, style: str, size: float) -> None:
    """Any text of the font's characters, Arabic and Hebrew included (fpdf2 reorders them, widths add up)."""
    pdf = FPDF()
    add_fonts(pdf)
    pdf.set_font(FONT, style=style, size=size)
    assert pdf_export._text_width(pdf, pdf.current_font, value) == pytest.approx(
        pdf.get_string_width(value), abs=1e-9
    )


def _without_shortcut(monkeypatch, make):
    with monkeypatch.context() as patched:
        patched.setattr(pdf_export, "fits_one_line", lambda *_: False)
        patched.setattr(report_pdf, "fits_one_line", lambda *_: False)  # the report's paragraphs
        return make()


def _pages(data: bytes) -> list[str]:
    """Each page's text as laid out (positions become spacing): what a reader of the PDF sees."""
    return [page.extract_text(extraction_mode="layout") for page in PdfReader(io.BytesIO(data)).pages]


def _digest(data: bytes) -> str:
    return hashlib.sha256(
        data
    ).hexdigest()  # compared instead of the bytes: pytest's diff of two PDFs takes minutes


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payouts=payout_lists)
def test_payout_lists_read_the_same_with_and_without_the_one_line_shortcut(monkeypatch, payouts) -> None:
    """The same text in the same places; the bytes may differ (glyphs enter the subset in another order)."""
    closed = replace(payouts, closed=True, closed_at=MADE)  # an open list is dated when it is made
    quick = pdf_export.to_pdf(closed)
    assert _pages(quick) == _pages(_without_shortcut(monkeypatch, lambda: pdf_export.to_pdf(closed)))
    assert _digest(pdf_export.to_pdf(closed)) == _digest(quick)  # a closed month's PDF stays byte-identical


def _as_cell(pdf: FPDF, x: float, top: float, width: float, value: str, align: str) -> None:
    """What a plain line was before `text`: fpdf2's own cell."""
    pdf.set_xy(x, top)
    pdf.cell(width, LINE, value, align=align)


def _starts(data: bytes) -> Counter[tuple[str, str]]:
    """Where each piece of text starts, as written in the pages (points, two decimals)."""
    starts: Counter[tuple[str, str]] = Counter()
    for page in PdfReader(io.BytesIO(data)).pages:
        starts.update(
            re.findall(r"BT ([\d.]+) ([\d.]+) Td", page.get_contents().get_data().decode("latin-1"))
        )
    return starts


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payouts=payout_lists)
def test_plain_lines_start_exactly_where_fpdf2_s_cells_start_them(monkeypatch, payouts) -> None:
    closed = replace(payouts, closed=True, closed_at=MADE)
    report = _report(30)
    quick = [pdf_export.to_pdf(closed), report_pdf.to_pdf(report, pool_name="Kreis Heinsberg", now=MADE)]
    with monkeypatch.context() as patched:
        patched.setattr(pdf_export, "_line", _as_cell)
        cells = [pdf_export.to_pdf(closed), report_pdf.to_pdf(report, pool_name="Kreis Heinsberg", now=MADE)]

    assert [_starts(data) for data in quick] == [_starts(data) for data in cells]


def test_awkward_cells_and_a_report_read_the_same_with_and_without_the_shortcut(monkeypatch) -> None:
    awkward = ("Kita  Regenbogen", " Kita", "Kita ", "Kita\nSonnenschein", "", "W" * 40, "Семья Петровых")
    awkward += ("Soft\xadhyphen", "Steuer\x0fzeichen", "\U000457a6 fehlt im Font", "6 ")
    items = (item(f"a{n}", institution=text, note=text) for n, text in enumerate(awkward))
    payouts = payout_list(line("7", "Ahmad Said", *items))
    assert _pages(pdf_export.to_pdf(payouts)) == _pages(
        _without_shortcut(monkeypatch, lambda: pdf_export.to_pdf(payouts))
    )
    report = _report(30)
    # a pool name a little wider than the page: its paragraph wraps either way
    for pool in ("Kreis Heinsberg", LONG_POOL_NAME):
        assert _pages(report_pdf.to_pdf(report, pool_name=pool, now=MADE)) == _pages(
            _without_shortcut(
                monkeypatch, lambda pool=pool: report_pdf.to_pdf(report, pool_name=pool, now=MADE)
            )
        )


LONG_POOL_NAME = (
    "Kommunales Integrationszentrum des Kreises Heinsberg, Sprachmittlerpool für Kitas, Schulen, "
    "Beratungsstellen und Behörden im ganzen Kreisgebiet Heinsberg"
)  # 10 pt: a little wider than a landscape page's 267 mm


def _fpdf2_cut(monkeypatch, module, make):
    """Make a document with fpdf2 cutting each font down from the whole font file, as without pdf_fonts.write."""
    with monkeypatch.context() as patched:
        patched.setattr(module, "write", lambda pdf: bytes(pdf.output()))
        return make()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payouts=payout_lists)
def test_payout_lists_from_the_kept_cut_fonts_are_byte_identical_to_fpdf2_s_own_cut(
    monkeypatch, payouts
) -> None:
    closed = replace(payouts, closed=True, closed_at=MADE)
    kept = pdf_export.to_pdf(closed)
    assert _digest(kept) == _digest(_fpdf2_cut(monkeypatch, pdf_export, lambda: pdf_export.to_pdf(closed)))


def test_other_scripts_and_a_report_from_the_kept_cut_fonts_are_byte_identical_to_fpdf2_s_own_cut(
    monkeypatch,
) -> None:
    """Cyrillic, Arabic, Greek and superscripts are not among the common glyphs; missing glyphs stay missing."""
    texts = (*WORDS, "²³ Größe 1.234,56 €", "Steuer\x0fzeichen", "\U000457a6 fehlt im Font")
    payouts = payout_list(
        line("7", "Ahmad Said", *(item(f"a{n}", institution=t, note=t) for n, t in enumerate(texts)))
    )
    pdf_fonts._cut.cache_clear()
    for _ in range(2):  # the cut-down fonts first made for this document, then taken from those kept
        assert _digest(pdf_export.to_pdf(payouts)) == _digest(
            _fpdf2_cut(monkeypatch, pdf_export, lambda: pdf_export.to_pdf(payouts))
        )
    report = _report(30)
    made = lambda: report_pdf.to_pdf(report, pool_name="Kreis Heinsberg", now=MADE)  # noqa: E731
    assert _digest(made()) == _digest(_fpdf2_cut(monkeypatch, report_pdf, made))
