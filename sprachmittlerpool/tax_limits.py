"""The tax-free limit for volunteers (Ehrenamtspauschale) and spending against the state's yearly grant."""

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
    """A year's spending against the state grant the pool recorded for it (None: no grant on record)."""

    year: int
    spent: Decimal
    budget: Decimal | None

    @property
    def remaining(self) -> Decimal | None:
        """Return what is left (negative when the grant is overspent), None without a grant."""
        return None if self.budget is None else self.budget - self.spent

    @property
    def share_percent(self) -> Decimal | None:
        """Return the spent share in percent, rounded half-up to two places; None without a positive grant."""
        if not self.budget:
            return None
        return (self.spent * 100 / self.budget).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def overspent(self) -> bool:
        """Tell whether more was spent than the grant holds."""
        return self.budget is not None and self.spent > self.budget


def budget_status(year: int, spent: Decimal, budget: Decimal | None) -> BudgetStatus:
    """Compare a year's spending with its grant; never assume a grant that is not on record."""
    return BudgetStatus(year=year, spent=spent, budget=budget)
