"""On random small instances the engine always validates and never places less priority than greedy."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.greedy import solve_greedy
from matching.parsing import parse_instance
from matching.solver import solve
from matching.types import SolverConfig
from matching.validation import validate
from tests.matching.builders import instance_data

PLACES = ["home", "near", "far"]
LANGUAGES = ["uk", "ru"]
QUALIFICATIONS = ["trained", "clearance"]


@st.composite
def volunteers(draw, index, additions=False):
    days = draw(st.lists(st.integers(0, 6), min_size=1, max_size=4, unique=True))
    booked = [
        {
            "start": f"2025-03-{day:02d}T{hour:02d}:00",
            "end": f"2025-03-{day:02d}T{hour + 1:02d}:30",
            "municipality": place,
        }
        for day, hour, place in draw(
            st.lists(st.tuples(st.integers(3, 9), st.integers(8, 16), st.sampled_from(PLACES)), max_size=2)
        )
    ]
    extra = {}
    if additions:
        # a qualification ends on one of the request days, or never
        until = st.sampled_from([None, "2025-03-04", "2025-03-07"])
        extra = {
            "remote": draw(st.booleans()),
            "qualifications": draw(st.dictionaries(st.sampled_from(QUALIFICATIONS), until, max_size=2)),
        }
    return extra | {
        "id": f"v{index}",
        "languages": draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=2, unique=True)),
        "gender": draw(st.sampled_from(["f", "m", None])),
        "home": draw(st.sampled_from(PLACES)),
        "max_distance_km": draw(st.sampled_from([5, 15, 60])),
        "availability": [{"weekday": day, "start": "08:00", "end": "18:00"} for day in days],
        "max_per_week": draw(st.integers(0, 3)),
        "booked": booked,
        "recent_assignments": draw(st.integers(0, 4)),
    }


@st.composite
def requests(draw, index, volunteer_ids, additions=False):
    day = draw(st.integers(3, 9))
    hour = draw(st.integers(8, 16))
    minutes = draw(st.sampled_from([30, 60, 90]))
    end = hour * 60 + minutes
    extra = {}
    if additions:
        extra = {
            "mode": draw(st.sampled_from(["in_person", "in_person", "phone", "video"])),
            "requires": draw(st.lists(st.sampled_from(QUALIFICATIONS), max_size=2, unique=True)),
        }
    return extra | {
        "id": f"r{index}",
        "language": draw(st.sampled_from([*LANGUAGES, "fa"])),
        "municipality": draw(st.sampled_from(PLACES)),
        "start": f"2025-03-{day:02d}T{hour:02d}:00",
        "end": f"2025-03-{day:02d}T{end // 60:02d}:{end % 60:02d}",
        "gender_required": draw(st.sampled_from([None, None, "f", "m"])),
        "preferred_volunteers": draw(st.lists(st.sampled_from(volunteer_ids), max_size=1)),
        "excluded_volunteers": draw(st.lists(st.sampled_from(volunteer_ids), max_size=1)),
        "priority": draw(st.integers(1, 3)),
    }


@st.composite
def instances(draw, additions=False):
    people = [draw(volunteers(i, additions)) for i in range(draw(st.integers(1, 5)))]
    ids = [v["id"] for v in people]
    work = [draw(requests(i, ids, additions)) for i in range(draw(st.integers(1, 10)))]
    return parse_instance(instance_data(people, work))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_engine_result_validates_and_never_trails_greedy(instance):
    greedy = solve_greedy(instance)

    result = solve(instance, SolverConfig(time_limit_s=5.0))

    assert validate(instance, result) == []
    assert validate(instance, greedy) == []
    assert result.proven_optimal
    assert result.objective.priority >= greedy.objective.priority


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(additions=True))
def test_with_modes_and_qualifications_the_result_validates_and_never_trails_greedy(instance):
    greedy = solve_greedy(instance)

    result = solve(instance, SolverConfig(time_limit_s=5.0))

    assert validate(instance, result) == []
    assert validate(instance, greedy) == []
    assert result.proven_optimal
    assert result.objective.priority >= greedy.objective.priority
