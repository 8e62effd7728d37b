"""Hard rules 1-7: each with a tiny instance that fits and one that breaks only that rule."""

from tests.matching.builders import build, placement, request, solved, volunteer


def test_request_in_a_spoken_language_is_placed():
    instance = build([volunteer(languages=["ru", "uk"])], [request()])

    assert placement(solved(instance)) == {"r1": "v1"}


def test_request_in_an_unspoken_language_is_not_placed():
    instance = build([volunteer(languages=["ru"])], [request()])

    assert placement(solved(instance)) == {}


def test_request_within_reach_is_placed():
    instance = build([volunteer(max_distance_km=10.1)], [request(municipality="near")])

    assert placement(solved(instance)) == {"r1": "v1"}


def test_request_beyond_reach_is_not_placed():
    instance = build([volunteer(max_distance_km=9.9)], [request(municipality="near")])

    assert placement(solved(instance)) == {}


def test_required_gender_matching_volunteer_is_placed():
    instance = build([volunteer(gender="m")], [request(gender_required="m")])

    assert placement(solved(instance)) == {"r1": "v1"}


def test_required_gender_other_than_volunteers_is_not_placed():
    instance = build([volunteer(gender=None)], [request(gender_required="f")])

    assert placement(solved(instance)) == {}


def test_request_exactly_filling_a_window_is_placed():
    window = [{"weekday": 0, "start": "10:00", "end": "11:00"}]
    instance = build([volunteer(availability=window)], [request()])

    assert placement(solved(instance)) == {"r1": "v1"}


def test_request_running_past_the_window_is_not_placed():
    window = [{"weekday": 0, "start": "10:00", "end": "10:59"}]
    instance = build([volunteer(availability=window)], [request()])

    assert placement(solved(instance)) == {}


def test_request_on_a_weekday_without_window_is_not_placed():
    tuesday = [{"weekday": 1, "start": "08:00", "end": "18:00"}]
    instance = build([volunteer(availability=tuesday)], [request()])

    assert placement(solved(instance)) == {}


def test_request_on_the_last_day_of_an_absence_is_not_placed():
    absences = [{"start": "2025-03-01", "end": "2025-03-03"}]
    instance = build([volunteer(absences=absences)], [request()])

    assert placement(solved(instance)) == {}


def test_request_the_day_after_an_absence_is_placed():
    absences = [{"start": "2025-03-01", "end": "2025-03-02"}]
    instance = build([volunteer(absences=absences)], [request()])

    assert placement(solved(instance)) == {"r1": "v1"}


def test_excluded_volunteer_is_not_placed():
    instance = build([volunteer()], [request(excluded_volunteers=["v1"])])

    assert placement(solved(instance)) == {}


def test_excluding_someone_else_keeps_the_volunteer():
    instance = build([volunteer()], [request(excluded_volunteers=["v9"])])

    assert placement(solved(instance)) == {"r1": "v1"}


def test_overlapping_requests_go_to_different_volunteers():
    requests = [request("r1"), request("r2", start="2025-03-03T10:30", end="2025-03-03T11:30")]
    instance = build([volunteer()], requests)

    assert len(placement(solved(instance))) == 1


def test_back_to_back_requests_in_one_place_fit_one_volunteer():
    requests = [request("r1"), request("r2", start="2025-03-03T11:00", end="2025-03-03T12:00")]
    instance = build([volunteer()], requests)

    assert placement(solved(instance)) == {"r1": "v1", "r2": "v1"}


def test_travel_buffer_between_places_is_respected():
    # ~10 km at 15 + 2/km needs 36 minutes between the two
    later = request("r2", start="2025-03-03T11:35", end="2025-03-03T12:00", municipality="near")
    instance = build([volunteer()], [request("r1"), later])

    assert len(placement(solved(instance))) == 1


def test_travel_buffer_met_between_places_fits_one_volunteer():
    later = request("r2", start="2025-03-03T11:36", end="2025-03-03T12:00", municipality="near")
    instance = build([volunteer()], [request("r1"), later])

    assert placement(solved(instance)) == {"r1": "v1", "r2": "v1"}


def test_travel_buffer_uses_instance_settings():
    later = request("r2", start="2025-03-03T11:06", end="2025-03-03T12:00", municipality="near")
    # ceil(0 + 0.5 * 10.007 km) = 6 minutes instead of 36
    settings = {"travel_minutes_base": 0, "travel_minutes_per_km": 0.5}
    instance = build([volunteer()], [request("r1"), later], settings=settings)

    assert placement(solved(instance)) == {"r1": "v1", "r2": "v1"}


def test_request_clashing_with_a_booking_is_not_placed():
    booked = [{"start": "2025-03-03T09:00", "end": "2025-03-03T09:45", "municipality": "far"}]
    instance = build([volunteer(booked=booked)], [request()])

    assert placement(solved(instance)) == {}


