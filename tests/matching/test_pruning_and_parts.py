"""Pruning dominated pairs and solving weeks apart must never change the lexicographic optimum."""

from matching.candidates import Context
from matching.greedy import greedy_choice
from matching.pruning import prune_dominated, repair
from matching.solver import by_volunteer, by_volunteer_time, solve, split_components
from matching.validation import validate
from tests.matching.builders import FAST, build, placement, request, solved, volunteer


def test_farther_pair_is_pruned_when_a_free_volunteer_is_nearer():
    volunteers = [volunteer("v1", home="near"), volunteer("v2")]
    instance = build(volunteers, [request()])
    context = Context(instance)

    kept, moved_to = prune_dominated(context, context.pairs)

    assert [(p.request, p.volunteer) for p in kept] == [(0, 1)]
    assert repair({0: 0}, context.pairs, moved_to) == {0: 1}


def test_preferred_pair_is_never_pruned_by_a_nearer_unpreferred_one():
    volunteers = [volunteer("v1", home="near"), volunteer("v2")]
    instance = build(volunteers, [request(preferred_volunteers=["v1"])])
    context = Context(instance)

    kept, _ = prune_dominated(context, context.pairs)

    assert len(kept) == 2


def test_load_level_still_sees_pruned_pairs():
    busy = volunteer("v1", recent_assignments=5)
    idle = volunteer("v2")
    instance = build([busy, idle], [request()])

    result = solved(instance)

    assert placement(result) == {"r1": "v2"}
    assert result.objective.max_load == 5


def test_weeks_are_solved_apart_but_joined_for_the_load():
    monday = request("r1", start="2025-03-03T10:00", end="2025-03-03T11:00")
    next_monday = request("r2", start="2025-03-10T10:00", end="2025-03-10T11:00")
    instance = build(
        [volunteer("v1", max_per_week=1), volunteer("v2", max_per_week=1)], [monday, next_monday]
    )
    context = Context(instance)

    by_week = split_components(context.pairs, by_volunteer_time(context, context.pairs))
    joined = split_components(context.pairs, by_volunteer)

    assert len(by_week) == 2
    assert len(joined) == 1


def test_solve_reports_when_each_level_was_done():
    instance = build([volunteer("v1"), volunteer("v2", home="near")], [request("r1"), request("r2")])

    result = solve(instance, FAST)

    assert validate(instance, result) == []
    assert len(result.level_seconds) == 4
    assert list(result.level_seconds) == sorted(result.level_seconds)
    assert result.level_proven == (True, True, True, True)
    assert result.proven_optimal


def test_repaired_greedy_start_stays_valid():
    volunteers = [volunteer(f"v{i}", home=home) for i, home in enumerate(["home", "near", "far", "near"])]
    requests = [
        request(
            f"r{i}",
            start=f"2025-03-0{3 + i % 3}T{9 + i % 4:02d}:00",
            end=f"2025-03-0{3 + i % 3}T{10 + i % 4:02d}:00",
        )
        for i in range(9)
    ]
    instance = build([v | {"max_distance_km": 80} for v in volunteers], requests)
    context = Context(instance)
    kept, moved_to = prune_dominated(context, context.pairs)

    start = repair(greedy_choice(context), context.pairs, moved_to)

    kept_keys = {(p.request, p.volunteer) for p in kept}
    assert all((r, v) in kept_keys for r, v in start.items())
    assert len(start) == len(greedy_choice(context))
