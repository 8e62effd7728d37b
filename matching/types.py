"""Frozen value types of the matching engine: instance in, result out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

INSTANCE_FORMAT = "sprachmittlerpool-matching/1"
RESULT_FORMAT = "sprachmittlerpool-matching-result/1"

# in the order matching.md checks them; no_remote (no_written) stands where no_reach would for a phone or
# video request (a written translation)
REASONS = (
    "no_language",
    "no_reach",
    "no_remote",
    "no_written",
    "no_gender",
    "no_time",
    "excluded",
    "no_qualified",
    "capacity",
)
IN_PERSON = "in_person"
WRITTEN = "written"
MODES = (IN_PERSON, "phone", "video", WRITTEN)


class InstanceError(ValueError):
    """A malformed instance: ``path`` names the place in the file, ``message`` the problem."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Settings:
    travel_minutes_base: float = 15.0
    travel_minutes_per_km: float = 2.0


@dataclass(frozen=True)
class Municipality:
    id: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Window:
    """A weekly availability window; times are minutes after midnight."""

    weekday: int
    start: int
    end: int


@dataclass(frozen=True)
class Absence:
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Booking:
    start: dt.datetime
    end: dt.datetime
    municipality: str
    written: bool = False  # a written translation due that day: it holds no time, only a place in the week


@dataclass(frozen=True)
class Qualification:
    """A qualification a volunteer holds; ``valid_until`` is its last valid day, None for no end."""

    name: str
    valid_until: dt.date | None = None


@dataclass(frozen=True)
class Volunteer:
    id: str
    languages: tuple[str, ...]
    home: str
    max_distance_km: float
    availability: tuple[Window, ...]
    max_per_week: int
    gender: str | None = None
    absences: tuple[Absence, ...] = ()
    booked: tuple[Booking, ...] = ()
    recent_assignments: int = 0
    remote: bool = False  # takes phone and video requests
    written: bool = False  # takes written translations
    qualifications: tuple[Qualification, ...] = ()


@dataclass(frozen=True)
class Request:
    id: str
    language: str
    municipality: str
    start: dt.datetime
    end: dt.datetime
    gender_required: str | None = None
    preferred_volunteers: tuple[str, ...] = ()
    excluded_volunteers: tuple[str, ...] = ()
    priority: int = 1
    mode: str = IN_PERSON
    requires: tuple[str, ...] = ()

    @property
    def remote(self) -> bool:
        """Tell whether nobody travels to the request: by phone or video, or a written translation."""
        return self.mode != IN_PERSON

    @property
    def written(self) -> bool:
        """Tell whether the request is a written translation: due on its day, it holds no hour of it."""
        return self.mode == WRITTEN


@dataclass(frozen=True)
class Instance:
    volunteers: tuple[Volunteer, ...]
    requests: tuple[Request, ...]
    municipalities: tuple[Municipality, ...]
    settings: Settings = field(default_factory=Settings)

    @cached_property
    def municipality_by_id(self) -> dict[str, Municipality]:
        return {m.id: m for m in self.municipalities}

    @cached_property
    def volunteer_by_id(self) -> dict[str, Volunteer]:
        return {v.id: v for v in self.volunteers}

    @cached_property
    def request_by_id(self) -> dict[str, Request]:
        return {r.id: r for r in self.requests}


@dataclass(frozen=True)
class SolverConfig:
    """How long and how the optimiser may work; ``workers`` defaults to the 2 cores we have."""

    time_limit_s: float = 10.0
    workers: int = 2
    seed: int = 0


LEVELS = 4  # the objective levels of matching.md: priority placed, continuity, distance, peak load


@dataclass(frozen=True)
class LevelDone:
    """What the optimiser reports after each level, so a caller can show progress of a long solve.

    ``objective`` holds the value reached at each finished level, in order: the placed priority
    (urgent requests count double), the preferred volunteers kept, the total distance in metres,
    and the highest load (recent plus new assignments).
    """

    level: int
    levels: int
    objective: tuple[int, ...]
    elapsed_s: float
    proven: bool


@dataclass(frozen=True)
class Assignment:
    request: str
    volunteer: str
    distance_km: float


@dataclass(frozen=True)
class Unassigned:
    request: str
    reason: str


@dataclass(frozen=True)
class Objective:
    priority: int
    preferred: int
    distance_km: float
    max_load: int


@dataclass(frozen=True)
class Result:
    assignments: tuple[Assignment, ...]
    unassigned: tuple[Unassigned, ...]
    objective: Objective
    proven_optimal: bool
    solve_seconds: float
