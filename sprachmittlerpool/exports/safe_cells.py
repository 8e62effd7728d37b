"""Make untrusted text safe for spreadsheet cells (CSV/formula injection, DDE, control characters).

CSV has no cell types, so formula-like text gets a leading apostrophe there. A workbook has types:
the text stays exactly as written, stored as a string cell with the quote-prefix style, which is
what Excel and LibreOffice do themselves when a person types an apostrophe before a formula.
"""

from __future__ import annotations

import re

from openpyxl.cell.cell import Cell

# A leading one of these makes Excel or LibreOffice treat the cell as a formula (DDE payloads such as
# "=cmd|' /C calc'!A0" or "@SUM(1)*cmd|…" start with one too); tab, CR and LF as well, since some
# importers strip them and then see the next character; the full-width forms, which IMEs produce
# and some spreadsheet programs read as the ASCII ones.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Importers that trim cells would see a trigger behind leading blanks.
_LEADING_BLANKS = " \u00a0\u2007\u202f\u3000"

# Control characters XML 1.0 forbids: openpyxl refuses them and Excel breaks on them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean(text: str) -> str:
    """Drop the control characters no spreadsheet file may hold."""
    return _CONTROL.sub("", text)


def looks_like_formula(text: str) -> bool:
    """Tell whether a spreadsheet program could evaluate the text as a formula."""
    return text.lstrip(_LEADING_BLANKS).startswith(FORMULA_TRIGGERS)


def neutralise(text: str) -> str:
    """For CSV: drop forbidden control characters and quote text a spreadsheet would evaluate."""
    text = clean(text)
    return "'" + text if looks_like_formula(text) else text


def set_text(cell: Cell, text: str) -> Cell:
    """Write text into a workbook cell as a string cell, quote-prefixed when it looks like a formula."""
    text = clean(text)
    cell.value = text
    cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula and "#REF!" as an error
    if looks_like_formula(text):
        cell.quotePrefix = True
    return cell
