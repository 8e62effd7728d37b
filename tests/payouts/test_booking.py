"""Booking allowances into months, idempotence, and corrections after a month is closed."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import PayoutEntry, PayoutLine, PayoutMonth
from sprachmittlerpool.services import payouts
from tests.factories import FIRST_POOL
from tests.payouts import helpers

NOW = datetime(2025, 3, 5, 12, 0)


@pytest.fixture
def session(app):
    """Open a write session in an app context."""
    with app.app_context():
        s = new_session(write=True)
        yield s
        s.close()


def test_books_into_the_appointment_month_once(session) -> None:
    vol = helpers.volunteer(session)
    inst = helpers.institution(session)
    assignment = helpers.completed(session, vol.id, inst.id, datetime(2025, 2, 10, 9), 2500)
    entry = payouts.book_allowance(session, assignment, now=NOW)
    assert entry is not None and entry.amount_cents == 2500
    assert payouts.book_allowance(session, assignment, now=NOW) is None
    session.commit()
    assert payouts.month_of_id(session, entry.payout_month_id) == "2025-02"
    assert len(session.exec(select(PayoutEntry)).all()) == 1


def test_change_in_open_month_updates_the_entry(session) -> None:
    vol = helpers.volunteer(session)
    inst = helpers.institution(session)
    assignment = helpers.completed(session, vol.id, inst.id, datetime(2025, 2, 10, 9), 2500)
    payouts.book_allowance(session, assignment, now=NOW)
    assignment.allowance_cents = 3500
    entry = payouts.book_allowance(session, assignment, now=NOW)
    session.commit()
    assert entry is not None and entry.corrects_entry_id is None
    assert [e.amount_cents for e in session.exec(select(PayoutEntry)).all()] == [3500]


def test_closed_month_gets_a_correction_in_the_next_open_month(session) -> None:
    vol = helpers.volunteer(session, name="Ömer Çelik")
    inst = helpers.institution(session)
    assignment = helpers.completed(session, vol.id, inst.id, datetime(2025, 2, 10, 9), 2500)
    original = payouts.book_allowance(session, assignment, now=NOW)
    session.commit()
    payouts.close_month(session, "2025-02", pool_id=FIRST_POOL, user_id=None, actor="test")
    closed = session.exec(select(PayoutMonth).where(PayoutMonth.month == "2025-02")).one()
    assert closed.total_cents == 2500 and closed.checksum
    lines_before = session.exec(select(PayoutLine)).all()

    assignment.allowance_cents = 1500
    correction = payouts.book_allowance(session, assignment, now=NOW)
    session.commit()
    assert correction is not None
    assert correction.amount_cents == -1000
    assert correction.corrects_entry_id == original.id
    assert correction.note == f"Korrektur zu 2025-02/a{assignment.id}"
    assert payouts.month_of_id(session, correction.payout_month_id) == "2025-03"

    feb = payouts.build_payout_list(session, "2025-02", pool_id=FIRST_POOL)
    assert feb.closed and feb.total == closed.total_cents / 100
    mar = payouts.build_payout_list(session, "2025-03", pool_id=FIRST_POOL)
    (item,) = mar.lines[0].items
    assert item.corrects == f"2025-02/a{assignment.id}"
    assert str(item.amount) == "-10.00"
    assert str(mar.lines[0].year_to_date) == "15.00"
    assert session.exec(select(PayoutLine)).all() == lines_before

    with pytest.raises(payouts.MonthClosedError):
        payouts.close_month(session, "2025-02", pool_id=FIRST_POOL, user_id=None, actor="test")


def test_first_booking_after_close_goes_to_the_next_open_month(session) -> None:
    payouts.close_month(session, "2025-02", pool_id=FIRST_POOL, user_id=None, actor="test")
    payouts.close_month(session, "2025-03", pool_id=FIRST_POOL, user_id=None, actor="test")
    vol = helpers.volunteer(session)
    inst = helpers.institution(session)
    assignment = helpers.completed(session, vol.id, inst.id, datetime(2025, 2, 10, 9), 2500)
    entry = payouts.book_allowance(session, assignment, now=NOW)
    session.commit()
    assert payouts.month_of_id(session, entry.payout_month_id) == "2025-04"
    assert entry.note == "Nachtrag zu 2025-02"
