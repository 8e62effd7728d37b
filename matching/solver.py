"""Optimal lexicographic matching with CP-SAT, solved level by level per independent component."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from matching.candidates import Context, Pair, Slot
from matching.greedy import greedy_choice
from matching.pruning import prune_dominated, repair
from matching.results import build_result
from matching.types import LEVELS, Instance, LevelDone, Result, SolverConfig

log = logging.getLogger(__name__)

# Share of the time still left that each level may use; later levels inherit what earlier ones save.
_LEVEL_SHARE = {1: 0.5, 2: 0.3, 3: 0.75, 4: 1.0}
_MIN_SOLVE_S = 0.05
# Parts smaller than this are solved together: a CP-SAT call costs milliseconds however small the model.
_BATCH_PAIRS = 300
# Share of the time left after level 3 kept for the exact load level on the whole model.
_EXACT_LOAD_SHARE = 0.5


@dataclass(frozen=True)
class SolverResult(Result):
    """A Result plus what benchmarks read: seconds until each level was done, whether proven, model size."""

    level_seconds: tuple[float, ...] = ()  # since the start of solve(), when levels 1, 2, 3, 4 were done
    level_proven: tuple[bool, ...] = ()
    model_size: tuple[int, int] = (0, 0)  # variables, constraints of the level 1-3 models

    pairs: tuple[int, int] = (0, 0)


OnLevel = Callable[[LevelDone], None]


def solve(
    instance: Instance,
    config: SolverConfig = SolverConfig(),  # noqa: B008 - frozen
    on_level: OnLevel | None = None,
) -> SolverResult:
    """Return the lexicographically best assignment found within the time limit.

    ``on_level`` is called after each objective level with the values reached so far: a large
    pool takes a minute, and whoever waits (a page, a command) wants to see it move.
    """
    report = on_level or (lambda _done: None)
    started = time.perf_counter()
    # keep a little of the limit for reading the file, building the result and CP-SAT overshooting its limit
    deadline = started + config.time_limit_s * 0.9 - 0.8
    context = Context(instance)
    kept, moved_to = prune_dominated(context, context.pairs)
    choice = repair(greedy_choice(context), context.pairs, moved_to)
    floor = max((v.recent_assignments for v in instance.volunteers), default=0)
    # levels 1-3 are sums and rules 6-7 couple a volunteer only within a week (or a day), so weeks part
    groups = batch_small(split_components(kept, by_volunteer_time(context, kept)), _BATCH_PAIRS)
    parts = [ComponentModel(context, pairs, choice, floor) for pairs in groups]
    seconds: list[float] = []
    proven: list[bool] = []
    reached: list[int] = []
    for level in (1, 2, 3):
        proven.append(_solve_level(parts, level, deadline, config))
        seconds.append(time.perf_counter() - started)
        reached.append(sum(part.reached[level] for part in parts))
        report(LevelDone(level, LEVELS, tuple(reached), seconds[-1], all(proven)))
    peak = _lower_peaks(parts, deadline - (deadline - time.perf_counter()) * _EXACT_LOAD_SHARE, config)
    if peak <= floor:
        load_parts, level_4_proven = list(parts), True
    else:
        load_parts = _load_parts(context, parts, floor)
        level_4_proven = _solve_level(load_parts, 4, deadline, config)
    proven.append(level_4_proven)
    seconds.append(time.perf_counter() - started)
    reached.append(_peak(load_parts, _new_loads(load_parts)))
    report(LevelDone(LEVELS, LEVELS, tuple(reached), seconds[-1], all(proven)))
    chosen = {p.request: p.volunteer for part in load_parts for p in part.chosen_pairs()}
    result = build_result(context, chosen, proven_optimal=all(proven), seconds=time.perf_counter() - started)
    size = (
        sum(len(part.model.proto.variables) for part in parts),
        sum(len(part.model.proto.constraints) for part in parts),
    )
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(Result)}
    return SolverResult(
        **fields,
        level_seconds=tuple(seconds),
        level_proven=tuple(proven),
        model_size=size,
        pairs=(len(context.pairs), len(kept)),
    )


def _lower_peaks(parts: Sequence[ComponentModel], until: float, config: SolverConfig) -> int:
    """Lower the largest load part by part, others' choices fixed, while time and progress last."""
    loads = _new_loads(parts)
    peak = _peak(parts, loads)
    while time.perf_counter() < until:
        at_peak = [part for part in parts if any(part.recent(v) + loads[v] >= peak for v in part.used())]
        for part in at_peak:
            budget = max(_MIN_SOLVE_S, (until - time.perf_counter()) / len(at_peak))
            part.lower_peak(peak, loads, budget, config)
            loads = _new_loads(parts)
        lowered = _peak(parts, loads)
        if lowered == peak or time.perf_counter() >= until:
            return lowered
        peak = lowered
    return peak