def test_booking_on_another_day_leaves_the_request_free():
    booked = [{"start": "2025-03-02T09:00", "end": "2025-03-02T11:00", "municipality": "home"}]
    instance = build([volunteer(booked=booked)], [request()])

    assert placement(solved(instance)) == {"r1": "v1"}


def test_weekly_cap_limits_requests_in_one_iso_week():
    requests = [
        request(f"r{day}", start=f"2025-03-0{day}T10:00", end=f"2025-03-0{day}T11:00") for day in (3, 4, 5)
    ]
    instance = build([volunteer(max_per_week=2)], requests)

    assert len(placement(solved(instance))) == 2


def test_weekly_cap_counts_bookings_of_that_week():
    booked = [{"start": "2025-03-07T09:00", "end": "2025-03-07T10:00", "municipality": "home"}]
    requests = [request("r1"), request("r2", start="2025-03-04T10:00", end="2025-03-04T11:00")]
    instance = build([volunteer(max_per_week=2, booked=booked)], requests)

    assert len(placement(solved(instance))) == 1


def test_weekly_cap_starts_afresh_on_monday():
    sunday = request("r1", start="2025-03-09T10:00", end="2025-03-09T11:00")
    monday = request("r2", start="2025-03-10T10:00", end="2025-03-10T11:00")
    instance = build([volunteer(max_per_week=1)], [sunday, monday])

    assert placement(solved(instance)) == {"r1": "v1", "r2": "v1"}


def test_volunteer_qualified_until_the_day_of_the_request_is_placed():
    qualifications = {"trained": None, "clearance": "2025-03-03"}
    instance = build([volunteer(qualifications=qualifications)], [request(requires=["trained", "clearance"])])

    assert placement(solved(instance)) == {"r1": "v1"}


def test_qualification_expired_the_day_before_is_not_placed():
    qualifications = {"trained": None, "clearance": "2025-03-02"}
    instance = build([volunteer(qualifications=qualifications)], [request(requires=["trained", "clearance"])])

    assert placement(solved(instance)) == {}


def test_missing_required_qualification_is_not_placed():
    instance = build([volunteer(qualifications={"trained": None})], [request(requires=["clearance"])])

    assert placement(solved(instance)) == {}


def test_qualifications_nobody_requires_do_not_matter():
    instance = build([volunteer(qualifications={"clearance": "2020-01-01"})], [request()])

    assert placement(solved(instance)) == {"r1": "v1"}


def test_phone_request_goes_to_a_volunteer_who_takes_remote_work():
    instance = build([volunteer(remote=True)], [request(mode="phone")])

    assert placement(solved(instance)) == {"r1": "v1"}


def test_video_request_is_not_placed_with_a_volunteer_who_takes_no_remote_work():
    instance = build([volunteer()], [request(mode="video")])

    assert placement(solved(instance)) == {}


def test_remote_volunteer_still_takes_in_person_requests():
    instance = build([volunteer(remote=True)], [request(mode="in_person")])

    assert placement(solved(instance)) == {"r1": "v1"}


def test_phone_request_ignores_the_travel_radius_and_counts_no_distance():
    instance = build([volunteer(remote=True, max_distance_km=0)], [request(mode="phone", municipality="far")])

    result = solved(instance)

    assert placement(result) == {"r1": "v1"}
    assert result.assignments[0].distance_km == 0.0
    assert result.objective.distance_km == 0.0


def test_phone_call_needs_no_travel_time_before_or_after_it():
    # in person at "near" 10-11, far away; the call at 11:00 and the visit home at 12:00 need no gap to the call
    requests = [
        request("r1", municipality="near"),
        request("r2", start="2025-03-03T11:00", end="2025-03-03T12:00", mode="phone", municipality="far"),
        request("r3", start="2025-03-03T12:00", end="2025-03-03T13:00"),
    ]
    instance = build([volunteer(remote=True)], requests)

    assert placement(solved(instance)) == {"r1": "v1", "r2": "v1", "r3": "v1"}


def test_phone_call_must_not_overlap_another_request():
    requests = [request("r1"), request("r2", start="2025-03-03T10:59", end="2025-03-03T11:30", mode="phone")]
    instance = build([volunteer(remote=True)], requests)

    assert len(placement(solved(instance))) == 1


def test_phone_call_right_after_a_distant_booking_is_placed():
    booked = [{"start": "2025-03-03T09:00", "end": "2025-03-03T10:00", "municipality": "far"}]
    instance = build([volunteer(remote=True, booked=booked)], [request(mode="phone")])

    assert placement(solved(instance)) == {"r1": "v1"}


def test_phone_call_overlapping_a_booking_is_not_placed():
    booked = [{"start": "2025-03-03T09:00", "end": "2025-03-03T10:01", "municipality": "home"}]
    instance = build([volunteer(remote=True, booked=booked)], [request(mode="phone")])

    assert placement(solved(instance)) == {}
