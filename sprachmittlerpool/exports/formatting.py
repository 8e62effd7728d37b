"""German wording and number formats shared by the treasury exports."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sprachmittlerpool.exports.payout_list import PayoutList

MONTHS_DE = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)

OUTCOMES_DE = {
    "took_place": "stattgefunden",
    "late": "kurzfristig abgesagt",
    "early": "rechtzeitig abgesagt",
    "no_show": "nicht erschienen",
    "volunteer_no_show": "Sprachmittler/in nicht erschienen",
}

WARNINGS_DE = {
    "80": "80 % der Ehrenamtspauschale erreicht",
    "100": "Ehrenamtspauschale erreicht oder überschritten",
}


def cents(amount: Decimal) -> Decimal:
    """Round to cents for display only; '-0.00' becomes '0.00'."""
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) + Decimal("0.00")


def money_plain(amount: Decimal) -> str:
    """Format as German Excel reads a number: decimal comma, no thousands separator."""
    return str(cents(amount)).replace(".", ",")


def money_de(amount: Decimal) -> str:
    """Format for reading: '1.234,50 €'."""
    text = f"{cents(amount):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return text + " €"


def date_de(day: date) -> str:
    """Format a date the German way, e.g. '03.03.2025'."""
    return day.strftime("%d.%m.%Y")


def date_long_de(day: date) -> str:
    """Format a date for reading, e.g. '3. März 2026'."""
    return f"{day.day}. {MONTHS_DE[day.month - 1]} {day.year}"


def datetime_de(moment: datetime) -> str:
    """Format a wall-clock time the German way, e.g. '01.04.2025 10:30'."""
    return moment.strftime("%d.%m.%Y %H:%M")


def month_de(month: str) -> str:
    """Turn 'YYYY-MM' into 'März 2025'."""
    return f"{MONTHS_DE[int(month[5:7]) - 1]} {month[:4]}"


def outcome_de(outcome: str) -> str:
    """Name an outcome in German; an unknown code is shown as it is."""
    return OUTCOMES_DE.get(outcome, outcome)


def warning_de(warning: str | None) -> str:
    """Explain a tax-free-limit warning in German ('' when there is none)."""
    return "" if warning is None else WARNINGS_DE.get(warning, warning)


def status_de(payout_list: PayoutList) -> str:
    """Say whether the month is closed (final) or still open (provisional)."""
    if payout_list.closed and payout_list.closed_at is not None:
        return f"abgeschlossen am {datetime_de(payout_list.closed_at)}"
    if payout_list.closed:
        return "abgeschlossen"
    return "vorläufig (Monat nicht abgeschlossen)"
