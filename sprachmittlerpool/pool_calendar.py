"""Public holidays of North Rhine-Westphalia, the days the intake lead time does not count."""

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import holidays


def nrw_holidays(years: Iterable[int]) -> frozenset[date]:
    """Return NRW's statutory holidays in the given years, to pass to the eligibility decision."""
    return _holidays(tuple(sorted(set(years))))


@lru_cache(maxsize=64)
def _holidays(years: tuple[int, ...]) -> frozenset[date]:
    """Compute once per set of years: every intake asks, and building the calendar costs a millisecond."""
    return frozenset(holidays.country_holidays("DE", subdiv="NW", years=years))


def nrw_holidays_between(start: date, end: date) -> frozenset[date]:
    """Return NRW's holidays of every year from start to end, e.g. from today to an appointment."""
    return nrw_holidays(range(start.year, end.year + 1))
