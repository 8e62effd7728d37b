"""The four objective levels of matching.md, each deciding when the ones before tie."""

import pytest

from matching import solve
from tests.matching.builders import FAST, build, placement, request, solved, volunteer


def test_higher_priority_beats_more_placements():
    urgent = request("r1", start="2025-03-03T10:00", end="2025-03-03T12:00", priority=3)
    before = request("r2", start="2025-03-03T09:00", end="2025-03-03T10:30")
    after = request("r3", start="2025-03-03T11:30", end="2025-03-03T13:00")
    instance = build([volunteer()], [urgent, before, after])

    result = solved(instance)

    assert placement(result) == {"r1": "v1"}
    assert result.objective.priority == 3


def test_preferred_volunteer_wins_at_equal_priority():
    volunteers = [volunteer("v1"), volunteer("v2", home="near")]
    instance = build(volunteers, [request(preferred_volunteers=["v2"])])

    result = solved(instance)

    assert placement(result) == {"r1": "v2"}
    assert result.objective.preferred == 1


def test_preference_never_costs_priority():
    volunteers = [volunteer("v1", languages=["ru"]), volunteer("v2")]
    ru = request("r1", language="ru")
    uk = request("r2", preferred_volunteers=["v1"])
    instance = build(volunteers, [ru, uk])

    assert placement(solved(instance)) == {"r1": "v1", "r2": "v2"}


def test_nearest_volunteer_wins_at_equal_continuity():
    volunteers = [volunteer("v1", home="far", max_distance_km=100), volunteer("v2", home="near")]
    instance = build(volunteers, [request()])

    result = solved(instance)

    assert placement(result) == {"r1": "v2"}
    assert result.objective.distance_km == 10.0


def test_total_distance_is_minimised_not_each_one():
    # nearest-first would give r1 to v1 (10 km) and r2 to v2 (56 km); swapping costs 46 km in all
    volunteers = [volunteer("v1"), volunteer("v2", home="far", max_distance_km=100)]
    first = request("r1", start="2025-03-03T09:00", end="2025-03-03T10:30", municipality="near")
    second = request("r2", start="2025-03-03T10:00", end="2025-03-03T11:00")
    instance = build(volunteers, [first, second])

    result = solved(instance)

    assert placement(result) == {"r1": "v2", "r2": "v1"}
    assert result.objective.distance_km == 45.6


def test_load_is_spread_at_equal_distance():
    volunteers = [volunteer("v1", recent_assignments=4), volunteer("v2", recent_assignments=3)]
    instance = build(volunteers, [request()])

    result = solved(instance)

    assert placement(result) == {"r1": "v2"}
    assert result.objective.max_load == 4


def test_max_load_counts_volunteers_without_new_work():
    volunteers = [
        volunteer("v1", recent_assignments=0),
        volunteer("v2", languages=["ru"], recent_assignments=7),
    ]
    instance = build(volunteers, [request()])

    assert solved(instance).objective.max_load == 7


def test_small_instance_is_proven_optimal():
    instance = build([volunteer()], [request()])

    assert solved(instance).proven_optimal is True


def test_phone_request_counts_no_distance_so_the_load_decides():
    volunteers = [
        volunteer("v1", remote=True, recent_assignments=3),
        volunteer("v2", home="far", remote=True),
    ]
    instance = build(volunteers, [request(mode="phone")])

    result = solved(instance)

    assert placement(result) == {"r1": "v2"}
    assert (result.objective.distance_km, result.objective.max_load) == (0.0, 3)


def test_the_solver_reports_each_level_with_the_values_its_result_has():
    volunteers = [volunteer("v1", home="far", max_distance_km=100), volunteer("v2", home="near")]
    urgent = request("r1", priority=2, preferred_volunteers=["v1"])
    other = request("r2", start="2025-03-03T14:00", end="2025-03-03T15:00")
    instance = build(volunteers, [urgent, other])
    reports = []

    result = solve(instance, FAST, on_level=reports.append)

    assert [(r.level, r.levels) for r in reports] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert [len(r.objective) for r in reports] == [1, 2, 3, 4]
    priority, preferred, metres, load = reports[-1].objective
    assert (priority, preferred, load) == (3, 1, result.objective.max_load)
    assert metres / 1000 == pytest.approx(sum(a.distance_km for a in result.assignments), abs=0.1)
    assert all(r.objective == reports[-1].objective[: r.level] for r in reports)
    assert reports[-1].proven == result.proven_optimal
