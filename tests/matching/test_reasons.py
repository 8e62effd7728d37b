"""Reason codes: the first check that leaves an unplaced request without any candidate."""

from tests.matching.builders import build, reasons, request, solved, volunteer


def test_request_for_unknown_language_is_no_language():
    instance = build([volunteer(languages=["ru"])], [request()])

    assert reasons(solved(instance)) == {"r1": "no_language"}


def test_speakers_all_too_far_is_no_reach():
    instance = build(
        [volunteer(max_distance_km=5), volunteer("v2", max_distance_km=9)], [request(municipality="near")]
    )

    assert reasons(solved(instance)) == {"r1": "no_reach"}


def test_reach_is_checked_before_gender():
    volunteers = [volunteer(max_distance_km=5, gender="m"), volunteer("v2", languages=["ru"])]
    instance = build(volunteers, [request(municipality="near", gender_required="m")])

    assert reasons(solved(instance)) == {"r1": "no_reach"}


def test_nobody_near_of_required_gender_is_no_gender():
    volunteers = [volunteer(gender="f"), volunteer("v2", gender="m", max_distance_km=1, home="far")]
    instance = build(volunteers, [request(gender_required="m")])

    assert reasons(solved(instance)) == {"r1": "no_gender"}


def test_nobody_available_then_is_no_time():
    tuesday = [{"weekday": 1, "start": "08:00", "end": "18:00"}]
    volunteers = [
        volunteer(availability=tuesday),
        volunteer("v2", absences=[{"start": "2025-03-03", "end": "2025-03-03"}]),
    ]
    instance = build(volunteers, [request(excluded_volunteers=["v1", "v2"])])

    assert reasons(solved(instance)) == {"r1": "no_time"}


def test_only_excluded_candidates_left_is_excluded():
    volunteers = [volunteer(), volunteer("v2", gender="m")]
    instance = build(volunteers, [request(gender_required="f", excluded_volunteers=["v1"])])

    assert reasons(solved(instance)) == {"r1": "excluded"}


def test_candidate_taken_by_a_booking_is_capacity():
    booked = [{"start": "2025-03-03T10:00", "end": "2025-03-03T11:00", "municipality": "home"}]
    instance = build([volunteer(booked=booked)], [request()])

    assert reasons(solved(instance)) == {"r1": "capacity"}


def test_candidate_taken_by_another_request_is_capacity():
    instance = build([volunteer()], [request("r1", priority=2), request("r2")])

    assert reasons(solved(instance)) == {"r2": "capacity"}


def test_candidate_at_weekly_cap_is_capacity():
    instance = build([volunteer(max_per_week=0)], [request()])

    assert reasons(solved(instance)) == {"r1": "capacity"}


def test_phone_request_nobody_speaking_it_takes_remote_work_is_no_remote():
    instance = build([volunteer(), volunteer("v2", languages=["ru"], remote=True)], [request(mode="phone")])

    assert reasons(solved(instance)) == {"r1": "no_remote"}


def test_phone_request_is_not_no_reach_when_a_remote_speaker_lives_far_away():
    volunteers = [volunteer(remote=True, home="far", max_distance_km=1, gender="m")]
    instance = build(volunteers, [request(mode="phone", gender_required="f")])

    assert reasons(solved(instance)) == {"r1": "no_gender"}


def test_in_person_request_stays_no_reach_although_remote_speakers_exist():
    instance = build([volunteer(remote=True, max_distance_km=5)], [request(municipality="near")])

    assert reasons(solved(instance)) == {"r1": "no_reach"}


def test_only_unqualified_candidates_left_is_no_qualified():
    volunteers = [volunteer(qualifications={"clearance": "2025-03-02"}), volunteer("v2")]
    instance = build(volunteers, [request(requires=["clearance"])])

    assert reasons(solved(instance)) == {"r1": "no_qualified"}


def test_excluded_is_checked_before_qualified():
    volunteers = [volunteer(qualifications={"clearance": None})]
    instance = build(volunteers, [request(requires=["clearance"], excluded_volunteers=["v1"])])

    assert reasons(solved(instance)) == {"r1": "excluded"}


def test_qualified_candidate_taken_by_a_booking_is_capacity():
    booked = [{"start": "2025-03-03T10:00", "end": "2025-03-03T11:00", "municipality": "home"}]
    volunteers = [volunteer(qualifications={"clearance": None}, booked=booked), volunteer("v2")]
    instance = build(volunteers, [request(requires=["clearance"])])

    assert reasons(solved(instance)) == {"r1": "capacity"}
