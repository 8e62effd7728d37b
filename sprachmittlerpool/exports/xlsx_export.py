"""The payout list as an Excel workbook, byte-identical for identical input.

Money cells are numbers with a euro format, so the treasury can add them up. The
file is deterministic: the workbook's dates come from the month, and the zip is
rewritten with fixed entry timestamps in a fixed order (openpyxl stamps "now").
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from sprachmittlerpool.exports.csv_export import content_digest
from sprachmittlerpool.exports.formatting import month_de, outcome_de, status_de, warning_de
from sprachmittlerpool.exports.payout_list import PayoutLine, PayoutList
from sprachmittlerpool.exports.safe_cells import neutralise

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
    sheet.append([f"Auszahlungsliste {month_de(payout_list.month)}"])
    sheet.append([neutralise(payout_list.pool_name), status_de(payout_list)])
    sheet.append(list(HEADER))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for line in payout_list.sorted_lines():
        _append_line(sheet, line)
    total = sheet.max_row + 1
    sheet.cell(total, 1, "Gesamtsumme").font = Font(bold=True)
    _money(sheet, total, AMOUNT_COLUMN, payout_list.total).font = Font(bold=True)
    sheet.cell(total + 2, 1, "Prüfsumme (SHA-256 der CSV-Fassung)")
    sheet.cell(total + 2, 2, content_digest(payout_list))
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(3, index).column_letter].width = width
    sheet.freeze_panes = "A4"


def _append_line(sheet: Worksheet, line: PayoutLine) -> None:
    """Write a volunteer's items and sum row."""
    who = [neutralise(line.volunteer_id), neutralise(line.name)]
    for item in line.sorted_items():
        texts = [neutralise(item.assignment_id), neutralise(item.institution), item.duration_minutes]
        sheet.append([*who, item.date, *texts, neutralise(outcome_de(item.outcome))])
        row = sheet.max_row
        sheet.cell(row, 3).number_format = DATE_FORMAT
        _money(sheet, row, AMOUNT_COLUMN, item.amount)
        sheet.cell(row, 9, neutralise(item.corrects or ""))
        sheet.cell(row, 10, neutralise(item.note))
    sheet.append([*who, None, None, "Summe"])
    row = sheet.max_row
    _money(sheet, row, AMOUNT_COLUMN, line.amount).font = Font(bold=True)
    _money(sheet, row, YEAR_TO_DATE_COLUMN, line.year_to_date)
    sheet.cell(row, 12, warning_de(line.limit_warning))


def _money(sheet: Worksheet, row: int, column: int, amount: Decimal):  # noqa: ANN202 - openpyxl cell
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
