"""Optimal lexicographic matching with CP-SAT, solved level by level per independent component."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from matching.candidates import Context, Pair, Slot
from matching.greedy import greedy_choice
from matching.results import build_result
from matching.types import Instance, Result, SolverConfig

log = logging.getLogger(__name__)

# Share of the time still left that each level may use; later levels inherit what earlier ones save.
_LEVEL_SHARE = {1: 0.5, 2: 0.3, 3: 0.6, 4: 1.0}
_MIN_SOLVE_S = 0.05


def solve(instance: Instance, config: SolverConfig = SolverConfig()) -> Result:  # noqa: B008 - frozen, never mutated
    """Return the lexicographically best assignment found within the time limit."""
    started = time.perf_counter()
    # keep a little of the limit for building the result and for CP-SAT overshooting its own limit
    deadline = started + config.time_limit_s * 0.93 - 0.5
    context = Context(instance)
    start_choice = greedy_choice(context)
    floor = max((v.recent_assignments for v in instance.volunteers), default=0)
    parts = [ComponentModel(context, pairs, start_choice, floor) for pairs in split_components(context.pairs)]
    proven = True
    for level in (1, 2, 3, 4):
        proven &= _solve_level(parts, level, deadline, config)
    chosen = {p.request: p.volunteer for part in parts for p in part.chosen_pairs()}
    return build_result(context, chosen, proven_optimal=proven, seconds=time.perf_counter() - started)


def _solve_level(parts: Sequence[ComponentModel], level: int, deadline: float, config: SolverConfig) -> bool:
    """Optimise one level in every component, sharing this level's time by component size."""
    level_end = time.perf_counter() + max(0.0, deadline - time.perf_counter()) * _LEVEL_SHARE[level]
    weight_left = sum(len(part.pairs) for part in parts)
    proven = True
    for part in parts:
        share = len(part.pairs) / weight_left if weight_left else 1.0
        weight_left -= len(part.pairs)
        budget = max(_MIN_SOLVE_S, (level_end - time.perf_counter()) * share)
        proven &= part.optimize(level, budget, config)
    return proven


