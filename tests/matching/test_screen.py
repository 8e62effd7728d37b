"""The array checks give exactly what the named rules give, one volunteer and one request at a time.

The candidate pairs and the clashes behind the no-clash rows are computed over arrays for speed
(``matching/screen.py``, ``Context.clashes_among``); the named rules in ``matching/candidates.py``
are the reference they are held to, on random instances with every mode and rule in play.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.candidates import Context, Pair
from matching.geo import haversine_km
from matching.parsing import parse_instance
from matching.types import Municipality

PLACES = ["a", "b", "c", "d"]
LANGUAGES = ["uk", "ru", "ti"]
MODES = ["in_person", "in_person", "phone", "video", "written"]
QUALIFICATIONS = ["trained", "clearance"]
# a few whole and half hours: equal starts and ends, back to back and overlapping slots all occur
TIMES = ["07:30", "08:00", "09:00", "09:30", "10:00", "12:00", "17:45", "18:00", "23:30"]

coordinates = st.tuples(st.floats(50.3, 52.5), st.floats(5.8, 9.5))


@st.composite
def places(draw):
    spots = draw(st.lists(coordinates, min_size=len(PLACES), max_size=len(PLACES)))
    return [
        {"id": p, "name": p.upper(), "lat": lat, "lon": lon}
        for p, (lat, lon) in zip(PLACES, spots, strict=True)
    ]


def _moment(draw, day):
    return f"2025-03-{day:02d}T{draw(st.sampled_from(TIMES))}"


@st.composite
def volunteers(draw, index):
    windows = [
        {"weekday": day, "start": start, "end": end}
        for day, start, end in draw(
            st.lists(st.tuples(st.integers(0, 6), st.sampled_from(TIMES), st.sampled_from(TIMES)), max_size=4)
        )
        if start < end
    ]
    if draw(st.booleans()):  # free all week: the other rules decide
        windows += [{"weekday": day, "start": "00:00", "end": "23:59"} for day in range(7)]
    booked = []
    for day in draw(st.lists(st.integers(3, 16), max_size=3)):
        start, end = sorted([_moment(draw, day), _moment(draw, day)])
        if start < end:
            booked.append({"start": start, "end": end, "municipality": draw(st.sampled_from(PLACES))})
    absences = [
        {"start": f"2025-03-{first:02d}", "end": f"2025-03-{first + length:02d}"}
        for first, length in draw(st.lists(st.tuples(st.integers(1, 16), st.integers(0, 3)), max_size=2))
    ]
    until = st.sampled_from([None, "2025-03-05", "2025-03-10"])
    return {
        "id": f"v{index}",
        "languages": draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=2, unique=True)),
        "gender": draw(st.sampled_from(["f", "m", "", None])),  # "" is a gender no one requires by None
        "home": draw(st.sampled_from(PLACES)),
        "max_distance_km": draw(st.sampled_from([0, 5, 40, 120.5, 400])),
        "availability": windows,
        "absences": absences,
        "max_per_week": draw(st.integers(0, 3)),
        "booked": booked,
        "remote": draw(st.booleans()),
        "written": draw(st.booleans()),
        "qualifications": draw(st.dictionaries(st.sampled_from(QUALIFICATIONS), until, max_size=2)),
    }


@st.composite
def requests(draw, index, ids):
    day = draw(st.integers(3, 16))
    start = _moment(draw, day)
    end = draw(st.sampled_from([_moment(draw, day), _moment(draw, day + 1)]))
    if end <= start:
        start, end = end, start
    if start == end:
        end = f"2025-03-{day + 1:02d}T08:00"  # over midnight: no window holds it
    return {
        "id": f"r{index}",
        "language": draw(st.sampled_from([*LANGUAGES, "fa"])),
        "municipality": draw(st.sampled_from(PLACES)),
        "start": start,
        "end": end,
        "gender_required": draw(st.sampled_from([None, None, "f", "m", ""])),
        "preferred_volunteers": draw(st.lists(st.sampled_from(ids), max_size=2)),
        "excluded_volunteers": draw(st.lists(st.sampled_from(ids), max_size=2)),
        "mode": draw(st.sampled_from(MODES)),
        "requires": draw(st.lists(st.sampled_from(QUALIFICATIONS), max_size=2, unique=True)),
    }


@st.composite
def contexts(draw):
    people = [draw(volunteers(i)) for i in range(draw(st.integers(1, 8)))]
    ids = [v["id"] for v in people]
    work = [draw(requests(i, ids)) for i in range(draw(st.integers(1, 12)))]
    settings_ = {"travel_minutes_base": draw(st.sampled_from([0, 15])), "travel_minutes_per_km": 1.5}
    data = {
        "format": "sprachmittlerpool-matching/1",
        "settings": settings_,
        "municipalities": draw(places()),
        "volunteers": people,
        "requests": work,
    }
    return Context(parse_instance(data))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contexts())
def test_candidate_pairs_are_the_pairs_the_rules_allow_one_by_one(context):
    instance = context.instance
    expected = [
        Pair(r, v, context.metres(volunteer, request), volunteer.id in request.preferred_volunteers)
        for r, request in enumerate(instance.requests)
        for v, volunteer in enumerate(instance.volunteers)
        if context.eligible(volunteer, request) and context.free_against_bookings(v, context.request_slots[r])
    ]
    assert context.pairs == expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contexts())
def test_clashes_among_requests_are_the_clashes_of_their_slots(context):
    slots = context.request_slots
    everyone = list(range(len(slots)))
    clashes = context.clashes_among(everyone)
    assert clashes == [[context.clash(a, b) for b in slots] for a in slots]
    # a subset in another order is looked up by its own positions
    picked = everyone[::-2]
    assert context.clashes_among(picked) == [[clashes[a][b] for b in picked] for a in picked]


@given(coordinates, coordinates)
def test_distance_is_the_same_double_both_ways(one, other):
    a = Municipality("a", "A", *one)
    b = Municipality("b", "B", *other)
    assert haversine_km(a, b) == haversine_km(b, a)
