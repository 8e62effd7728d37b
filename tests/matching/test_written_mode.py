"""Written translations in the engine: language and qualifications count, place and hour do not."""

from __future__ import annotations

from matching.candidates import Context
from matching.ranking import rank_candidates
from matching.reasons import reason_for
from tests.matching.builders import build, placement, request, solved, volunteer

DUE = {"start": "2025-03-05T00:00", "end": "2025-03-05T23:59"}


def written(rid: str = "w1", **overrides):
    return request(rid, mode="written", **(DUE | overrides))


def test_written_request_goes_to_a_volunteer_who_takes_written_work():
    instance = build([volunteer("v1"), volunteer("v2", written=True)], [written()])

    assert placement(solved(instance)) == {"w1": "v2"}


def test_written_request_is_not_placed_with_remote_only_volunteers():
    instance = build([volunteer(remote=True)], [written()])

    result = solved(instance)

    assert placement(result) == {}
    assert result.unassigned[0].reason == "no_written"
    assert reason_for(Context(instance), instance.requests[0]) == "no_written"


def test_written_request_ignores_reach_weekly_windows_and_distance():
    far_and_never_free = volunteer(written=True, max_distance_km=0, availability=[])
    instance = build([far_and_never_free], [written(municipality="far")])

    result = solved(instance)

    assert placement(result) == {"w1": "v1"}
    assert result.assignments[0].distance_km == 0.0


def test_written_request_clashes_with_no_talk_of_the_same_day():
    talks = [request("r1", start="2025-03-05T10:00", end="2025-03-05T11:00")]
    booked = [{"start": "2025-03-05T14:00", "end": "2025-03-05T15:00", "municipality": "near"}]
    instance = build([volunteer(written=True, booked=booked)], [*talks, written()])

    assert placement(solved(instance)) == {"r1": "v1", "w1": "v1"}


def test_a_written_booking_holds_no_hour_of_its_day():
    booked = [
        {"start": "2025-03-05T00:00", "end": "2025-03-05T23:59", "municipality": "home", "written": True}
    ]
    instance = build([volunteer(booked=booked)], [request(start="2025-03-05T10:00", end="2025-03-05T11:00")])

    assert placement(solved(instance)) == {"r1": "v1"}


def test_written_request_respects_an_absence_on_its_due_day_and_the_weekly_cap():
    absent = volunteer("v1", written=True, absences=[{"start": "2025-03-05", "end": "2025-03-05"}])
    full = volunteer("v2", written=True, max_per_week=1)
    instance = build([absent, full], [written("w1"), written("w2")])

    assert len(placement(solved(instance))) == 1
    assert [c.volunteer for c in rank_candidates(instance, "w1")] == ["v2"]


def test_written_request_still_needs_its_qualifications():
    instance = build(
        [volunteer(written=True), volunteer("v2", written=True, qualifications={"trained": None})],
        [written(requires=["trained"])],
    )

    assert placement(solved(instance)) == {"w1": "v2"}


def test_old_instances_without_the_written_fields_solve_as_before():
    instance = build([volunteer()], [request()])

    assert placement(solved(instance)) == {"r1": "v1"}
    assert instance.volunteers[0].written is False