def _new_loads(parts: Sequence[ComponentModel]) -> Counter[int]:
    return Counter(p.volunteer for part in parts for p in part.chosen_pairs())


def _peak(parts: Sequence[ComponentModel], loads: Counter[int]) -> int:
    floor = max((part.floor for part in parts), default=0)
    return max([floor, *(part.recent(v) + loads[v] for part in parts for v in part.used())])


def _load_parts(context: Context, parts: Sequence[ComponentModel], floor: int) -> list[ComponentModel]:
    """Join the parts that share a volunteer for the load level, keeping each part's levels 1-3."""
    chosen = {p.request: p.volunteer for part in parts for p in part.chosen_pairs()}
    part_of = {pair.request: part for part in parts for pair in part.pairs}
    joined = []
    for pairs in split_components(context.pairs, by_volunteer):
        members = list({id(part_of[p.request]): part_of[p.request] for p in pairs}.values())
        if len(members) == 1 and set(members[0].pairs) == set(pairs):
            joined.append(members[0])
            continue
        whole = ComponentModel(context, pairs, chosen, floor)
        whole.keep_levels(members)
        joined.append(whole)
    return joined


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


def split_components(pairs: Sequence[Pair], keys: Callable[[Pair], Hashable]) -> list[list[Pair]]:
    """Group pairs into parts that share no request and no coupling key, so each is solved alone."""
    parent: dict[Hashable, Hashable] = {}

    def find(node: Hashable) -> Hashable:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for pair in pairs:
        parent[find(("r", pair.request))] = find(("k", keys(pair)))
    groups: dict[Hashable, list[Pair]] = defaultdict(list)
    for pair in pairs:
        groups[find(("r", pair.request))].append(pair)
    return sorted(groups.values(), key=len)


def batch_small(groups: list[list[Pair]], size: int) -> list[list[Pair]]:
    """Join small independent parts (sorted by size) into batches of about ``size`` pairs; sums stay exact."""
    batches: list[list[Pair]] = []
    current: list[Pair] = []
    for group in groups:
        if len(group) >= size:
            batches.append(group)
            continue
        current += group
        if len(current) >= size:
            batches.append(current)
            current = []
    if current:
        batches.append(current)
    return sorted(batches, key=len)


def by_volunteer_time(context: Context, pairs: Sequence[Pair]) -> Callable[[Pair], Hashable]:
    """Key pairs by what rules 6 and 7 couple: the volunteer's week where its cap binds, else its day."""
    per_week: Counter[tuple[int, tuple[int, int]]] = Counter(
        (p.volunteer, context.request_slots[p.request].week) for p in pairs
    )
    volunteers = context.instance.volunteers

    def key(pair: Pair) -> Hashable:
        slot = context.request_slots[pair.request]
        room = volunteers[pair.volunteer].max_per_week - context.booked_per_week[pair.volunteer][slot.week]
        if per_week[pair.volunteer, slot.week] > room:
            return pair.volunteer, slot.week
        return pair.volunteer, slot.day

    return key


