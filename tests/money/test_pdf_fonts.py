"""The shipped font is measured once per process; every document still gets exactly what fpdf2 would make."""

from __future__ import annotations

from datetime import datetime, timezone

from fpdf import FPDF

from sprachmittlerpool.exports.pdf_export import FONT, FONT_DIR, FONT_FILES, add_fonts

WORDS = ("Olena Kowalenko – Größe", "Αλέξανδρος", "Алексей Петров", "محمد الأحمد")


def _document(register, words: tuple[str, ...]) -> bytes:
    pdf = FPDF()
    register(pdf)
    pdf.set_creation_date(datetime(2025, 3, 31, 18, 0, tzinfo=timezone.utc))
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
    assert _document(add_fonts, WORDS) == expected_long
    assert _document(add_fonts, WORDS[:1]) == expected_short
    assert _document(add_fonts, WORDS) == expected_long
    assert len(expected_short) < len(expected_long)
