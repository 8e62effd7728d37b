"""First come, first served with the nearest free volunteer: the baseline to beat."""

from __future__ import annotations

import time
from collections import Counter, defaultdict

from matching.candidates import Context, Pair, Slot
from matching.results import build_result
from matching.types import Instance, Result


def solve_greedy(instance: Instance) -> Result:
    """Place requests by start time, then id, each with the nearest volunteer still free."""
    started = time.perf_counter()
    context = Context(instance)
    chosen = greedy_choice(context)
    return build_result(context, chosen, proven_optimal=False, seconds=time.perf_counter() - started)


def greedy_choice(context: Context) -> dict[int, int]:
    """Return the greedy request-index -> volunteer-index choice; the solver also starts from it."""
    instance = context.instance
    options: dict[int, list[Pair]] = defaultdict(list)
    for pair in context.pairs:
        options[pair.request].append(pair)
    taken: dict[int, list[Slot]] = defaultdict(list)
    per_week: dict[int, Counter[tuple[int, int]]] = defaultdict(Counter)
    chosen: dict[int, int] = {}
    order = sorted(
        range(len(instance.requests)), key=lambda i: (instance.requests[i].start, instance.requests[i].id)
    )
    for r_index in order:
        slot = context.request_slots[r_index]
        for pair in sorted(options[r_index], key=lambda p: (p.metres, p.volunteer)):
            v_index = pair.volunteer
            cap = instance.volunteers[v_index].max_per_week - context.booked_per_week[v_index][slot.week]
            if per_week[v_index][slot.week] >= cap:
                continue
            if any(context.clash(slot, other) for other in taken[v_index]):
                continue
            chosen[r_index] = v_index
            taken[v_index].append(slot)
            per_week[v_index][slot.week] += 1
            break
    return chosen
