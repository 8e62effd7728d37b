"""Choosing the report's period: a year, a quarter, a month or two dates, named as people say them."""

from __future__ import annotations

from datetime import date

import pytest

from sprachmittlerpool.services.reports import InvalidPeriod, choose_period, period_label

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize(
    ("args", "start", "end", "label"),
    [
        ({}, date(2026, 1, 1), date(2026, 12, 31), "Jahr 2026"),
        ({"year": "2025"}, date(2025, 1, 1), date(2025, 12, 31), "Jahr 2025"),
        (
            {"year": "2025", "part": "Q4"},
            date(2025, 10, 1),
            date(2025, 12, 31),
            "4. Quartal 2025 (Oktober bis Dezember)",
        ),
        ({"year": "2024", "part": "02"}, date(2024, 2, 1), date(2024, 2, 29), "Februar 2024"),
        (
            {"from": "2025-02-01", "to": "2025-04-30"},
            date(2025, 2, 1),
            date(2025, 4, 30),
            "1. Februar 2025 bis 30. April 2025",
        ),
        (
            {"from": "2025-04-01", "to": "2025-06-30"},
            date(2025, 4, 1),
            date(2025, 6, 30),
            "2. Quartal 2025 (April bis Juni)",
        ),
        ({"from": "2026-03-03"}, date(2026, 3, 3), date(2026, 12, 31), "3. März 2026 bis 31. Dezember 2026"),
        ({"year": "2025", "from": "2020-01-01"}, date(2025, 1, 1), date(2025, 12, 31), "Jahr 2025"),
    ],
)
def test_a_period_is_read_from_the_query_and_named_in_german(args, start, end, label):
    chosen = choose_period(args, TODAY)

    assert chosen == (start, end)
    assert period_label(*chosen) == label


@pytest.mark.parametrize(
    "args",
    [
        {"year": "25"},
        {"year": "٢٠٢٥"},
        {"year": "2025", "part": "Q0"},
        {"year": "2025", "part": "00"},
        {"from": "2025-12-31", "to": "2025-01-01"},
        {"from": "2001-01-01", "to": "2001-12-31"},
        {"from": "2000-01-01", "to": "2025-12-31"},
        {"from": "31.12.2025"},
    ],
)
def test_a_period_that_is_not_one_is_refused_with_a_german_reason(args):
    with pytest.raises(InvalidPeriod, match="Bitte|ungültig"):
        choose_period(args, TODAY)
