"""The Ehrenamtspauschale by year, its warnings, and spending against the state budget."""

from decimal import Decimal

import pytest

from sprachmittlerpool.tax_limits import STATE_BUDGET_EUR, budget_status, limit_for_year, limit_warning


@pytest.mark.parametrize(("year", "limit"), [(2021, "840"), (2025, "840"), (2026, "960"), (2030, "960")])
def test_limit_is_840_up_to_2025_and_960_from_2026(year: int, limit: str) -> None:
    assert limit_for_year(year) == Decimal(limit)


@pytest.mark.parametrize(
    ("year_to_date", "year", "expected"),
    [
        ("671.99", 2025, None),
        ("672.00", 2025, "80"),
        ("839.99", 2025, "80"),
        ("840.00", 2025, "100"),
        ("840.00", 2026, "80"),
        ("767.99", 2026, None),
        ("960.00", 2026, "100"),
    ],
)
def test_warning_at_80_and_100_percent_of_that_years_limit(
    year_to_date: str, year: int, expected: str | None
) -> None:
    assert limit_warning(Decimal(year_to_date), year) == expected


def test_the_state_budget_is_50000_euro_a_year() -> None:
    assert budget_status(Decimal(0)).budget == Decimal("50000.00") == STATE_BUDGET_EUR


def test_budget_share_is_a_percentage_of_the_budget() -> None:
    status = budget_status(Decimal("12345.67"))

    assert status.share_percent == Decimal("24.69")
    assert status.remaining == Decimal("37654.33")
