"""Public holidays of North Rhine-Westphalia, the days the intake lead time does not count."""

from collections.abc import Iterable
from datetime import date

import holidays


def nrw_holidays(years: Iterable[int]) -> frozenset[date]:
    """Return NRW's statutory holidays in the given years, to pass to the eligibility decision."""
    return frozenset(holidays.country_holidays("DE", subdiv="NW", years=sorted(set(years))))


def nrw_holidays_between(start: date, end: date) -> frozenset[date]:
    """Return NRW's holidays of every year from start to end, e.g. from today to an appointment."""
    return nrw_holidays(range(start.year, end.year + 1))
