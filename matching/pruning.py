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
    """Return the pairs left after removing dominated ones, and the pair each removed one moves to.

    Pairs are handled by their position in ``pairs``: sets of small integers are much cheaper than
    sets of pairs, and this runs over every pair of a state-size instance.
    """
    alive = [True] * len(pairs)
    free = [False] * len(pairs)
    moved_to: dict[int, int] = {}
    weeks = [_week(context, pair) for pair in pairs]
    by_week: dict[Week, set[int]] = defaultdict(set)
    by_request: dict[int, list[int]] = defaultdict(list)
    for index, pair in enumerate(pairs):
        by_week[weeks[index]].add(index)
        by_request[pair.request].append(index)
    for options in by_request.values():
        # a strict order, so that of two equal free pairs one stays
        options.sort(key=lambda i: (pairs[i].metres, not pairs[i].preferred, pairs[i].volunteer))
    dirty = set(by_week)
    while dirty:
        requests = set()
        for week in dirty:
            members = by_week[week]
            is_free = _is_free(context, week, [pairs[i] for i in members])
            for i in members:
                free[i] = is_free
            requests.update(pairs[i].request for i in members)
        removed = {}
        for request in requests:
            removed.update(_dominated(pairs, [i for i in by_request[request] if alive[i]], free))
        for index, better in removed.items():
            alive[index] = False
            by_week[weeks[index]].discard(index)
            moved_to[index] = better
        dirty = {weeks[i] for i in removed}
    kept = [pair for pair, living in zip(pairs, alive, strict=True) if living]
    return kept, {pairs[i]: pairs[better] for i, better in moved_to.items()}


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


def _dominated(pairs: Sequence[Pair], options: list[int], free: list[bool]) -> dict[int, int]:
    """Map each dominated one of a request's live pairs (in domination order) to the free pair dominating it.

    Going from the nearest, a free pair dominates every later pair; a free preferred one also the
    later preferred ones.
    """
    removed = {}
    best_free = best_preferred = None
    for index in options:
        better = best_preferred if pairs[index].preferred else best_free
        if better is not None:
            removed[index] = better
        elif free[index]:
            best_free = index if best_free is None else best_free
            best_preferred = index if pairs[index].preferred else best_preferred
    return removed
