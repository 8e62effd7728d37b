"""Builders for tiny matching instances: defaults that fit, keyword overrides that break."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from matching.parsing import parse_instance
from matching.solver import solve
from matching.types import Instance, Result, SolverConfig
from matching.validation import validate

# "near" is about 10 km north of "home"; "far" about 55 km
MUNICIPALITIES = [
    {"id": "home", "name": "Heimatort", "lat": 51.0, "lon": 6.0},
    {"id": "near", "name": "Nachbarort", "lat": 51.09, "lon": 6.0},
    {"id": "far", "name": "Fernort", "lat": 51.5, "lon": 6.0},
]
EVERY_DAY = [{"weekday": day, "start": "08:00", "end": "18:00"} for day in range(7)]
FAST = SolverConfig(time_limit_s=5.0, workers=2, seed=0)


def volunteer(vid: str = "v1", **overrides: Any) -> dict[str, Any]:
    """Return a volunteer who speaks uk and is free every day 08-18 near home."""
    data = {
        "id": vid,
        "languages": ["uk"],
        "gender": "f",
        "home": "home",
        "max_distance_km": 25,
        "availability": EVERY_DAY,
        "max_per_week": 5,
    }
    return deepcopy(data | overrides)


def request(
    rid: str = "r1", start: str = "2025-03-03T10:00", end: str = "2025-03-03T11:00", **overrides: Any
):
    """Return a uk request at home on Monday 3 March 2025, 10-11."""
    data = {"id": rid, "language": "uk", "municipality": "home", "start": start, "end": end}
    return deepcopy(data | overrides)


def instance_data(
    volunteers: list[dict[str, Any]], requests: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    """Return a whole instance dict around the given volunteers and requests."""
    return {
        "format": "sprachmittlerpool-matching/1",
        "municipalities": deepcopy(MUNICIPALITIES),
        "volunteers": volunteers,
        "requests": requests,
    } | deepcopy(extra)


def build(volunteers: list[dict[str, Any]], requests: list[dict[str, Any]], **extra: Any) -> Instance:
    """Parse a tiny instance."""
    return parse_instance(instance_data(volunteers, requests, **extra))


def solved(instance: Instance) -> Result:
    """Solve with the optimiser and insist that the result validates."""
    result = solve(instance, FAST)
    assert validate(instance, result) == []
    return result


def placement(result: Result) -> dict[str, str]:
    """Return request id -> volunteer id of a result."""
    return {a.request: a.volunteer for a in result.assignments}


def reasons(result: Result) -> dict[str, str]:
    """Return request id -> reason of the unplaced requests."""
    return {u.request: u.reason for u in result.unassigned}
