"""Payout list exports: totals, determinism, stable order, formula safety, checksums."""

import hashlib
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
from hypothesis import given, settings
from pypdf import PdfReader

from sprachmittlerpool.exports.csv_export import content_digest, to_csv
from sprachmittlerpool.exports.payout_list import PayoutList
from sprachmittlerpool.exports.pdf_export import to_pdf
from sprachmittlerpool.exports.sepa import to_sepa
from sprachmittlerpool.exports.xlsx_export import MONEY_FORMAT, SHEET_TITLE, to_xlsx
from tests.money.builders import item, line, payout_list, payout_lists

INJECTION = '=HYPERLINK("x")'


def sepa(pl: PayoutList) -> bytes:
    return to_sepa(
        pl,
        debtor_name="Kreis Heinsberg",
        debtor_iban="DE02370502990000684712",
        debtor_bic="COLSDE33",
        execution_date=date(2025, 4, 7),
        message_id="SMP-20250404-101500-1",
        payment_id="SMP-2025-03-1",
        created_at=datetime(2025, 4, 4, 10, 15, tzinfo=ZoneInfo("Europe/Berlin")),
    )


def pdf_text(data: bytes) -> str:
    """Extract the PDF's text as a reader would (the font is embedded, so raw streams hold glyph ids)."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def sheet_rows(data: bytes) -> list[tuple[object, ...]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return list(workbook[SHEET_TITLE].iter_rows(values_only=True))


@given(payout_lists)
def test_list_total_is_the_sum_of_its_lines_and_of_its_items(pl: PayoutList) -> None:
    all_items = [entry.amount for volunteer in pl.lines for entry in volunteer.items]

    assert pl.total == sum((volunteer.amount for volunteer in pl.lines), Decimal(0))
    assert pl.total == sum(all_items, Decimal(0))


@settings(max_examples=30, deadline=None)
@given(payout_lists)
def test_regenerated_exports_are_byte_identical(pl: PayoutList) -> None:
    assert to_csv(pl) == to_csv(pl)
    assert to_xlsx(pl) == to_xlsx(pl)
    if pl.closed and pl.closed_at is not None:  # an open month's PDF is dated when it is made
        assert to_pdf(pl) == to_pdf(pl)
    if any(volunteer.iban and volunteer.amount > 0 for volunteer in pl.lines):
        assert sepa(pl) == sepa(pl)


@settings(max_examples=30, deadline=None)
@given(payout_lists)
def test_csv_ends_with_the_checksum_of_everything_before_it(pl: PayoutList) -> None:
    data = to_csv(pl)

    body, _, last_line = data.rstrip(b"\r\n").rpartition(b"\r\n")
    assert last_line == b"SHA-256;" + hashlib.sha256(body + b"\r\n").hexdigest().encode()


def test_exports_do_not_depend_on_the_input_order() -> None:
    first = line("v1", "Olena K.", item("a2", date=date(2025, 3, 9)), item("a1", date=date(2025, 3, 2)))
    second = line("v2", "Ahmad S.")
    shuffled = line("v1", "Olena K.", *reversed(first.items))

    one, other = payout_list(first, second), payout_list(second, shuffled)

    assert to_csv(one) == to_csv(other)
    assert to_xlsx(one) == to_xlsx(other)
    assert to_pdf(one) == to_pdf(other)


def test_csv_lists_names_alphabetically_items_by_date_and_sums_per_volunteer() -> None:
    olena = line(
        "v1", "Olena K.", item("a2", "35.00", date=date(2025, 3, 9)), item("a1", date=date(2025, 3, 2))
    )
    pl = payout_list(olena, line("v2", "Ahmad S.", item("a3", "45.00")))

    rows = [row.split(";") for row in to_csv(pl).decode("utf-8-sig").splitlines()]

    assert [row[3] for row in rows[2:7]] == ["a3", "", "a1", "a2", ""]
    assert rows[3][4:8] == ["Summe", "", "", "45,00"]
    assert rows[6][4:8] == ["Summe", "", "", "60,00"]
    assert rows[7][0] == "Gesamtsumme" and rows[7][7] == "105,00"


def test_csv_is_utf8_with_bom_and_german_excel_conventions() -> None:
    data = to_csv(payout_list(line("v1", "Jürgen Weiß", item(amount="1234.50"))))

    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "v1;Jürgen Weiß;03.03.2025;a1;Städtische Kita Regenbogen;90;stattgefunden;1234,50;" in text


def test_formula_in_a_name_is_neutralised_in_csv() -> None:
    pl = payout_list(line("v1", INJECTION, item(institution="@SUM(A1)", note="-2+3")))

    text = to_csv(pl).decode("utf-8-sig")

    assert '"\'=HYPERLINK(""x"")"' in text
    assert ";'@SUM(A1);" in text and ";'-2+3;" in text
    assert ";=" not in text and ";@" not in text


def test_xlsx_holds_money_as_numbers_with_a_euro_format_and_the_total() -> None:
    pl = payout_list(line("v1", "Olena K.", item("a1", "25.00"), item("a2", "35.50")))

    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(pl)))
    sheet = workbook[SHEET_TITLE]
    total_row = next(row for row in sheet.iter_rows() if row[0].value == "Gesamtsumme")

    assert total_row[7].value == 60.5
    assert total_row[7].number_format == MONEY_FORMAT
    assert any(row[1] == content_digest(pl) for row in sheet_rows(to_xlsx(pl)))


def test_pdf_shows_german_headings_totals_warning_and_checksum() -> None:
    pl = payout_list(line("v1", "Jürgen Weiß", item(amount="25.00"), limit_warning="80"))

    text = pdf_text(to_pdf(pl))

    assert to_pdf(pl).startswith(b"%PDF")
    assert "Auszahlungsliste März 2025" in text
    assert "Jürgen Weiß" in text and "25,00 €" in text
    assert "80 % der Ehrenamtspauschale erreicht" in text
    assert content_digest(pl) in text


@settings(max_examples=20, deadline=None)
@given(payout_lists)
def test_pdf_renders_any_text_without_failing(pl: PayoutList) -> None:
    assert to_pdf(pl).startswith(b"%PDF-")


def test_pdf_prints_cyrillic_and_greek_names_as_written() -> None:
    pl = payout_list(lines=(line(name="Олена Коваленко"), line(name="Ελένη Παπαδοπούλου")))

    text = pdf_text(to_pdf(pl))

    assert "Олена Коваленко" in text
    assert "Ελένη Παπαδοπούλου" in text
