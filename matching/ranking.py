"""Explain assignments and rank alternatives when a coordinator picks a volunteer by hand."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from matching.candidates import Context, slot_of
from matching.types import Instance, Result


@dataclass(frozen=True)
class Candidate:
    """A volunteer allowed by rules 1-5 for a request; ``free`` adds rules 6-7 against fixed work."""

    volunteer: str
    distance_km: float
    preferred: bool
    load: int
    free: bool


@dataclass(frozen=True)
class Explanation:
    """Why a volunteer fits a request: language, distance, continuity and load."""

    request: str
    volunteer: str
    language: str
    distance_km: float
    max_distance_km: float
    preferred: bool
    load: int


def rank_candidates(instance: Instance, request_id: str, result: Result | None = None) -> list[Candidate]:
    """Return the possible volunteers for a request, preferred first, then nearest, then least loaded.

    Without a result, ``free`` checks rules 6-7 against the bookings only and ``load`` is
    ``recent_assignments``; with a result, its other assignments count as booked too.
    Raises KeyError for an unknown request id.
    """
    context = Context(instance)
    request = instance.request_by_id[request_id]
    others = [a for a in (result.assignments if result else ()) if a.request != request_id]
    placed = Counter(a.volunteer for a in others)
    slot = slot_of(request)
    candidates = []
    for v_index, volunteer in enumerate(instance.volunteers):
        if not context.eligible(volunteer, request):
            continue
        taken = [slot_of(instance.request_by_id[a.request]) for a in others if a.volunteer == volunteer.id]
        room = volunteer.max_per_week - context.booked_per_week[v_index][slot.week]
        free = (
            context.free_against_bookings(v_index, slot)
            and sum(s.week == slot.week for s in taken) < room
            and not any(context.clash(slot, s) for s in taken)
        )
        candidates.append(
            Candidate(
                volunteer=volunteer.id,
                distance_km=round(context.km(volunteer, request), 1),
                preferred=volunteer.id in request.preferred_volunteers,
                load=volunteer.recent_assignments + placed[volunteer.id],
                free=free,
            )
        )
    return sorted(candidates, key=lambda c: (not c.preferred, c.distance_km, c.load, c.volunteer))


def explain_assignments(instance: Instance, result: Result) -> dict[str, Explanation]:
    """Return, per assigned request id, the facts that make its volunteer a good choice."""
    loads = Counter(a.volunteer for a in result.assignments)
    explanations = {}
    for assignment in result.assignments:
        request = instance.request_by_id[assignment.request]
        volunteer = instance.volunteer_by_id[assignment.volunteer]
        explanations[request.id] = Explanation(
            request=request.id,
            volunteer=volunteer.id,
            language=request.language,
            distance_km=assignment.distance_km,
            max_distance_km=volunteer.max_distance_km,
            preferred=volunteer.id in request.preferred_volunteers,
            load=volunteer.recent_assignments + loads[volunteer.id],
        )
    return explanations
