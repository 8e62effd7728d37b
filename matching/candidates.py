"""Which volunteer may take which request: hard rules 1-9 as small named checks."""

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
        self._near_cache: dict[tuple[str, str | None], list[tuple[float, list[tuple[float, int]]]]] = {}

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
            found += sorted(self._pairs_of(r_index, request), key=lambda pair: pair.volunteer)
        return found

    def _pairs_of(self, r_index: int, request: Request) -> list[Pair]:
        """The pairs of one request: reach is checked once per home place, farthest reach first."""
        preferred = set(request.preferred_volunteers)
        when = _When.of(request)
        found = []
        for km, members in self._near(request.language, None if request.remote else request.municipality):
            for max_km, v_index in members:
                if km > max_km:
                    break  # rule 2 for this one and all the others of this home place
                volunteer = self.instance.volunteers[v_index]
                if self._rest_fits(v_index, volunteer, request, when) and self.free_against_bookings(
                    v_index, self.request_slots[r_index]
                ):
                    metres = self.metres(volunteer, request)
                    found.append(Pair(r_index, v_index, metres, volunteer.id in preferred))
        return found

    @cached_property
    def _reach_groups(self) -> dict[str, list[tuple[str, list[tuple[float, int]]]]]:
        """Volunteers by language and home place, each place's list by reach from the farthest down."""
        groups: dict[str, dict[str, list[tuple[float, int]]]] = defaultdict(lambda: defaultdict(list))
        for index, volunteer in enumerate(self.instance.volunteers):
            for language in set(volunteer.languages):
                groups[language][volunteer.home].append((volunteer.max_distance_km, index))
        return {
            language: [(home, sorted(members, key=lambda m: -m[0])) for home, members in homes.items()]
            for language, homes in groups.items()
        }

    def _near(self, language: str, place: str | None) -> list[tuple[float, list[tuple[float, int]]]]:
        """The home places of a language from which someone reaches the place (None: phone or video)."""
        key = language, place
        if key not in self._near_cache:
            found = []
            for home, members in self._reach_groups.get(language, ()):
                km = 0.0 if place is None else self.distances.km[home, place]
                if place is None or km <= members[0][0]:  # members[0] reaches farthest
                    found.append((km, members))
            self._near_cache[key] = found
        return self._near_cache[key]

    def _rest_fits(self, v_index: int, volunteer: Volunteer, request: Request, when: _When) -> bool:
        """Rules 3-5, 8 and 9: what is left to check once language and reach hold."""
        return (
            gender_fits(volunteer, request)
            and not_excluded(volunteer, request)
            and when.fits(self._windows[v_index], volunteer)
            and qualified(volunteer, request)
            and takes_mode(volunteer, request)
        )

    @cached_property
    def _windows(self) -> list[dict[int, list[tuple[int, int]]]]:
        """Each volunteer's weekly availability by weekday, in minutes of the day."""
        found = []
        for volunteer in self.instance.volunteers:
            by_weekday: dict[int, list[tuple[int, int]]] = defaultdict(list)
            for window in volunteer.availability:
                by_weekday[window.weekday].append((window.start, window.end))
            found.append(dict(by_weekday))
        return found

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


class _When(NamedTuple):
    """What rule 4 looks at in a request, worked out once for all volunteers."""

    day: dt.date
    start: int
    end: int
    same_day: bool
    written: bool  # a written translation needs no window, only no absence on its due day

    @classmethod
    def of(cls, request: Request) -> _When:
        start = request.start.hour * 60 + request.start.minute
        end = request.end.hour * 60 + request.end.minute
        day = request.start.date()
        return cls(day, start, end, request.end.date() == day, request.written)

    def fits(self, windows: dict[int, list[tuple[int, int]]], volunteer: Volunteer) -> bool:
        """Rule 4 as ``time_fits`` has it, with the volunteer's windows by weekday."""
        absent = any(a.start <= self.day <= a.end for a in volunteer.absences)
        if self.written:
            return not absent
        if not self.same_day:
            return False
        in_window = any(s <= self.start and self.end <= e for s, e in windows.get(self.day.weekday(), ()))
        return in_window and not absent


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
