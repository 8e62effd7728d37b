"""The report's PDF: a breakdown longer than a page repeats its heading row; German numbers throughout."""

from __future__ import annotations

import io
from datetime import date, datetime

from pypdf import PdfReader

from sprachmittlerpool.reports.pdf import to_pdf
from sprachmittlerpool.services.report_breakdowns import DIMENSIONS, Breakdown, BreakdownRow
from sprachmittlerpool.services.reports import Report


def _report(rows: int) -> Report:
    languages = tuple(
        BreakdownRow(
            f"Sprache Nummer {n}", requests=n, assignments=n, minutes=90 * n, allowance_cents=123_450 * n
        )
        for n in range(1, rows + 1)
    )
    total = BreakdownRow("Summe")
    for row in languages:
        total.add(row)
    breakdowns = tuple(
        Breakdown(
            d, languages if d == "language" else (), total if d == "language" else BreakdownRow("Summe")
        )
        for d in DIMENSIONS
    )
    return Report(
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        requests=0,
        assignments=0,
        placed=0,
        unfilled=0,
        allowance_months=[],
        rejections=[],
        unfilled_reasons=[],
        active_volunteers=0,
        languages_covered=0,
        breakdowns=breakdowns,
    )


def test_a_breakdown_over_several_pages_repeats_its_heading_row_on_each():
    data = to_pdf(_report(60), pool_name="Sprachmittlerpool Kreis Heinsberg", now=datetime(2026, 1, 5, 10))

    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    with_rows = [text for text in pages if "Sprache Nummer" in text]
    assert len(with_rows) >= 2
    assert all("Aufwandsentschädigungen" in text and "Abgelehnt" in text for text in with_rows)
    assert "1.234,50 €" in pages[-1] + "".join(with_rows) and "7.407,00 €" in "".join(with_rows)
    assert "Seite 1/" in pages[0] and "Erstellt am 05.01.2026 um 10:00 Uhr" in pages[0]


def test_the_same_report_made_at_the_same_moment_is_the_same_file():
    moment = datetime(2026, 1, 5, 10)

    first = to_pdf(_report(3), pool_name="Pool", now=moment)

    assert first == to_pdf(_report(3), pool_name="Pool", now=moment)
