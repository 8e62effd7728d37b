"""Which volunteer may take which request: hard rules 1-9 as small named checks."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from functools import cached_property
from typing import NamedTuple

import numpy as np

from matching.geo import DistanceTable
from matching.screen import Screen
from matching.types import Booking, Instance, Request, Volunteer

_EPOCH = dt.datetime(1970, 1, 1)


class Slot(NamedTuple):
    """A piece of a volunteer's time: a request or a booking, in minutes since 1970."""

    day: int
    start: int
    end: int
    municipality: str
    week: tuple[int, int]
    remote: bool = False  # a phone or video request: nobody travels to or from it
    timeless: bool = False  # a written translation: due that day, it clashes with nothing


def minutes(moment: dt.datetime) -> int:
    """Return whole minutes since 1970 so that slots compare as plain integers."""
    return int((moment - _EPOCH).total_seconds()) // 60


def slot_of(item: Request | Booking) -> Slot:
    """Describe a request or booking by the facts rules 6 and 7 look at."""
    iso = item.start.isocalendar()
    return Slot(
        day=item.start.toordinal(),
        start=minutes(item.start),
        end=minutes(item.end),
        municipality=item.municipality,
        week=(iso.year, iso.week),
        remote=isinstance(item, Request) and item.remote,
        timeless=item.written,
    )


class Pair(NamedTuple):
    """A request a volunteer may take, with what the objective needs to know about it.

    A named tuple rather than a dataclass: the solver hashes hundreds of thousands of them, and a
    tuple's hash is computed in C.
    """

    request: int
    volunteer: int
    metres: int
    preferred: bool


class Context:
    """Everything derived once from an instance that the rules and solvers share."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.distances = DistanceTable(instance.municipalities, instance.settings)
        self.request_slots = [slot_of(r) for r in instance.requests]
        self.booked_slots = [[slot_of(b) for b in v.booked] for v in instance.volunteers]
        self.booked_per_week = [Counter(s.week for s in slots) for slots in self.booked_slots]

    def km(self, volunteer: Volunteer, request: Request) -> float:
        """Return how far the volunteer travels to the request: home to its place, 0 for phone or video."""
        if request.remote:
            return 0.0
        return self.distances.km[volunteer.home, request.municipality]

    def metres(self, volunteer: Volunteer, request: Request) -> int:
        """Return the travel distance in whole metres, the integer unit of the objective."""
        return 0 if request.remote else self.distances.metres(volunteer.home, request.municipality)

    def clash(self, a: Slot, b: Slot) -> bool:
        """Tell whether one volunteer cannot do both (rule 6: overlap or too little travel time)."""
        if a.day != b.day or a.timeless or b.timeless:
            return False
        first, second = (a, b) if a.start <= b.start else (b, a)
        if first.remote or second.remote:
            return second.start < first.end
        return (
            second.start < first.end + self.distances.buffer_minutes[first.municipality, second.municipality]
        )

    def clashes_among(self, requests: Sequence[int]) -> list[list[bool]]:
        """Rule 6 between each two of these requests: ``clash`` of their slots, for all pairs in one go.

        The cliques of a volunteer's requests ask this for every two of them; as arrays it is a few
        operations per volunteer instead of a Python call per two requests.
        """
        when = self._request_times[:, requests]
        start, end, day, place = when[0], when[1], when[2], when[3]
        remote, timeless = self._request_remote[requests], self._request_timeless[requests]
        # clash(a, b) looks at the one that starts first, a when both start together
        a_first = start[:, None] <= start[None, :]
        first_end = np.where(a_first, end[:, None], end[None, :])
        second_start = np.where(a_first, start[None, :], start[:, None])
        buffer = self.distances.buffer_matrix
        gap = np.where(
            a_first, buffer[place[:, None], place[None, :]], buffer[place[None, :], place[:, None]]
        )
        gap[remote[:, None] | remote[None, :]] = 0
        same_day = (day[:, None] == day[None, :]) & ~(timeless[:, None] | timeless[None, :])
        return (same_day & (second_start < first_end + gap)).tolist()

    @cached_property
    def _request_times(self) -> np.ndarray:
        """Start, end, day and place (index) of every request's slot, one row each."""
        index = self.distances.index
        slots = self.request_slots
        return np.array(
            [
                [s.start for s in slots],
                [s.end for s in slots],
                [s.day for s in slots],
                [index[s.municipality] for s in slots],
            ],
            dtype=np.int64,
        ).reshape(4, len(slots))

    @cached_property
    def _request_remote(self) -> np.ndarray:
        return np.array([s.remote for s in self.request_slots], dtype=bool)

    @cached_property
    def _request_timeless(self) -> np.ndarray:
        return np.array([s.timeless for s in self.request_slots], dtype=bool)

    def free_against_bookings(self, v_index: int, slot: Slot) -> bool:
        """Tell whether the volunteer's bookings leave room for this slot (rules 6 and 7)."""
        volunteer = self.instance.volunteers[v_index]
        if self.booked_per_week[v_index][slot.week] >= volunteer.max_per_week:
            return False
        return not any(self.clash(slot, booked) for booked in self.booked_slots[v_index])

    @cached_property
    def pairs(self) -> list[Pair]:
        """Return every (request, volunteer) pair allowed by rules 1-5, 8, 9 and the bookings."""
        found = []
        for r_index, request in enumerate(self.instance.requests):
            found += self._pairs_of(r_index, request)
        return found

    def _pairs_of(self, r_index: int, request: Request) -> list[Pair]:
        """The pairs of one request by volunteer: the screen's arrays first, then the rules it leaves out."""
        slot = self.request_slots[r_index]
        volunteers = self.instance.volunteers
        preferred = set(request.preferred_volunteers)
        return [
            Pair(r_index, v_index, metres, volunteers[v_index].id in preferred)
            for v_index, metres in self.screen.candidates(request)
            if (self.unbooked[v_index] or self.free_against_bookings(v_index, slot))
            and not_excluded(volunteers[v_index], request)
            and qualified(volunteers[v_index], request)
        ]

    @cached_property
    def screen(self) -> Screen:
        return Screen(self.instance, self.distances)

    @cached_property
    def unbooked(self) -> list[bool]:
        """Volunteers with no bookings and a weekly cap above 0: rules 6 and 7 leave any one request to them."""
        return [not v.booked and v.max_per_week > 0 for v in self.instance.volunteers]

    def eligible(self, volunteer: Volunteer, request: Request) -> bool:
        """Tell whether rules 1-5, 8 and 9 allow the volunteer to take the request."""
        return (
            speaks_language(volunteer, request)
            and self.reaches(volunteer, request)
            and gender_fits(volunteer, request)
            and time_fits(volunteer, request)
            and not_excluded(volunteer, request)
            and qualified(volunteer, request)
            and takes_mode(volunteer, request)
        )

    def reaches(self, volunteer: Volunteer, request: Request) -> bool:
        """Rule 2, which a phone or video request ignores."""
        return request.remote or within_reach(self.km(volunteer, request), volunteer)


