"""Each breakdown of the committee's report counts its rows by their own date, inside the pool only.

The expected figures are worked out by hand from tests/reports/world.py.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event

from sprachmittlerpool.services import reports
from sprachmittlerpool.services.report_breakdowns import Breakdown, BreakdownRow
from tests.factories import FIRST_POOL

# label: requests, assignments, hours, euros, rejected, unfilled, cancelled
EXPECTED_2025 = {
    "language": [
        ("Ukrainisch", 4, 2, "3.5", "65.00", 1, 0, 1),
        ("Arabisch", 3, 1, "1.0", "35.00", 1, 1, 0),
        ("Türkisch", 0, 0, "0.0", "15.00", 0, 0, 0),  # held in 2024, its allowance booked in January 2025
    ],
    "institution_type": [
        ("Kindertageseinrichtung (Kita)", 4, 2, "3.5", "80.00", 1, 0, 1),
        ("Schule", 3, 1, "1.0", "35.00", 1, 1, 0),
    ],
    "appointment_type": [
        ("Elterngespräch", 3, 2, "3.5", "80.00", 0, 0, 1),
        ("Anmeldung", 3, 1, "1.0", "35.00", 1, 1, 0),
        ("Polizei", 1, 0, "0.0", "0.00", 1, 0, 0),
    ],
    "municipality": [
        ("Heinsberg", 4, 2, "3.5", "80.00", 1, 0, 1),
        ("Erkelenz", 3, 1, "1.0", "35.00", 1, 1, 0),
    ],
}
EXPECTED_MONTHS_2025 = {
    "Januar 2025": (1, 1, "2.0", "55.00", 0, 0, 0),
    "Februar 2025": (1, 1, "1.5", "25.00", 0, 0, 0),
    "März 2025": (0, 1, "1.0", "35.00", 0, 0, 0),
    "April 2025": (2, 0, "0.0", "0.00", 2, 0, 0),
    "Mai 2025": (1, 0, "0.0", "0.00", 0, 1, 0),
    "Juni 2025": (1, 0, "0.0", "0.00", 0, 0, 1),
    "Dezember 2025": (1, 0, "0.0", "0.00", 0, 0, 0),
}
TOTAL_2025 = ("Summe", 7, 3, "4.5", "115.00", 2, 1, 1)


def _figures(row: BreakdownRow) -> tuple:
    return (
        row.label,
        row.requests,
        row.assignments,
        str(row.hours),
        str(row.allowances),
        row.rejected,
        row.unfilled,
        row.cancelled,
    )


def _report(app, db, start: date, end: date) -> reports.Report:
    titles = reports.rule_titles(db, pool_id=FIRST_POOL, instance_path=app.instance_path)
    return reports.build_report(db, start, end, pool_id=FIRST_POOL, titles=titles)


def _by(report: reports.Report, dimension: str) -> Breakdown:
    return next(b for b in report.breakdowns if b.dimension == dimension)


@pytest.mark.parametrize("dimension", list(EXPECTED_2025))
def test_each_category_breakdown_counts_the_year_by_each_rows_own_date(app, db, two_years, dimension):
    report = _report(app, db, date(2025, 1, 1), date(2025, 12, 31))

    breakdown = _by(report, dimension)

    assert [_figures(row) for row in breakdown.rows] == EXPECTED_2025[dimension]
    assert _figures(breakdown.total) == TOTAL_2025


def test_the_month_breakdown_lists_every_month_and_puts_each_figure_in_the_month_of_its_date(
    app, db, two_years
):
    report = _report(app, db, date(2025, 1, 1), date(2025, 12, 31))

    months = _by(report, "month")

    assert len(months.rows) == 12
    empty = (0, 0, "0.0", "0.00", 0, 0, 0)
    filled = {row.label: _figures(row)[1:] for row in months.rows if _figures(row)[1:] != empty}
    assert filled == EXPECTED_MONTHS_2025
    assert _figures(months.total) == TOTAL_2025


def test_a_request_received_in_december_and_held_in_january_counts_as_a_request_in_one_year_and_an_assignment_in_the_next(
    app, db, two_years
):
    december = _report(app, db, date(2024, 12, 1), date(2024, 12, 31))
    january = _report(app, db, date(2025, 1, 1), date(2025, 1, 31))

    assert (december.requests, december.assignments) == (2, 1)  # Jan 8 one received, Dec 15 one held
    assert (january.requests, january.assignments) == (1, 1)  # Feb 3 one received, Jan 8 one held
    assert _by(december, "language").total.allowance_cents == 0  # the December work was booked in January
    assert _by(january, "language").total.allowance_cents == 5500


def test_another_pools_rows_never_appear(app, db, two_years):
    report = _report(app, db, date(2025, 1, 1), date(2025, 12, 31))

    labels = {row.label for breakdown in report.breakdowns for row in breakdown.rows}

    assert "Rumänisch" not in labels and "Wegberg" not in labels and "Beratung" not in labels
    assert report.requests == 7 and report.allowances == Decimal("115.00")
    assert "Termine bei Gerichten" not in dict(report.rejections)


def test_a_rejected_request_is_counted_by_its_rule_title_never_its_id(app, db, two_years):
    report = _report(app, db, date(2025, 1, 1), date(2025, 12, 31))

    assert report.rejections == [("Termine bei der Polizei", 1), ("andere Regel", 1)]
    assert "legal.police" not in reports.to_csv(report).decode("utf-8-sig")


def test_the_year_is_set_against_the_grant_on_record(app, db, two_years):
    report = _report(app, db, date(2025, 4, 1), date(2025, 6, 30))

    (budget,) = report.budgets

    assert budget.year == 2025 and budget.budget == Decimal("1000.00")
    assert budget.spent == Decimal("115.00") and budget.share_percent == Decimal("11.50")
    assert budget.remaining == Decimal("885.00")


def test_the_breakdowns_take_a_fixed_number_of_queries_however_many_rows(app, db, two_years):
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        _report(app, db, date(2025, 1, 1), date(2025, 12, 31))
    finally:
        event.remove(engine, "before_cursor_execute", count)

    grouped = [s for s in statements if "GROUP BY" in s]
    # three for all five breakdowns and the totals by status (one per kind of row: assignments, bookings,
    # requests); months' bookings, unfilled reasons, received from and given to other pools
    assert len(grouped) == 3 + 2 + 2
    assert len(statements) <= 18


def test_the_key_figures_of_a_year_count_each_request_once_by_its_status(app, db, two_years):
    report = _report(app, db, date(2025, 1, 1), date(2025, 12, 31))

    # seven received in 2025: two placed, one unfilled, two rejected; three assignments held in 2025
    assert (report.requests, report.placed, report.unfilled, report.assignments) == (7, 2, 1, 3)
