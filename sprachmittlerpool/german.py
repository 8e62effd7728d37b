"""German words for dates, durations and amounts on pages people read ("3. März 2026", "2 Stunden 30 Minuten")."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.numbers import format_decimal

from sprachmittlerpool.exports.formatting import MONTHS_DE, money_de


def date_long(day: date) -> str:
    """Write a date as people read it: '3. März 2026'."""
    return f"{day.day}. {MONTHS_DE[day.month - 1]} {day.year}"


def moment_short(moment: datetime | None, empty: str = "–") -> str:
    """Write a point in time for tables: '03.12.2026, 15:36 Uhr' (`empty` when there is none)."""
    return f"{moment:%d.%m.%Y, %H:%M} Uhr" if moment is not None else empty


def period_long(first: date, last: date) -> str:
    """Write one day or a span of days: '24. Dezember 2026' or '23. Dezember 2026 bis 2. Januar 2027'."""
    return date_long(first) if first == last else f"{date_long(first)} bis {date_long(last)}"


def minutes_words(minutes: int) -> str:
    """Write a duration in hours and minutes: '45 Minuten', '1 Stunde', '3 Stunden 1 Minute'."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} Stunde" if hours == 1 else f"{hours} Stunden")
    if rest or not hours:
        parts.append(f"{rest} Minute" if rest == 1 else f"{rest} Minuten")
    return " ".join(parts)


def working_days_words(days: int) -> str:
    """Write a count of working days: '1 Werktag', '5 Werktage'."""
    return f"{days} Werktag" if days == 1 else f"{days} Werktage"


def requests_words(count: int) -> str:
    """Write a count of requests with German digit grouping: '1 Anfrage', '1.250 Anfragen'."""
    number = f"{count:,}".replace(",", ".")
    return f"{number} Anfrage" if count == 1 else f"{number} Anfragen"


def decimal(value: float | Decimal, places: int = 1, *, trailing_zeros: bool = True) -> str:
    """Write a measured number the German way with `places` decimals: '10,5' km, '1.234,0', '0,03' s.

    Without trailing zeros a whole number stays whole ('25' km) and a fraction keeps its comma ('12,5' km).
    """
    digit = "0" if trailing_zeros else "#"
    pattern = "#,##0" + ("." + digit * places if places else "")
    return format_decimal(value, format=pattern, locale="de_DE")


def money(amount: Decimal) -> str:
    """Write an amount of euros: '1.234,50 €'."""
    return money_de(amount)


WEEKDAYS_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")


def day_long(day: date) -> str:
    """Write a day with its weekday, as a printed day list heads it: 'Freitag, 4. Dezember 2026'."""
    return f"{WEEKDAYS_DE[day.weekday()]}, {date_long(day)}"