def speaks_language(volunteer: Volunteer, request: Request) -> bool:
    """Rule 1: the volunteer speaks the requested language."""
    return request.language in volunteer.languages


def within_reach(km: float, volunteer: Volunteer) -> bool:
    """Rule 2: the place is within the volunteer's travel radius."""
    return km <= volunteer.max_distance_km


def gender_fits(volunteer: Volunteer, request: Request) -> bool:
    """Rule 3: a required gender is the volunteer's gender."""
    return request.gender_required is None or request.gender_required == volunteer.gender


def time_fits(volunteer: Volunteer, request: Request) -> bool:
    """Rule 4: a weekly window covers the request and no absence covers its day.

    A written translation needs no window: only an absence on its due day keeps a volunteer out.
    """
    day = request.start.date()
    if request.written:
        return not any(a.start <= day <= a.end for a in volunteer.absences)
    if request.end.date() != day:
        return False
    start = request.start.hour * 60 + request.start.minute
    end = request.end.hour * 60 + request.end.minute
    weekday = day.weekday()
    in_window = any(
        w.weekday == weekday and w.start <= start and end <= w.end for w in volunteer.availability
    )
    return in_window and not any(a.start <= day <= a.end for a in volunteer.absences)


def not_excluded(volunteer: Volunteer, request: Request) -> bool:
    """Rule 5: the requester has not excluded this volunteer."""
    return volunteer.id not in request.excluded_volunteers


def missing_qualifications(volunteer: Volunteer, request: Request) -> list[str]:
    """Return the qualifications the request requires that the volunteer lacks on its day."""
    day = request.start.date()
    # no end date: valid forever; not held at all: never valid
    held = {q.name: q.valid_until or dt.date.max for q in volunteer.qualifications}
    return [name for name in request.requires if held.get(name, dt.date.min) < day]


def qualified(volunteer: Volunteer, request: Request) -> bool:
    """Rule 8: every qualification the request requires is valid on the day of its start."""
    return not missing_qualifications(volunteer, request)


def takes_mode(volunteer: Volunteer, request: Request) -> bool:
    """Rule 9: a phone or video request needs a volunteer who takes remote work, a written one written work."""
    if request.written:
        return volunteer.written
    return not request.remote or volunteer.remote
