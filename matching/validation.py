"""Re-check any result against the instance and the plain rules, whoever produced it."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from itertools import combinations
from typing import Any

from matching.candidates import (
    Context,
    Slot,
    gender_fits,
    missing_qualifications,
    not_excluded,
    slot_of,
    speaks_language,
    takes_mode,
    time_fits,
)
from matching.reasons import reason_for
from matching.results import objective_of, parse_result
from matching.types import REASONS, Assignment, Instance, Result

_DISTANCE_TOLERANCE_KM = 0.1 + 1e-9


def validate(instance: Instance, result: Result | Mapping[str, Any]) -> list[str]:
    """Return every violation of the rules found in the result; an empty list means valid."""
    if not isinstance(result, Result):
        try:
            result = parse_result(result)
        except ValueError as exc:
            return [str(exc)]
    context = Context(instance)
    problems = _coverage(instance, result)
    known = [
        a
        for a in result.assignments
        if a.request in instance.request_by_id and a.volunteer in instance.volunteer_by_id
    ]
    for assignment in known:
        problems += _pair_rules(context, assignment)
    problems += _volunteer_rules(context, known)
    problems += _reasons(context, result)
    if len(known) == len(result.assignments):
        problems += _objective(context, result)
    return problems


def _coverage(instance: Instance, result: Result) -> list[str]:
    """Every request exactly once; no unknown request or volunteer."""
    problems = []
    seen = Counter([a.request for a in result.assignments] + [u.request for u in result.unassigned])
    for request in instance.requests:
        if seen[request.id] != 1:
            problems.append(f"request {request.id} appears {seen[request.id]} times, expected exactly once")
    problems += [f"unknown request {rid}" for rid in seen if rid not in instance.request_by_id]
    problems += [
        f"request {a.request}: unknown volunteer {a.volunteer}"
        for a in result.assignments
        if a.volunteer not in instance.volunteer_by_id
    ]
    return problems


def _pair_rules(context: Context, assignment: Assignment) -> list[str]:
    """Rules 1-5, 8 and 9 for one assignment, and its reported distance."""
    request = context.instance.request_by_id[assignment.request]
    volunteer = context.instance.volunteer_by_id[assignment.volunteer]
    km = context.km(volunteer, request)
    missing = ", ".join(missing_qualifications(volunteer, request))
    checks = {
        "does not speak the language (rule 1)": speaks_language(volunteer, request),
        f"lives {km:.1f} km away, beyond {volunteer.max_distance_km:g} km (rule 2)": context.reaches(
            volunteer, request
        ),
        "has not the required gender (rule 3)": gender_fits(volunteer, request),
        "is not available at that time (rule 4)": time_fits(volunteer, request),
        "is excluded by the request (rule 5)": not_excluded(volunteer, request),
        f"lacks a valid {missing} on {request.start:%Y-%m-%d} (rule 8)": not missing,
        f"takes no {request.mode} requests (rule 9)": takes_mode(volunteer, request),
        f"distance_km {assignment.distance_km} differs from {round(km, 1)}": abs(assignment.distance_km - km)
        <= 0.05 + 1e-9,
    }
    label = f"request {request.id} -> volunteer {volunteer.id}"
    return [f"{label}: {problem}" for problem, ok in checks.items() if not ok]


def _volunteer_rules(context: Context, assignments: list[Assignment]) -> list[str]:
    """Rules 6 and 7 for every volunteer over new assignments and bookings together."""
    new: dict[str, list[tuple[str, Slot]]] = defaultdict(list)
    for a in assignments:
        new[a.volunteer].append((f"request {a.request}", slot_of(context.instance.request_by_id[a.request])))
    problems = []
    for volunteer_id, items in new.items():
        volunteer = context.instance.volunteer_by_id[volunteer_id]
        booked = [(f"booking at {b.start:%Y-%m-%dT%H:%M}", slot_of(b)) for b in volunteer.booked]
        for (name_a, a), (name_b, b) in combinations(items + booked, 2):
            # a clash among bookings themselves is not the engine's to solve
            if name_a.startswith("request") and context.clash(a, b):
                problems.append(f"volunteer {volunteer_id}: {name_a} clashes with {name_b} (rule 6)")
        weeks = Counter(slot.week for _, slot in items)
        booked_weeks = Counter(slot.week for _, slot in booked)
        for week, count in weeks.items():
            total = count + booked_weeks[week]
            if total > volunteer.max_per_week:
                problems.append(
                    f"volunteer {volunteer_id}: {total} in week {week[0]}-W{week[1]:02d}, "
                    f"more than {volunteer.max_per_week} (rule 7)"
                )
    return problems


def _reasons(context: Context, result: Result) -> list[str]:
    """Each unplaced request carries the reason matching.md derives for it."""
    problems = []
    for unplaced in result.unassigned:
        request = context.instance.request_by_id.get(unplaced.request)
        if request is None:
            continue
        expected = reason_for(context, request)
        if unplaced.reason not in REASONS or unplaced.reason != expected:
            problems.append(f"request {request.id}: reason {unplaced.reason!r}, expected {expected!r}")
    return problems


def _objective(context: Context, result: Result) -> list[str]:
    """The reported objective equals the one recomputed from the assignments."""
    actual = objective_of(context, [(a.request, a.volunteer) for a in result.assignments])
    reported = result.objective
    problems = [
        f"objective {name}: reported {getattr(reported, name)}, recomputed {getattr(actual, name)}"
        for name in ("priority", "preferred", "max_load")
        if getattr(reported, name) != getattr(actual, name)
    ]
    if abs(reported.distance_km - actual.distance_km) > _DISTANCE_TOLERANCE_KM:
        problems.append(
            f"objective distance_km: reported {reported.distance_km}, recomputed {actual.distance_km}"
        )
    return problems
