"""The payout list as CSV for the district's treasury, shaped for German Excel.

Choices: UTF-8 with a BOM (without it Excel guesses a legacy code page and breaks
umlauts), ``;`` as separator and a decimal comma without thousands separator (what
German Excel reads as numbers), dates as DD.MM.YYYY, CRLF line ends. One row per
item, a sum row per volunteer, the grand total, and as the last line the SHA-256 of
every byte before that line, so the treasury can check the file is unaltered.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator

from sprachmittlerpool.exports.formatting import (
    date_de,
    money_plain,
    month_de,
    outcome_de,
    status_de,
    warning_de,
)
from sprachmittlerpool.exports.payout_list import PayoutLine, PayoutList
from sprachmittlerpool.exports.safe_cells import neutralise

BOM = "\ufeff"

HEADER = (
    "Sprachmittler-ID",
    "Name",
    "Datum",
    "Einsatz",
    "Einrichtung",
    "Dauer (Min.)",
    "Ergebnis",
    "Betrag (EUR)",
    "Korrektur zu",
    "Bemerkung",
    "Summe seit Jahresbeginn (EUR)",
    "Hinweis",
)

CHECKSUM_LABEL = "SHA-256"

Row = tuple[str, ...]


def to_csv(payout_list: PayoutList) -> bytes:
    """Render the payout list as CSV bytes, ending with a checksum line."""
    body = BOM + _render(_rows(payout_list))
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return (body + _render([(CHECKSUM_LABEL, digest)])).encode("utf-8")


def content_digest(payout_list: PayoutList) -> str:
    """Return the SHA-256 that the CSV's last line carries; the other exports print it too."""
    return hashlib.sha256((BOM + _render(_rows(payout_list))).encode("utf-8")).hexdigest()


def _render(rows: Iterator[Row] | list[Row]) -> str:
    """Write rows with ';' and CRLF, quoting only where needed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()


def _rows(payout_list: PayoutList) -> Iterator[Row]:
    """Yield the title row, the header, every volunteer's rows and the grand total."""
    yield (
        "Auszahlungsliste",
        neutralise(payout_list.pool_name),
        month_de(payout_list.month),
        status_de(payout_list),
    )
    yield HEADER
    for line in payout_list.sorted_lines():
        yield from _line_rows(line)
    yield ("Gesamtsumme", "", "", "", "", "", "", money_plain(payout_list.total))


def _line_rows(line: PayoutLine) -> Iterator[Row]:
    """Yield one row per item of a volunteer, then the volunteer's sum row."""
    who = (neutralise(line.volunteer_id), neutralise(line.name))
    for item in line.sorted_items():
        yield (
            *who,
            date_de(item.date),
            neutralise(item.assignment_id),
            neutralise(item.institution),
            str(item.duration_minutes),
            neutralise(outcome_de(item.outcome)),
            money_plain(item.amount),
            neutralise(item.corrects or ""),
            neutralise(item.note),
            "",
            "",
        )
    yield (
        *who,
        "",
        "",
        "Summe",
        "",
        "",
        money_plain(line.amount),
        "",
        "",
        money_plain(line.year_to_date),
        warning_de(line.limit_warning),
    )
