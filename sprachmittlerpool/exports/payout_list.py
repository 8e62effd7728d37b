"""A month's payout list as plain values: what every export is made from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class PayoutItem:
    """One assignment's allowance (or a correction of an earlier, closed one)."""

    assignment_id: str
    date: date
    institution: str
    duration_minutes: int
    outcome: str
    amount: Decimal
    corrects: str | None = None  # the corrected entry, e.g. "2025-02/a17"
    note: str = ""


@dataclass(frozen=True)
class PayoutLine:
    """One volunteer's allowances of the month."""

    volunteer_id: str
    name: str
    items: tuple[PayoutItem, ...]
    year_to_date: Decimal
    limit_warning: str | None = None  # "80" or "100" (percent of the tax-free limit reached)
    iban: str | None = None  # plain, and only filled in for the SEPA export
    bic: str | None = None
    iban_masked: str | None = None  # for pages: "DE89 **** **** **** **30 00"; None without an IBAN

    @property
    def amount(self) -> Decimal:
        """Return the sum of this volunteer's items."""
        return sum((item.amount for item in self.items), Decimal("0.00"))

    def sorted_items(self) -> tuple[PayoutItem, ...]:
        """Return the items by date, then assignment id, so every export lists them alike."""
        return tuple(sorted(self.items, key=lambda item: (item.date, item.assignment_id)))


@dataclass(frozen=True)
class PayoutList:
    """The payout list of one month of one pool."""

    month: str  # "YYYY-MM"
    closed: bool
    closed_at: datetime | None
    pool_name: str
    lines: tuple[PayoutLine, ...]

    def __post_init__(self) -> None:
        """Refuse a malformed month early, since file names and headings are made from it."""
        year, _, month = self.month.partition("-")
        if not (len(year) == 4 and year.isdigit() and len(month) == 2 and month.isdigit()):
            raise ValueError(f"month must look like YYYY-MM, got {self.month!r}")
        if not 1 <= int(month) <= 12:
            raise ValueError(f"month out of range: {self.month!r}")

    @property
    def total(self) -> Decimal:
        """Return the sum of all volunteers' sums."""
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def year(self) -> int:
        """Return the calendar year the month belongs to."""
        return int(self.month[:4])

    def sorted_lines(self) -> tuple[PayoutLine, ...]:
        """Return the lines by name, then volunteer id, so every export lists them alike."""
        return tuple(sorted(self.lines, key=lambda line: (line.name, line.volunteer_id)))
