"""The Ehrenamtspauschale by year, its warnings, and spending against the state budget."""

from decimal import Decimal

import pytest

from sprachmittlerpool.tax_limits import budget_status, limit_for_year, limit_warning


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


def test_a_year_without_a_grant_has_no_budget_share_or_remainder_rather_than_an_invented_one() -> None:
    status = budget_status(2026, Decimal("1200.00"), None)

    assert (status.budget, status.remaining, status.share_percent, status.overspent) == (
        None,
        None,
        None,
        False,
    )


def test_budget_share_is_a_percentage_of_the_years_grant() -> None:
    status = budget_status(2025, Decimal("12345.67"), Decimal("50000.00"))

    assert status.share_percent == Decimal("24.69")
    assert status.remaining == Decimal("37654.33")


def test_a_grant_of_zero_is_overspent_by_any_allowance_and_has_no_share() -> None:
    status = budget_status(2025, Decimal("25.00"), Decimal("0.00"))

    assert (status.share_percent, status.remaining, status.overspent) == (None, Decimal("-25.00"), True)
