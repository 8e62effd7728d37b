"""Drop candidate pairs that cannot improve levels 1-3, so CP-SAT searches a much smaller model.

A volunteer is *free* in a week when all its remaining candidate requests of that week fit its
weekly cap and clash with none of each other: it can take any of them whatever else it takes.
A pair (r, v') is *dominated* when a free pair (r, v) is at most as far and at least as preferred.
Moving r from v' to v keeps every rule, the priority and the preferred count, and does not
lengthen the distance, so some lexicographic optimum of levels 1-3 uses no dominated pair.
Level 4 (load) may still need them: the load level is solved on all pairs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from matching.candidates import Context, Pair

Week = tuple[int, tuple[int, int]]


def prune_dominated(context: Context, pairs: Sequence[Pair]) -> tuple[list[Pair], dict[Pair, Pair]]:
    """Return the pairs left after removing dominated ones, and the pair each removed one moves to."""
    alive = set(pairs)
    moved_to: dict[Pair, Pair] = {}
    by_week: dict[Week, set[Pair]] = defaultdict(set)
    by_request: dict[int, list[Pair]] = defaultdict(list)
    for pair in pairs:
        by_week[_week(context, pair)].add(pair)
        by_request[pair.request].append(pair)
    dirty = set(by_week)
    free: set[Pair] = set()
    while dirty:
        groups = {week: list(by_week[week]) for week in dirty}
        for week, members in groups.items():
            free.difference_update(members)
            if _is_free(context, week, members):
                free.update(members)
        requests = {p.request for members in groups.values() for p in members}
        removed = _dominated({r: [p for p in by_request[r] if p in alive] for r in requests}, free)
        for pair, better in removed.items():
            alive.discard(pair)
            free.discard(pair)
            by_week[_week(context, pair)].discard(pair)
            moved_to[pair] = better
        dirty = {_week(context, p) for p in removed}
    return [p for p in pairs if p in alive], moved_to


def repair(choice: Mapping[int, int], pairs: Sequence[Pair], moved_to: Mapping[Pair, Pair]) -> dict[int, int]:
    """Move each chosen pair that was pruned to the pair that dominated it; the choice stays valid."""
    by_key = {(p.request, p.volunteer): p for p in pairs}
    repaired = {}
    for request, volunteer in choice.items():
        pair = by_key[request, volunteer]
        while pair in moved_to:
            pair = moved_to[pair]
        repaired[request] = pair.volunteer
    return repaired


def _week(context: Context, pair: Pair) -> Week:
    return pair.volunteer, context.request_slots[pair.request].week


def _is_free(context: Context, week: Week, members: list[Pair]) -> bool:
    """Tell whether the volunteer can take all of these requests of one week together."""
    volunteer, iso_week = week
    room = context.instance.volunteers[volunteer].max_per_week - context.booked_per_week[volunteer][iso_week]
    if len(members) > room:
        return False
    slots = sorted(context.request_slots[p.request] for p in members)
    return not any(context.clash(a, b) for i, a in enumerate(slots) for b in slots[i + 1 :] if a.day == b.day)


def _dominated(by_request: dict[int, list[Pair]], free: set[Pair]) -> dict[Pair, Pair]:
    """Map each dominated pair of these requests (their live pairs given) to the best free pair dominating it."""
    removed = {}
    for options in by_request.values():
        # a strict order, so that of two equal free pairs one stays
        options.sort(key=lambda p: (p.metres, not p.preferred, p.volunteer))
        best_free: list[Pair] = []
        for pair in options:
            better = next((f for f in best_free if f.preferred >= pair.preferred), None)
            if better is not None:
                removed[pair] = better
            elif pair in free:
                best_free.append(pair)
    return removed
