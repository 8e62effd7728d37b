"""Payout lists for the export tests: a fixed example and a Hypothesis strategy."""

from datetime import date, datetime
from decimal import Decimal

from hypothesis import strategies as st

from sprachmittlerpool.exports.payout_list import PayoutItem, PayoutLine, PayoutList


def item(assignment_id: str = "a1", amount: str = "25.00", **overrides: object) -> PayoutItem:
    fields: dict[str, object] = {
        "assignment_id": assignment_id,
        "date": date(2025, 3, 3),
        "institution": "Städtische Kita Regenbogen",
        "duration_minutes": 90,
        "outcome": "took_place",
        "amount": Decimal(amount),
    }
    return PayoutItem(**{**fields, **overrides})  # type: ignore[arg-type]


def line(
    volunteer_id: str = "v1", name: str = "Olena K.", *items: PayoutItem, **overrides: object
) -> PayoutLine:
    fields: dict[str, object] = {
        "volunteer_id": volunteer_id,
        "name": name,
        "items": items or (item(),),
        "year_to_date": Decimal("100.00"),
    }
    return PayoutLine(**{**fields, **overrides})  # type: ignore[arg-type]


def payout_list(*lines: PayoutLine, **overrides: object) -> PayoutList:
    fields: dict[str, object] = {
        "month": "2025-03",
        "closed": True,
        "closed_at": datetime(2025, 4, 1, 10, 30),
        "pool_name": "Sprachmittlerpool Kreis Heinsberg",
        "lines": lines or (line(),),
    }
    return PayoutList(**{**fields, **overrides})  # type: ignore[arg-type]


VALID_IBANS = ("DE89370400440532013000", "DE02370502990000684712", "NL91ABNA0417164300")

amounts = st.decimals(min_value=Decimal("-100"), max_value=Decimal("500"), places=2)
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=25)

items = st.builds(
    PayoutItem,
    assignment_id=st.text("abc0123456789", min_size=1, max_size=6),
    date=st.dates(date(2025, 3, 1), date(2025, 3, 31)),
    institution=texts,
    duration_minutes=st.integers(0, 600),
    outcome=st.sampled_from(["took_place", "late", "early", "no_show"]),
    amount=amounts,
    corrects=st.none() | st.just("2025-02/a17"),
    note=texts,
)

lines = st.builds(
    PayoutLine,
    volunteer_id=st.text("v0123456789", min_size=1, max_size=5),
    name=texts,
    items=st.lists(items, max_size=4).map(tuple),
    year_to_date=amounts,
    limit_warning=st.sampled_from([None, "80", "100"]),
    iban=st.none() | st.sampled_from(VALID_IBANS),
    bic=st.none() | st.just("COBADEFFXXX"),
)

payout_lists = st.builds(
    PayoutList,
    month=st.sampled_from(["2025-01", "2025-03", "2026-12"]),
    closed=st.booleans(),
    closed_at=st.none() | st.just(datetime(2025, 4, 1, 10, 30)),
    pool_name=texts,
    lines=st.lists(lines, max_size=5, unique_by=lambda line: line.volunteer_id).map(tuple),
)
