"""The validator catches every broken rule in a result, whoever produced it."""

from dataclasses import replace

from matching.greedy import solve_greedy
from matching.results import result_to_dict
from matching.types import Assignment, Unassigned
from matching.validation import validate
from tests.matching.builders import build, request, solved, volunteer


def _instance():
    volunteers = [volunteer(), volunteer("v2", languages=["ru"], max_per_week=1)]
    requests = [request("r1"), request("r2", start="2025-03-03T10:30", end="2025-03-03T11:30")]
    return build(volunteers, requests)


def test_solver_result_validates_also_as_dict():
    instance = _instance()

    assert validate(instance, result_to_dict(solved(instance))) == []


def test_request_placed_twice_is_reported():
    instance = _instance()
    result = solved(instance)

    broken = replace(result, unassigned=(*result.unassigned, Unassigned("r1", "capacity")))

    assert any("r1 appears 2 times" in problem for problem in validate(instance, broken))


def test_clash_between_new_assignments_is_reported():
    instance = _instance()
    both = (Assignment("r1", "v1", 0.0), Assignment("r2", "v1", 0.0))
    broken = replace(solved(instance), assignments=both, unassigned=())

    assert any("(rule 6)" in problem for problem in validate(instance, broken))


def test_unspoken_language_is_reported():
    instance = _instance()
    broken = replace(solved(instance), assignments=(Assignment("r1", "v2", 0.0),))

    assert any("(rule 1)" in problem for problem in validate(instance, broken))


def test_clash_with_a_booking_is_reported():
    booked = [{"start": "2025-03-03T10:30", "end": "2025-03-03T12:00", "municipality": "home"}]
    instance = build([volunteer(booked=booked)], [request()])
    broken = replace(solved(instance), assignments=(Assignment("r1", "v1", 0.0),), unassigned=())

    assert any("clashes with booking" in problem for problem in validate(instance, broken))


def test_weekly_cap_with_bookings_is_reported():
    booked = [{"start": "2025-03-05T10:00", "end": "2025-03-05T11:00", "municipality": "home"}]
    instance = build([volunteer(booked=booked, max_per_week=1)], [request()])
    broken = replace(solved(instance), assignments=(Assignment("r1", "v1", 0.0),), unassigned=())

    assert any("(rule 7)" in problem for problem in validate(instance, broken))


def test_wrong_objective_and_reason_are_reported():
    instance = _instance()
    result = solved(instance)
    broken = replace(
        result,
        objective=replace(result.objective, priority=99),
        unassigned=tuple(replace(u, reason="no_time") for u in result.unassigned),
    )

    problems = validate(instance, broken)

    assert any(problem.startswith("objective priority") for problem in problems)
    assert any("reason 'no_time', expected 'capacity'" in problem for problem in problems)


def test_greedy_result_validates():
    instance = _instance()

    assert validate(instance, solve_greedy(instance)) == []


def test_unqualified_volunteer_is_reported():
    instance = build(
        [volunteer(qualifications={"clearance": "2025-03-02"})], [request(requires=["clearance"])]
    )
    broken = replace(solved(instance), assignments=(Assignment("r1", "v1", 0.0),), unassigned=())

    assert any("lacks a valid clearance on 2025-03-03 (rule 8)" in p for p in validate(instance, broken))


def test_phone_request_with_a_volunteer_who_takes_no_remote_work_is_reported():
    instance = build([volunteer()], [request(mode="phone")])
    broken = replace(solved(instance), assignments=(Assignment("r1", "v1", 0.0),), unassigned=())

    assert any("takes no phone requests (rule 9)" in p for p in validate(instance, broken))


def test_phone_call_overlapping_a_request_of_the_same_volunteer_is_reported():
    requests = [request("r1"), request("r2", start="2025-03-03T10:30", end="2025-03-03T11:30", mode="phone")]
    instance = build([volunteer(remote=True)], requests)
    both = (Assignment("r1", "v1", 0.0), Assignment("r2", "v1", 0.0))
    broken = replace(solved(instance), assignments=both, unassigned=())

    assert any("(rule 6)" in problem for problem in validate(instance, broken))


def test_distance_reported_for_a_phone_request_is_checked_against_zero():
    instance = build([volunteer(remote=True)], [request(mode="phone", municipality="near")])
    broken = replace(solved(instance), assignments=(Assignment("r1", "v1", 10.0),), unassigned=())

    assert any("distance_km 10.0 differs from 0.0" in p for p in validate(instance, broken))
