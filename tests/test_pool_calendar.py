"""NRW holidays as the pool's calendar, and the lead time they stretch."""

from datetime import date, datetime, timedelta

import pytest

from matching.eligibility import IntakeFacts, decide, load_rules, working_days_between
from sprachmittlerpool.pool_calendar import nrw_holidays, nrw_holidays_between


def test_nrw_keeps_corpus_christi_and_all_saints_but_not_reformation_day():
    days = nrw_holidays([2024, 2025])

    assert date(2025, 6, 19) in days  # Fronleichnam
    assert date(2024, 11, 1) in days  # Allerheiligen
    assert {date(2025, 12, 25), date(2025, 12, 26)} <= days
    assert date(2025, 10, 31) not in days  # Reformationstag is not a holiday in NRW
    assert date(2025, 12, 24) not in days


def test_holidays_between_cover_every_year_of_the_span():
    days = nrw_holidays_between(date(2025, 12, 20), date(2026, 1, 10))

    assert {date(2025, 12, 25), date(2026, 1, 1)} <= days
    assert all(day.year in (2025, 2026) for day in days)


@pytest.mark.parametrize(
    ("today", "appointment", "working_days"),
    [
        (date(2025, 6, 16), date(2025, 6, 23), 4),  # Fronleichnam on Thursday
        (date(2024, 10, 28), date(2024, 11, 4), 4),  # Allerheiligen on Friday
        (date(2025, 12, 22), date(2025, 12, 30), 4),  # 22, 23, 24 and 29 December
        (date(2025, 12, 22), date(2025, 12, 31), 5),
        (date(2025, 12, 22), date(2026, 1, 5), 7),  # New Year's Day falls out, 2 January counts
    ],
)
def test_nrw_holidays_do_not_count_as_working_days(today, appointment, working_days):
    assert working_days_between(today, appointment, nrw_holidays_between(today, appointment)) == working_days


@pytest.mark.parametrize(("appointment", "urgent"), [(date(2025, 12, 30), True), (date(2025, 12, 31), False)])
def test_a_request_before_christmas_is_urgent_when_the_holidays_eat_the_lead_time(appointment, urgent):
    today = date(2025, 12, 22)
    start = datetime.combine(appointment, datetime.min.time()).replace(hour=9)
    request = IntakeFacts("schule", "elterngespraech", "", start, start + timedelta(hours=1))

    decision = decide(request, load_rules(), today=today, holidays=nrw_holidays_between(today, appointment))

    assert decision.urgent is urgent
