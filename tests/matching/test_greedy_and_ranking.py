"""The first-come-first-served baseline, candidate ranking and explanations."""

from matching.greedy import solve_greedy
from matching.ranking import explain_assignments, rank_candidates
from tests.matching.builders import build, placement, request, solved, volunteer


def test_greedy_serves_the_earlier_request_first_even_if_less_important():
    early = request("r2", start="2025-03-03T09:00", end="2025-03-03T10:30")
    late = request("r1", start="2025-03-03T10:00", end="2025-03-03T11:00", priority=5)
    instance = build([volunteer()], [late, early])

    assert placement(solve_greedy(instance)) == {"r2": "v1"}
    assert placement(solved(instance)) == {"r1": "v1"}


def test_greedy_takes_the_nearest_free_volunteer():
    volunteers = [volunteer("v1", home="near"), volunteer("v2")]
    instance = build(volunteers, [request()])

    assert placement(solve_greedy(instance)) == {"r1": "v2"}


def test_candidates_are_ranked_preferred_then_near_then_least_loaded():
    volunteers = [
        volunteer("v1", home="near"),
        volunteer("v2", recent_assignments=5),
        volunteer("v3", recent_assignments=1),
        volunteer("v4", home="near"),
        volunteer("v5", languages=["ru"]),
    ]
    instance = build(volunteers, [request(preferred_volunteers=["v4"])])

    ranked = rank_candidates(instance, "r1")

    assert [c.volunteer for c in ranked] == ["v4", "v3", "v2", "v1"]
    assert ranked[0].preferred and ranked[0].distance_km == 10.0


def test_candidate_with_clashing_booking_is_listed_but_not_free():
    booked = [{"start": "2025-03-03T10:15", "end": "2025-03-03T10:45", "municipality": "home"}]
    instance = build([volunteer(booked=booked), volunteer("v2")], [request()])

    free = {c.volunteer: c.free for c in rank_candidates(instance, "r1")}

    assert free == {"v1": False, "v2": True}


def test_candidate_busy_with_another_proposed_request_is_not_free():
    requests = [request("r1", priority=2), request("r2", start="2025-03-03T10:30", end="2025-03-03T11:30")]
    instance = build([volunteer()], requests)
    result = solved(instance)

    (candidate,) = rank_candidates(instance, "r2", result)

    assert not candidate.free
    assert candidate.load == 1


def test_explanation_names_language_distance_continuity_and_load():
    instance = build([volunteer(home="near", recent_assignments=2)], [request(preferred_volunteers=["v1"])])

    explanation = explain_assignments(instance, solved(instance))["r1"]

    assert (explanation.language, explanation.distance_km, explanation.preferred, explanation.load) == (
        "uk",
        10.0,
        True,
        3,
    )


def test_candidates_for_a_phone_request_are_only_those_who_take_remote_work():
    volunteers = [volunteer("v1"), volunteer("v2", remote=True, home="far", max_distance_km=1)]
    instance = build(volunteers, [request(mode="phone")])

    ranked = rank_candidates(instance, "r1")

    assert [(c.volunteer, c.distance_km) for c in ranked] == [("v2", 0.0)]


def test_candidates_lacking_a_required_qualification_are_not_listed():
    volunteers = [volunteer("v1", qualifications={"clearance": "2025-03-02"}), volunteer("v2")]
    qualified = volunteer("v3", qualifications={"clearance": None})
    instance = build([*volunteers, qualified], [request(requires=["clearance"])])

    assert [c.volunteer for c in rank_candidates(instance, "r1")] == ["v3"]


def test_greedy_keeps_rules_8_and_9():
    volunteers = [
        volunteer("v1"),
        volunteer("v2", home="near", remote=True, qualifications={"trained": None}),
    ]
    requests = [
        request("r1", mode="video"),
        request("r2", start="2025-03-03T12:00", end="2025-03-03T13:00", requires=["trained"]),
    ]
    instance = build(volunteers, requests)

    assert placement(solve_greedy(instance)) == {"r1": "v2", "r2": "v2"}
