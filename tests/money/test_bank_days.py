"""TARGET2 bank working days for the SEPA execution date."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sprachmittlerpool.bank_days import bank_days_after, is_bank_day

TARGET_HOLIDAYS_2026 = (date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 1))
TARGET_HOLIDAYS_2026 += (date(2026, 12, 25), date(2026, 12, 26))


@pytest.mark.parametrize("day", TARGET_HOLIDAYS_2026)
def test_the_six_target_holidays_are_no_bank_days(day: date) -> None:
    assert not is_bank_day(day)


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2026, 12, 3), 2, date(2026, 12, 7)),  # Thursday + 2 → Monday
        (date(2026, 12, 23), 2, date(2026, 12, 28)),  # over Christmas (Fri 25th, Sat 26th)
        (date(2026, 4, 1), 2, date(2026, 4, 7)),  # over Good Friday and Easter Monday
        (date(2026, 12, 5), 0, date(2026, 12, 7)),  # a Saturday with 0 days → Monday
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # New Year's Day, then a weekend
    ],
)
def test_bank_days_after_skips_weekends_and_holidays(start: date, count: int, expected: date) -> None:
    assert bank_days_after(start, count) == expected


@given(st.dates(date(2024, 1, 1), date(2040, 12, 31)), st.integers(0, 10))
def test_the_result_is_a_bank_day_never_before_the_start(start: date, count: int) -> None:
    result = bank_days_after(start, count)

    assert is_bank_day(result) and result >= start
    assert sum(is_bank_day(start + timedelta(days=n)) for n in range(1, (result - start).days + 1)) >= count
