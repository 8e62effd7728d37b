"""Make untrusted text safe for spreadsheet cells (CSV/formula injection, control characters)."""

from __future__ import annotations

import re

# A leading one of these makes Excel or LibreOffice treat the cell as a formula
# (tab and CR as well, since some importers strip them and then see the next char).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Control characters XML 1.0 forbids: openpyxl refuses them and Excel breaks on them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(text: str) -> str:
    """Drop forbidden control characters and quote text a spreadsheet would evaluate."""
    text = _CONTROL.sub("", text)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text
