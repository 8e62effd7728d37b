"""Text that a spreadsheet would evaluate is neutralised (CSV: a quote; XLSX: a typed string cell); harmless text stays."""

import io
import zipfile

import openpyxl
import pytest
from openpyxl.cell.cell import Cell

from sprachmittlerpool.exports.payout_list import PayoutList
from sprachmittlerpool.exports.safe_cells import neutralise
from sprachmittlerpool.exports.xlsx_export import SHEET_TITLE, to_xlsx
from tests.money.builders import item, line, payout_list


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+49 2452 13", "'+49 2452 13"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Kita Regenbogen", "Kita Regenbogen"),
        ("Frau = Herr", "Frau = Herr"),
        ("", ""),
    ],
)
def test_leading_formula_characters_get_a_quote(text: str, expected: str) -> None:
    assert neutralise(text) == expected


def test_control_characters_are_dropped_before_the_check() -> None:
    assert neutralise("\x00=1\x1f") == "'=1"


@pytest.mark.parametrize("month", ["2025-3", "2025-13", "25-03", "März"])
def test_a_malformed_month_is_refused(month: str) -> None:
    with pytest.raises(ValueError, match="month"):
        PayoutList(month=month, closed=False, closed_at=None, pool_name="Pool", lines=())


FORMULA_LIKE = (
    '=HYPERLINK("http://x.example","klick")',
    "+49 2452 13",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    '=DDE("cmd";"/C calc";"__DdeLink_60_870516294")',
    "  =1+1",
)


def _cells_by_value(data: bytes) -> dict[object, Cell]:
    sheet = openpyxl.load_workbook(io.BytesIO(data))[SHEET_TITLE]
    return {cell.value: cell for row in sheet.iter_rows() for cell in row if cell.value is not None}


def test_formula_like_text_is_a_string_cell_with_the_quote_prefix_style_not_an_apostrophe() -> None:
    volunteers = tuple(
        line(str(number), text, item(f"a{number}", institution=text, note=text))
        for number, text in enumerate(FORMULA_LIKE, start=1)
    )
    data = to_xlsx(payout_list(*volunteers, pool_name="=Pool"))

    cells = _cells_by_value(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()

    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    for text in (*FORMULA_LIKE, "=Pool"):
        cell = cells[text]  # the value is the text exactly as written: no apostrophe added
        assert cell.data_type == "s", text
        assert cell.quotePrefix, text
    assert not any(isinstance(value, str) and value.startswith("'") for value in cells)
    assert not cells["Gesamtsumme"].quotePrefix  # harmless text gets no quote prefix


def test_ids_are_numbers_in_every_row_of_the_workbook() -> None:
    data = to_xlsx(payout_list(line("12", "Olena K.", item("a1"), item("a2")), line("7", "Ahmad S.")))

    sheet = openpyxl.load_workbook(io.BytesIO(data))[SHEET_TITLE]
    ids = [row[0].value for row in sheet.iter_rows(min_row=4) if row[1].value in ("Olena K.", "Ahmad S.")]

    assert ids == [7, 7, 12, 12, 12]
    assert all(type(value) is int for value in ids)
