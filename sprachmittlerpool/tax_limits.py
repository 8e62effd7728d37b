"""The tax-free limit for volunteers (Ehrenamtspauschale) and the state's yearly budget."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

# § 3 Nr. 26a EStG, as data: (first year, limit in €). The law brought the limit in 2007 with 500 €
# and raised it to 720 € in 2013, to 840 € in 2021 and to 960 € in 2026.
EHRENAMTSPAUSCHALE: tuple[tuple[int, Decimal], ...] = (
    (2007, Decimal("500.00")),
    (2013, Decimal("720.00")),
    (2021, Decimal("840.00")),
    (2026, Decimal("960.00")),
)

WARN_AT_PERCENT = Decimal(80)

# The state funds pool allowances up to this sum per year and Kommunales Integrationszentrum.
STATE_BUDGET_EUR = Decimal("50000.00")

LimitWarning = Literal["80", "100"]


def limit_for_year(year: int) -> Decimal:
    """Return the Ehrenamtspauschale in force in ``year``."""
    limit = None
    for first_year, amount in EHRENAMTSPAUSCHALE:
        if year >= first_year:
            limit = amount
    if limit is None:
        raise ValueError(f"no Ehrenamtspauschale on record for {year}")
    return limit


def limit_warning(year_to_date: Decimal, year: int) -> LimitWarning | None:
    """Say whether a volunteer's year-to-date allowances reached 80 % or 100 % of the limit."""
    limit = limit_for_year(year)
    if year_to_date >= limit:
        return "100"
    if year_to_date * 100 >= limit * WARN_AT_PERCENT:
        return "80"
    return None


@dataclass(frozen=True)
class BudgetStatus:
    """The year's spending against the state budget, for the coordinators' overview."""

    spent: Decimal
    budget: Decimal

    @property
    def remaining(self) -> Decimal:
        """Return what is left (negative when the budget is overspent)."""
        return self.budget - self.spent

    @property
    def share_percent(self) -> Decimal:
        """Return the spent share in percent, rounded half-up to two places for display."""
        if self.budget == 0:
            raise ValueError("the budget is zero")
        return (self.spent * 100 / self.budget).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def budget_status(spent: Decimal, budget: Decimal = STATE_BUDGET_EUR) -> BudgetStatus:
    """Compare the year's spending with the budget."""
    return BudgetStatus(spent=spent, budget=budget)
