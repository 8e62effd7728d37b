"""Money invariants through the real database: totals, year-to-date, limit warnings, stable exports."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import delete

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import (
    Assignment,
    Institution,
    InterpretingRequest,
    Offer,
    PayoutDocument,
    PayoutEntry,
    PayoutLine,
    PayoutLineItem,
    PayoutMonth,
    Volunteer,
)
from sprachmittlerpool.services import payouts
from tests.factories import FIRST_POOL
from tests.payouts import helpers


@pytest.fixture
def session(app):
    """Open a write session in an app context."""
    with app.app_context():
        s = new_session(write=True)
        yield s
        s.close()


def _clear(session) -> None:
    """Remove the rows one example made, so the next starts empty (audit rows stay: the trail is append-only)."""
    for model in (
        PayoutDocument,
        PayoutLineItem,
        PayoutLine,
        PayoutEntry,
        PayoutMonth,
        Assignment,
        Offer,
        InterpretingRequest,
    ):
        session.exec(delete(model))
    session.commit()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    amounts=st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 200_000)),
        min_size=0,
        max_size=12,
    )
)
def test_list_total_is_the_sum_of_its_lines_and_survives_closing(session, amounts) -> None:
    vols = [helpers.volunteer(session, name=f"Person {i}") for i in range(4)]
    inst = helpers.institution(session)
    for day, (who, cents) in enumerate(amounts, start=1):
        assignment = helpers.completed(session, vols[who].id, inst.id, datetime(2025, 6, day, 9), cents)
        payouts.book_allowance(session, assignment, now=datetime(2025, 6, 28))
    session.commit()
    payout_list = payouts.build_payout_list(session, "2025-06", pool_id=FIRST_POOL)
    expected = sum((Decimal(c) / 100 for _, c in amounts), Decimal("0"))
    assert payout_list.total == expected
    assert payout_list.total == sum((line.amount for line in payout_list.lines), Decimal("0"))
    row = payouts.close_month(session, "2025-06", pool_id=FIRST_POOL, user_id=None, actor="test")
    assert row.total_cents == sum(c for _, c in amounts)
    assert payouts.build_payout_list(session, "2025-06", pool_id=FIRST_POOL).total == expected
    _clear(session)
    session.exec(delete(Volunteer))
    session.exec(delete(Institution))
    session.commit()


@pytest.mark.parametrize(
    ("year", "ytd_cents", "warning"),
    [
        (2025, 67_100, None),
        (2025, 67_200, "80"),  # 80 % of 840 €
        (2025, 83_999, "80"),
        (2025, 84_000, "100"),
        (2026, 76_799, None),
        (2026, 76_800, "80"),  # 80 % of 960 €
        (2026, 95_999, "80"),
        (2026, 96_000, "100"),
    ],
)
def test_year_to_date_and_limit_warnings(session, year, ytd_cents, warning) -> None:
    vol = helpers.volunteer(session)
    inst = helpers.institution(session)
    earlier = helpers.completed(session, vol.id, inst.id, datetime(year, 1, 15, 9), ytd_cents - 2500)
    payouts.book_allowance(session, earlier, now=datetime(year, 1, 20))
    last_year = helpers.completed(session, vol.id, inst.id, datetime(year - 1, 12, 15, 9), 50_000)
    payouts.book_allowance(session, last_year, now=datetime(year, 1, 20))
    current = helpers.completed(session, vol.id, inst.id, datetime(year, 5, 15, 9), 2500)
    payouts.book_allowance(session, current, now=datetime(year, 5, 20))
    session.commit()
    (line,) = payouts.build_payout_list(session, f"{year}-05", pool_id=FIRST_POOL).lines
    assert line.year_to_date == Decimal(ytd_cents) / 100
    assert line.limit_warning == warning


def test_regenerated_exports_are_byte_identical(app, session) -> None:
    vol = helpers.volunteer(session, name="Zoë =SUMME(A1)")
    inst = helpers.institution(session, name="@Amt")
    for day in (3, 4, 5):
        assignment = helpers.completed(session, vol.id, inst.id, datetime(2025, 7, day, 9), 2500 + day)
        payouts.book_allowance(session, assignment, now=datetime(2025, 7, 28))
    session.commit()
    payouts.close_month(session, "2025-07", pool_id=FIRST_POOL, user_id=None, actor="test")
    for fmt in ("csv", "xlsx", "pdf"):
        first = payouts.render_export(session, "2025-07", fmt, app.config, pool_id=FIRST_POOL)
        second = payouts.render_export(session, "2025-07", fmt, app.config, pool_id=FIRST_POOL)
        assert first.data == second.data, fmt
    csv_text = payouts.render_export(session, "2025-07", "csv", app.config, pool_id=FIRST_POOL).data.decode(
        "utf-8-sig"
    )
    assert "Zoë =SUMME(A1)" in csv_text
    assert ";'@Amt;" in csv_text
