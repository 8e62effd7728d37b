"""Neutralise text that a spreadsheet would run as a formula (CSV/formula injection)."""

from __future__ import annotations

# A leading one of these makes Excel or LibreOffice treat the cell as a formula
# (tab and CR as well, since some importers strip them and then see the next char).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Prefix a quote to text a spreadsheet would otherwise evaluate."""
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text
