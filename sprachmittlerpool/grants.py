"""The state grant a pool receives per year, as the admins type it ("50.000,00"), checked (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_EUROS = Decimal("10000000.00")  # far above any KI's grant: a typo with three zeros too many is caught
# "50.000,00", "50000", "50 000,5", "50.000 €": German thousands dots or spaces, a decimal comma.
_EUROS = re.compile(r"^(?P<whole>\d{1,3}(?:[. ]\d{3})+|\d+)(?:,(?P<cents>\d{1,2}))?$", re.ASCII)
AMOUNT_HINT = "Bitte den Betrag in Euro angeben, z. B. 50.000,00."


def parse_euros(text: Any) -> int:
    """Return a German euro amount as integer cents; raise ValueError with a German message."""
    if not isinstance(text, str):
        raise ValueError(AMOUNT_HINT)
    compact = text.replace("\u00a0", " ").replace("\u202f", " ").strip()
    compact = re.sub(r"\s*(€|EUR|Euro)$", "", compact, flags=re.IGNORECASE).strip()
    match = _EUROS.match(compact)
    if match is None:
        raise ValueError(AMOUNT_HINT)
    euros = Decimal(re.sub(r"[. ]", "", match["whole"]) + "." + (match["cents"] or "0").ljust(2, "0"))
    if euros > MAX_EUROS:
        raise ValueError("Der Betrag ist unplausibel hoch; bitte prüfen (höchstens 10.000.000,00 €).")
    return int(euros * 100)


def parse_year(text: Any) -> int:
    """Return a year between 2000 and 2100; raise ValueError with a German message."""
    value = text.strip() if isinstance(text, str) else ""
    if not value.isascii() or not value.isdigit() or not FIRST_YEAR <= int(value) <= LAST_YEAR:
        raise ValueError(f"Bitte ein Jahr zwischen {FIRST_YEAR} und {LAST_YEAR} angeben, z. B. 2026.")
    return int(value)


def check_grant(form: Mapping[str, Any]) -> tuple[tuple[int, int] | None, dict[str, str]]:
    """Check the grant form: return (year, amount in cents) or German messages by field."""
    errors: dict[str, str] = {}
    year = cents = 0
    try:
        year = parse_year(form.get("year"))
    except ValueError as error:
        errors["year"] = str(error)
    try:
        cents = parse_euros(form.get("amount"))
    except ValueError as error:
        errors["amount"] = str(error)
    return (None, errors) if errors else ((year, cents), {})