def by_volunteer(pair: Pair) -> Hashable:
    """Key pairs by volunteer: what the load level couples."""
    return pair.volunteer


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
        self.reached: dict[int, int] = {}

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
            self.reached[level] = value
            return True
        if goal.maximize:
            self.model.maximize(expression)
        else:
            self.model.minimize(expression)
        self._hint()
        solver = _solver(time_limit_s, config)
        status = solver.solve(self.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.current = [bool(solver.boolean_value(var)) for var in self.x]
            value = self._value(goal)
        log.debug(
            "level %d on %d pairs: %s, value %s", level, len(self.pairs), solver.status_name(status), value
        )
        self._fix(expression, goal, value)
        self.reached[level] = value
        return status == cp_model.OPTIMAL

    def recent(self, volunteer: int) -> int:
        """Return a volunteer's recent assignments."""
        return self.context.instance.volunteers[volunteer].recent_assignments

    def used(self) -> set[int]:
        """Return the volunteers the kept solution gives work in this part."""
        return {p.volunteer for p in self.chosen_pairs()}

    def lower_peak(
        self, peak: int, loads: Mapping[int, int], time_limit_s: float, config: SolverConfig
    ) -> None:
        """Within this part, with levels 1-3 kept, have as few volunteers as possible at the peak load."""
        model = self.model.clone()
        x = [model.get_bool_var_from_proto_index(var.index) for var in self.x]
        at_peak = []
        for volunteer, indices in self.by_volunteer.items():
            inside = sum(self.current[i] for i in indices)
            outside = self.recent(volunteer) + loads[volunteer] - inside
            if outside + len(indices) >= peak:
                at_peak.append(add_peak_load(model, [x[i] for i in indices], outside, peak))
        if not at_peak:
            return
        model.minimize(sum(at_peak))
        model.clear_hints()
        for var, on in zip(x, self.current, strict=True):
            model.add_hint(var, on)
        solver = _solver(time_limit_s, config)
        status = solver.solve(model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.current = [bool(solver.boolean_value(var)) for var in x]

    def keep_levels(self, parts: Sequence[ComponentModel]) -> None:
        """Keep levels 1-3 on the requests of each part as good as the kept solution has them."""
        part_of = {pair.request: n for n, part in enumerate(parts) for pair in part.pairs}
        members: dict[int, list[int]] = defaultdict(list)
        for i, pair in enumerate(self.pairs):
            members[part_of[pair.request]].append(i)
        for level in (1, 2, 3):
            goal = self._level(level)
            assert goal.weights is not None, "only sum levels are kept"
            for indices in members.values():
                weights = [goal.weights[i] for i in indices]
                value = sum(w for w, i in zip(weights, indices, strict=True) if self.current[i])
                add_level_kept(self.model, [self.x[i] for i in indices], weights, goal.maximize, value)

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


def _solver(time_limit_s: float, config: SolverConfig) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = config.workers
    solver.parameters.random_seed = config.seed
    return solver


def add_peak_load(
    model: cp_model.CpModel, x: list[cp_model.IntVar], outside: int, peak: int
) -> cp_model.IntVar:
    """Cap a volunteer's load at the peak; return a flag that is 1 when it reaches the peak."""
    at_peak = model.new_bool_var("at_peak")
    model.add(outside + sum(x) <= peak)
    model.add(outside + sum(x) <= peak - 1).only_enforce_if(~at_peak)
    return at_peak


def add_level_kept(
    model: cp_model.CpModel, x: list[cp_model.IntVar], weights: list[int], maximize: bool, value: int
) -> None:
    """Keep one objective level of a group of pairs at least as good as the value reached."""
    expression = cp_model.LinearExpr.weighted_sum(x, weights)
    model.add(expression >= value if maximize else expression <= value)


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
