"""Which volunteer may take which request: hard rules 1-7 as small named checks."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from matching.geo import DistanceTable
from matching.types import Booking, Instance, Request, Volunteer

_EPOCH = dt.datetime(1970, 1, 1)


class Slot(NamedTuple):
    """A piece of a volunteer's time: a request or a booking, in minutes since 1970."""

    day: int
    start: int
    end: int
    municipality: str
    week: tuple[int, int]


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
    )


@dataclass(frozen=True)
class Pair:
    """A request a volunteer may take, with what the objective needs to know about it."""

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
        """Return the distance from the volunteer's home to the request's place."""
        return self.distances.km[volunteer.home, request.municipality]

    def clash(self, a: Slot, b: Slot) -> bool:
        """Tell whether one volunteer cannot do both (rule 6: overlap or too little travel time)."""
        if a.day != b.day:
            return False
        first, second = (a, b) if a.start <= b.start else (b, a)
        return (
            second.start < first.end + self.distances.buffer_minutes[first.municipality, second.municipality]
        )

    def free_against_bookings(self, v_index: int, slot: Slot) -> bool:
        """Tell whether the volunteer's bookings leave room for this slot (rules 6 and 7)."""
        volunteer = self.instance.volunteers[v_index]
        if self.booked_per_week[v_index][slot.week] >= volunteer.max_per_week:
            return False
        return not any(self.clash(slot, booked) for booked in self.booked_slots[v_index])

    @cached_property
    def pairs(self) -> list[Pair]:
        """Return every (request, volunteer) pair allowed by rules 1-5 and the bookings."""
        by_language: dict[str, list[int]] = defaultdict(list)
        for index, volunteer in enumerate(self.instance.volunteers):
            for language in set(volunteer.languages):
                by_language[language].append(index)
        found = []
        for r_index, request in enumerate(self.instance.requests):
            preferred = set(request.preferred_volunteers)
            for v_index in by_language.get(request.language, ()):
                volunteer = self.instance.volunteers[v_index]
                if self.eligible(volunteer, request) and self.free_against_bookings(
                    v_index, self.request_slots[r_index]
                ):
                    metres = self.distances.metres(volunteer.home, request.municipality)
                    found.append(Pair(r_index, v_index, metres, volunteer.id in preferred))
        return found

    def eligible(self, volunteer: Volunteer, request: Request) -> bool:
        """Tell whether rules 1-5 allow the volunteer to take the request."""
        return (
            speaks_language(volunteer, request)
            and within_reach(self.km(volunteer, request), volunteer)
            and gender_fits(volunteer, request)
            and time_fits(volunteer, request)
            and not_excluded(volunteer, request)
        )


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
    """Rule 4: a weekly window covers the request and no absence covers its day."""
    day = request.start.date()
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
