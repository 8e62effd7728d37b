"""The payout list as an Excel workbook, byte-identical for identical input.

Money cells are numbers with a euro format, so the treasury can add them up. The
file is deterministic: the workbook's dates come from the month, and the zip is
rewritten with fixed entry timestamps in a fixed order (openpyxl stamps "now").
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from sprachmittlerpool.exports.csv_export import content_digest
from sprachmittlerpool.exports.formatting import month_de, outcome_de, status_de, warning_de
from sprachmittlerpool.exports.payout_list import PayoutLine, PayoutList
from sprachmittlerpool.exports.safe_cells import set_text

SHEET_TITLE = "Auszahlungsliste"
# The quotes keep the euro sign a literal in every spreadsheet program; shows "1.234,50 €".
MONEY_FORMAT = '#,##0.00 "€"'
DATE_FORMAT = "DD.MM.YYYY"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry

HEADER = (
    "Sprachmittler-ID",
    "Name",
    "Datum",
    "Einsatz",
    "Einrichtung",
    "Dauer (Min.)",
    "Ergebnis",
    "Betrag",
    "Korrektur zu",
    "Bemerkung",
    "Summe seit Jahresbeginn",
    "Hinweis",
)
AMOUNT_COLUMN = 8
YEAR_TO_DATE_COLUMN = 11
WIDTHS = (16, 28, 12, 14, 32, 12, 22, 14, 16, 30, 22, 42)


def to_xlsx(payout_list: PayoutList) -> bytes:
    """Render the payout list as XLSX bytes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    _fill(sheet, payout_list)
    _fix_properties(workbook, payout_list)
    return _normalised_zip(_save(workbook))


def _fill(sheet: Worksheet, payout_list: PayoutList) -> None:
    """Write title, header, rows per volunteer, grand total and checksum."""
    _write(sheet, 1, [f"Auszahlungsliste {month_de(payout_list.month)}"])
    _write(sheet, 2, [payout_list.pool_name, status_de(payout_list)])
    _write(sheet, 3, HEADER)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    row = 3
    for line in payout_list.sorted_lines():
        row = _append_line(sheet, row, line)
    total = row + 1
    _write(sheet, total, ["Gesamtsumme"])[0].font = Font(bold=True)
    _money(sheet, total, AMOUNT_COLUMN, payout_list.total).font = Font(bold=True)
    _write(sheet, total + 2, ["Prüfsumme (SHA-256 der CSV-Fassung)", content_digest(payout_list)])
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(3, index).column_letter].width = width
    sheet.freeze_panes = "A4"


def _append_line(sheet: Worksheet, row: int, line: PayoutLine) -> int:
    """Write a volunteer's items and sum row after ``row``; return the last row written."""
    who = [_id(line.volunteer_id), line.name]
    for item in line.sorted_items():
        row += 1
        _write(sheet, row, [*who, item.date, item.assignment_id, item.institution, item.duration_minutes])
        _write(sheet, row, [outcome_de(item.outcome)], column=7)
        sheet.cell(row, 3).number_format = DATE_FORMAT
        _money(sheet, row, AMOUNT_COLUMN, item.amount)
        _write(sheet, row, [item.corrects or "", item.note], column=9)
    row += 1
    _write(sheet, row, [*who, None, None, "Summe"])
    _money(sheet, row, AMOUNT_COLUMN, line.amount).font = Font(bold=True)
    _money(sheet, row, YEAR_TO_DATE_COLUMN, line.year_to_date)
    _write(sheet, row, [warning_de(line.limit_warning)], column=12)
    return row


def _id(volunteer_id: str) -> int | str:
    """Return a volunteer id as the number it is, so the column sorts and filters as numbers."""
    return int(volunteer_id) if volunteer_id.isdigit() else volunteer_id


def _write(sheet: Worksheet, row: int, values: Sequence[object], *, column: int = 1) -> list[Cell]:
    """Write values from ``column`` on: text as safe string cells, numbers and dates as they are."""
    cells = []
    for offset, value in enumerate(values):
        cell = sheet.cell(row, column + offset)
        if isinstance(value, str):
            set_text(cell, value)
        elif value is not None:
            cell.value = value
        cells.append(cell)
    return cells


def _money(sheet: Worksheet, row: int, column: int, amount: Decimal) -> Cell:
    """Write an exact amount as a number with the euro format."""
    cell = sheet.cell(row, column, amount)
    cell.number_format = MONEY_FORMAT
    return cell


def _fix_properties(workbook: Workbook, payout_list: PayoutList) -> None:
    """Pin the document properties that would otherwise carry the time of saving."""
    moment = datetime(payout_list.year, int(payout_list.month[5:7]), 1)
    workbook.properties.created = moment
    workbook.properties.modified = moment
    workbook.properties.creator = "Sprachmittlerpool"
    workbook.properties.title = f"Auszahlungsliste {payout_list.month}"


def _save(workbook: Workbook) -> bytes:
    """Save without openpyxl's save_workbook, which overwrites 'modified' with now."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return buffer.getvalue()


def _normalised_zip(data: bytes) -> bytes:
    """Rewrite the zip with fixed timestamps and a fixed entry order."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(source.namelist(), key=lambda name: (name != "[Content_Types].xml", name))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(name))
    return buffer.getvalue()
