"""The LP relaxation proves what it claims: its bound never passes the integer optimum."""

from __future__ import annotations

import itertools

from matching.relaxation import Relaxation, Row


def _integer_optimum(costs: list[int], rows: list[Row]) -> int:
    """The true optimum by trying every 0/1 vector: the yardstick for the LP's bound."""
    return min(
        sum(c * v for c, v in zip(costs, values, strict=True))
        for values in itertools.product((0, 1), repeat=len(costs))
        if all(row.holds(values) for row in rows)
    )


def test_an_integral_lp_solution_is_returned_with_a_bound_equal_to_its_value():
    # two requests, three volunteers' pairs: request A on 0 or 1, request B on 2; pairs 1 and 2 clash
    rows = [Row([0, 1], 1), Row([1, 2], 1)]
    costs = [-3, -5, -4]  # maximise 3 x0 + 5 x1 + 4 x2
    answer = Relaxation([(0, 1)] * 3, rows).minimize(costs, 5.0)

    assert answer.rounded == [1, 0, 1]
    assert answer.bound == _integer_optimum(costs, rows) == -7


def test_an_odd_cycle_gives_a_fractional_solution_and_a_bound_below_the_optimum():
    # three pairwise clashing pairs in a cycle: the LP takes half of each, the integers only one
    rows = [Row([0, 1], 1), Row([1, 2], 1), Row([0, 2], 1)]
    costs = [-2, -2, -2]
    answer = Relaxation([(0, 1)] * 3, rows).minimize(costs, 5.0)

    assert answer.rounded is None
    assert answer.bound == -3  # ceil of -3.0: valid, and below the integer optimum -2
    assert answer.bound <= _integer_optimum(costs, rows)


def test_forgotten_rows_no_longer_bind():
    relaxation = Relaxation([(0, 1)] * 2, [Row([0, 1], 1)])
    relaxation.add(Row([0], 0))  # an assumption: x0 off
    assert relaxation.minimize([-1, -2], 5.0).rounded == [0, 1]
    relaxation.forget(1)

    assert relaxation.minimize([-3, -2], 5.0).rounded == [1, 0]


def test_a_row_added_in_place_of_a_forgotten_one_binds_instead_of_it():
    relaxation = Relaxation([(0, 1)] * 2, [])
    relaxation.add(Row([0], 0))  # an assumption that does not come true: x0 off
    assert relaxation.minimize([-1, -1], 5.0).rounded == [0, 1]
    relaxation.forget(0)
    relaxation.add(Row([1], 0))  # as many rows as before, another one: x1 off

    answer = relaxation.minimize([-1, -1], 5.0)

    assert answer.rounded == [1, 0]
    assert answer.bound == -1


def test_never_on_names_only_columns_that_no_solution_of_that_cost_uses():
    # request A on pair 0 (1 km) or pair 1 (9 km); request B on pair 2; everything placed
    rows = [Row([0, 1], 1), Row([0, 1], -1, [-1, -1]), Row([2], -1, [-1])]
    costs = [1, 9, 4]
    answer = Relaxation([(0, 1)] * 3, rows).minimize(costs, 5.0)

    assert answer.bound == 5
    assert answer.never_on(5) == {1}  # the far pair costs 8 more
    assert answer.never_on(13) == set()  # with room for 8 more, it may be on


def test_an_infeasible_relaxation_gives_no_bound_and_no_solution():
    # x0 off and x0 on: GLOP says infeasible with and without scaling, and nothing is claimed
    relaxation = Relaxation([(0, 1)], [Row([0], 0), Row([0], -1, [-1])])

    answer = relaxation.minimize([-1], 5.0)

    assert (answer.bound, answer.rounded) == (None, None)
