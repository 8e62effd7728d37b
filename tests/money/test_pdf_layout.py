"""The PDF as a treasury reads it: a continued block names its volunteer, long text wraps, metadata is set."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from sprachmittlerpool.exports.pdf_export import to_pdf
from tests.money.builders import item, line, payout_list

LONG_NAME = ("Maria-Magdalena Alexandrowna " * 5)[:117] + "End"
LONG_INSTITUTION = ("Städtische Gemeinschaftsgrundschule am Stadtpark " * 3)[:116] + "Ende"


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_a_volunteer_block_that_runs_over_a_page_starts_the_next_page_with_the_name_and_id() -> None:
    items = tuple(item(f"a{n}", date=date(2025, 3, 1 + n % 28)) for n in range(90))
    data = to_pdf(payout_list(line("12", "Olena Kowalenko", *items), line("7", "Ahmad Said")))

    pages = _pages(data)

    assert len(pages) >= 3
    for text in pages[1:]:
        first = text.strip().splitlines()[0]
        if "Ahmad" in first:  # the next volunteer's block may begin a page of its own
            continue
        assert "Olena Kowalenko (12)" in first and "(Fortsetzung)" in first, first
    assert sum("(Fortsetzung)" in text for text in pages) == len(pages) - 1


def test_long_names_and_institutions_wrap_instead_of_being_cut() -> None:
    assert len(LONG_NAME) == 120 and len(LONG_INSTITUTION) == 120
    pl = payout_list(line("3", LONG_NAME, item(institution=LONG_INSTITUTION, note=LONG_INSTITUTION)))

    text = "".join(_pages(to_pdf(pl)))

    assert _squeezed(LONG_NAME) in _squeezed(text)
    assert _squeezed(LONG_INSTITUTION) in _squeezed(text)
    assert "…" not in text


def test_language_and_creation_date_are_in_the_metadata() -> None:
    closed_at = datetime(2025, 4, 2, 14, 45)
    reader = PdfReader(io.BytesIO(to_pdf(payout_list(closed_at=closed_at))))

    assert reader.trailer["/Root"]["/Lang"] == "de-DE"
    assert reader.metadata.creation_date == closed_at.replace(tzinfo=ZoneInfo("Europe/Berlin"))


def test_an_open_months_pdf_is_dated_when_it_was_made() -> None:
    before = datetime.now(ZoneInfo("Europe/Berlin")).replace(microsecond=0)
    reader = PdfReader(io.BytesIO(to_pdf(payout_list(closed=False, closed_at=None))))

    assert before <= reader.metadata.creation_date <= datetime.now(ZoneInfo("Europe/Berlin"))