def split_components(pairs: Sequence[Pair]) -> list[list[Pair]]:
    """Group pairs into parts that share no request and no volunteer, so each is solved alone."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(node: tuple[str, int]) -> tuple[str, int]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for pair in pairs:
        parent[find(("r", pair.request))] = find(("v", pair.volunteer))
    groups: dict[tuple[str, int], list[Pair]] = defaultdict(list)
    for pair in pairs:
        groups[find(("r", pair.request))].append(pair)
    return sorted(groups.values(), key=len)


@dataclass
class _Level:
    """One objective level: weights on the pair variables (none: the load level), direction, known bound."""

    weights: list[int] | None
    maximize: bool
    bound: int | None


class ComponentModel:
    """The CP-SAT model of one independent part, re-optimised level by level."""

    def __init__(self, context: Context, pairs: list[Pair], start_choice: dict[int, int], floor: int) -> None:
        self.context = context
        self.pairs = pairs
        self.floor = floor
        self.model = cp_model.CpModel()
        self.x = [self.model.new_bool_var(f"x_r{p.request}_v{p.volunteer}") for p in pairs]
        self.current = [start_choice.get(p.request) == p.volunteer for p in pairs]
        by_volunteer: dict[int, list[int]] = defaultdict(list)
        for index, pair in enumerate(pairs):
            by_volunteer[pair.volunteer].append(index)
        self.by_volunteer = dict(by_volunteer)
        add_one_volunteer_per_request(self.model, self.x, pairs)
        add_no_clash(self.model, self.x, pairs, self.by_volunteer, context)
        add_weekly_cap(self.model, self.x, pairs, self.by_volunteer, context)
        self.load: cp_model.IntVar | None = None

    def chosen_pairs(self) -> list[Pair]:
        """Return the pairs of the best solution kept so far."""
        return [pair for pair, on in zip(self.pairs, self.current, strict=True) if on]

    def optimize(self, level: int, time_limit_s: float, config: SolverConfig) -> bool:
        """Improve one level, then fix its value for later levels; tell whether it is proven optimal."""
        goal = self._level(level)
        value = self._value(goal)
        expression = self._expression(goal)
        if goal.bound is not None and value == goal.bound:
            self._fix(expression, goal, value)
            return True
        if goal.maximize:
            self.model.maximize(expression)
        else:
            self.model.minimize(expression)
        self._hint()
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit_s
        solver.parameters.num_workers = config.workers
        solver.parameters.random_seed = config.seed
        status = solver.solve(self.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.current = [bool(solver.boolean_value(var)) for var in self.x]
            value = self._value(goal)
        log.debug(
            "level %d on %d pairs: %s, value %s", level, len(self.pairs), solver.status_name(status), value
        )
        self._fix(expression, goal, value)
        return status == cp_model.OPTIMAL

    def _level(self, level: int) -> _Level:
        """Return the objective level of matching.md with a bound that needs no search."""
        pairs = self.pairs
        if level == 1:
            priority = [self.context.instance.requests[p.request].priority for p in pairs]
            bound = sum(dict(zip((p.request for p in pairs), priority, strict=True)).values())
            return _Level(priority, maximize=True, bound=bound)
        if level == 2:
            bound = len({p.request for p in pairs if p.preferred})
            return _Level([int(p.preferred) for p in pairs], maximize=True, bound=bound)
        if level == 3:
            return _Level([p.metres for p in pairs], maximize=False, bound=None)
        return _Level(None, maximize=False, bound=self.floor)

    def _expression(self, goal: _Level) -> cp_model.LinearExprT:
        if goal.weights is None:
            if self.load is None:
                self.load = add_max_load(
                    self.model, self.x, self.pairs, self.by_volunteer, self.context, self.floor
                )
            return self.load
        return cp_model.LinearExpr.weighted_sum(self.x, goal.weights)

    def _value(self, goal: _Level) -> int:
        """Evaluate an objective level on the kept solution."""
        if goal.weights is None:
            return self._current_load()
        return sum(w for w, on in zip(goal.weights, self.current, strict=True) if on)

    def _current_load(self) -> int:
        volunteers = self.context.instance.volunteers
        loads = [
            volunteers[v].recent_assignments + sum(self.current[i] for i in indices)
            for v, indices in self.by_volunteer.items()
        ]
        return max([self.floor, *loads])

    def _hint(self) -> None:
        """Start the search from the kept solution (greedy's at first)."""
        self.model.clear_hints()
        for var, on in zip(self.x, self.current, strict=True):
            self.model.add_hint(var, on)
        if self.load is not None:
            self.model.add_hint(self.load, self._current_load())

    def _fix(self, expression: cp_model.LinearExprT, goal: _Level, value: int) -> None:
        """Keep this level at least as good as reached while the next levels are optimised."""
        if goal.maximize:
            self.model.add(expression >= value)
        else:
            self.model.add(expression <= value)


def add_one_volunteer_per_request(
    model: cp_model.CpModel, x: list[cp_model.IntVar], pairs: list[Pair]
) -> None:
    """Give each request to at most one volunteer."""
    by_request: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for var, pair in zip(x, pairs, strict=True):
        by_request[pair.request].append(var)
    for variables in by_request.values():
        if len(variables) > 1:
            model.add_at_most_one(variables)


def add_no_clash(
    model: cp_model.CpModel,
    x: list[cp_model.IntVar],
    pairs: list[Pair],
    by_volunteer: dict[int, list[int]],
    context: Context,
) -> None:
    """Rule 6: at most one of each clique of mutually clashing requests per volunteer."""
    for indices in by_volunteer.values():
        slots = {i: context.request_slots[pairs[i].request] for i in indices}
        for clique in clash_cliques(slots, context.clash):
            model.add_at_most_one(x[i] for i in clique)


def clash_cliques(slots: dict[int, Slot], clash: Callable[[Slot, Slot], bool]) -> list[list[int]]:
    """Cover every clash between the slots by few cliques, sweeping over start times."""
    order = sorted(slots, key=lambda i: (slots[i].start, i))
    cliques: list[list[int]] = []
    for position, i in enumerate(order):
        # travel buffers are at most a day, and clashes need the same day
        earlier = [j for j in order[:position] if slots[j].day == slots[i].day and clash(slots[j], slots[i])]
        uncovered = list(reversed(earlier))
        while uncovered:
            clique = [i, uncovered.pop(0)]
            for j in reversed(earlier):
                if j not in clique and all(clash(slots[j], slots[k]) for k in clique):
                    clique.append(j)
            uncovered = [j for j in uncovered if j not in clique]
            cliques.append(clique)
    return cliques


def add_weekly_cap(
    model: cp_model.CpModel,
    x: list[cp_model.IntVar],
    pairs: list[Pair],
    by_volunteer: dict[int, list[int]],
    context: Context,
) -> None:
    """Rule 7: per ISO week at most max_per_week, bookings included."""
    for v_index, indices in by_volunteer.items():
        per_week: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i in indices:
            per_week[context.request_slots[pairs[i].request].week].append(i)
        cap = context.instance.volunteers[v_index].max_per_week
        for week, members in per_week.items():
            room = cap - context.booked_per_week[v_index][week]
            if len(members) > room:
                model.add(sum(x[i] for i in members) <= room)


def add_max_load(
    model: cp_model.CpModel,
    x: list[cp_model.IntVar],
    pairs: list[Pair],
    by_volunteer: dict[int, list[int]],
    context: Context,
    floor: int,
) -> cp_model.IntVar:
    """Return a variable bounding recent plus new assignments of every volunteer from above."""
    volunteers = context.instance.volunteers
    ceiling = max([floor, *(volunteers[v].recent_assignments + len(ix) for v, ix in by_volunteer.items())])
    load = model.new_int_var(floor, ceiling, "max_load")
    for v_index, indices in by_volunteer.items():
        model.add(volunteers[v_index].recent_assignments + sum(x[i] for i in indices) <= load)
    return load
