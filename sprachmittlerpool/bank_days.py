"""TARGET2 bank working days: when a SEPA transfer can be executed.

The euro payment system is closed on weekends and on its six holidays (1 January, Good Friday,
Easter Monday, 1 May, 25 and 26 December); `holidays` keeps that calendar as "XECB".
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays


def is_bank_day(day: date) -> bool:
    """Tell whether TARGET2 settles payments on ``day``."""
    return day.weekday() < 5 and day not in holidays.financial_holidays("XECB", years=day.year)


def bank_days_after(start: date, count: int) -> date:
    """Return the ``count``-th bank working day after ``start`` (``start`` itself if 0 and a bank day)."""
    day = start
    if count == 0:
        while not is_bank_day(day):
            day += timedelta(days=1)
        return day
    for _ in range(count):
        day += timedelta(days=1)
        while not is_bank_day(day):
            day += timedelta(days=1)
    return day
