"""Build results from chosen pairs, and convert them to and from the result format."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from matching.candidates import Context
from matching.reasons import reason_for
from matching.types import RESULT_FORMAT, Assignment, Objective, Result, Unassigned


def build_result(
    context: Context, chosen: Mapping[int, int], *, proven_optimal: bool, seconds: float
) -> Result:
    """Turn a request-index -> volunteer-index choice into a Result in instance order."""
    instance = context.instance
    assignments = []
    unassigned = []
    for r_index, request in enumerate(instance.requests):
        v_index = chosen.get(r_index)
        if v_index is None:
            unassigned.append(Unassigned(request.id, reason_for(context, request)))
            continue
        volunteer = instance.volunteers[v_index]
        assignments.append(Assignment(request.id, volunteer.id, round(context.km(volunteer, request), 1)))
    return Result(
        assignments=tuple(assignments),
        unassigned=tuple(unassigned),
        objective=objective_of(context, [(a.request, a.volunteer) for a in assignments]),
        proven_optimal=proven_optimal,
        solve_seconds=round(seconds, 2),
    )


def objective_of(context: Context, pairs: list[tuple[str, str]]) -> Objective:
    """Recompute the four objective figures of matching.md from (request id, volunteer id) pairs."""
    instance = context.instance
    requests = instance.request_by_id
    volunteers = instance.volunteer_by_id
    loads = Counter(volunteer_id for _, volunteer_id in pairs)
    km = sum(context.km(volunteers[v], requests[r]) for r, v in pairs)
    return Objective(
        priority=sum(requests[r].priority for r, _ in pairs),
        preferred=sum(v in requests[r].preferred_volunteers for r, v in pairs),
        distance_km=round(km, 1),
        max_load=max((v.recent_assignments + loads[v.id] for v in instance.volunteers), default=0),
    )


def result_to_dict(result: Result) -> dict[str, Any]:
    """Return the result as the JSON-ready dict of format sprachmittlerpool-matching-result/1."""
    objective = result.objective
    return {
        "format": RESULT_FORMAT,
        "assignments": [
            {"request": a.request, "volunteer": a.volunteer, "distance_km": a.distance_km}
            for a in result.assignments
        ],
        "unassigned": [{"request": u.request, "reason": u.reason} for u in result.unassigned],
        "objective": {
            "priority": objective.priority,
            "preferred": objective.preferred,
            "distance_km": objective.distance_km,
            "max_load": objective.max_load,
        },
        "proven_optimal": result.proven_optimal,
        "solve_seconds": result.solve_seconds,
    }


def parse_result(data: Mapping[str, Any]) -> Result:
    """Read a stored result dict back; raise ValueError if it is not of the result format."""
    if data.get("format") != RESULT_FORMAT:
        raise ValueError(f'format: expected "{RESULT_FORMAT}", got {data.get("format")!r}')
    try:
        objective = data["objective"]
        return Result(
            assignments=tuple(
                Assignment(str(a["request"]), str(a["volunteer"]), float(a["distance_km"]))
                for a in data["assignments"]
            ),
            unassigned=tuple(Unassigned(str(u["request"]), str(u["reason"])) for u in data["unassigned"]),
            objective=Objective(
                priority=int(objective["priority"]),
                preferred=int(objective["preferred"]),
                distance_km=float(objective["distance_km"]),
                max_load=int(objective["max_load"]),
            ),
            proven_optimal=bool(data["proven_optimal"]),
            solve_seconds=float(data.get("solve_seconds", 0.0)),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not a matching result: missing or malformed {exc}") from exc
