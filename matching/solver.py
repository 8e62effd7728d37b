"""Optimal lexicographic matching, solved level by level per independent component.

Each level is first an LP (GLOP, ``matching/relaxation.py``): an integral LP solution worth the bound
recomputed from the duals is optimal without a search. CP-SAT searches only where the LP is fractional
or out of time, starting from the kept solution and stopping at the LP bound.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ortools.sat.python import cp_model

from matching.candidates import Context, Pair
from matching.greedy import greedy_choice
from matching.pruning import prune_dominated, repair
from matching.relaxation import Relaxation, Row
from matching.results import build_result
from matching.types import LEVELS, Instance, LevelDone, Result, SolverConfig

log = logging.getLogger(__name__)

# Share of the time still left that each level may use; later levels inherit what earlier ones save.
# Level 1 runs the LPs of levels 2 and 3 as well, which mostly settle them.
_LEVEL_SHARE = {1: 0.7, 2: 0.3, 3: 0.75, 4: 1.0}
_MIN_SOLVE_S = 0.05
# Parts smaller than this are solved together: a CP-SAT call costs milliseconds however small the model.
_BATCH_PAIRS = 300
# The levels each LP is lexicographic in, by the first of them: continuity alone is very degenerate.
_LP_STEPS = {1: (1, 2), 2: (2, 3), 3: (3,)}
# Share of the time left after level 3 kept for the exact load level on the whole model.
_EXACT_LOAD_SHARE = 0.5


@dataclass(frozen=True)
class SolverResult(Result):
    """A Result plus what benchmarks read: seconds until each level was done, whether proven, model size."""

    level_seconds: tuple[float, ...] = ()  # since the start of solve(), when levels 1, 2, 3, 4 were done
    level_proven: tuple[bool, ...] = ()
    model_size: tuple[int, int] = (0, 0)  # variables, rows of the level 1-3 models

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
    log.debug("%d pairs after %.2f s", len(context.pairs), time.perf_counter() - started)
    kept, moved_to = prune_dominated(context, context.pairs)
    choice = repair(greedy_choice(context), context.pairs, moved_to)
    log.debug("%d pairs kept, greedy done after %.2f s", len(kept), time.perf_counter() - started)
    floor = max((v.recent_assignments for v in instance.volunteers), default=0)
    # levels 1-3 are sums and rules 6-7 couple a volunteer only within a week (or a day), so weeks part
    groups = batch_small(split_components(kept, by_volunteer_time(context, kept)), _BATCH_PAIRS)
    parts = [ComponentModel(context, pairs, choice, floor) for pairs in groups]
    log.debug("%d parts built after %.2f s", len(parts), time.perf_counter() - started)
    seconds: list[float] = []
    proven: list[bool] = []
    reached: list[int] = []
    for level in (1, 2, 3):
        proven.append(_solve_level(parts, level, deadline, config))
        seconds.append(time.perf_counter() - started)
        reached.append(sum(part.level_value(level) for part in parts))
        report(LevelDone(level, LEVELS, tuple(reached), seconds[-1], all(proven)))
    for part in parts:
        part.drop_relaxation()  # the load level needs other LPs; this keeps the peak memory down
    load_parts, level_4_proven = _solve_load(context, parts, floor, deadline, config)
    proven.append(level_4_proven)
    seconds.append(time.perf_counter() - started)
    reached.append(_peak(load_parts, _new_loads(load_parts)))
    report(LevelDone(LEVELS, LEVELS, tuple(reached), seconds[-1], all(proven)))
    chosen = {p.request: p.volunteer for part in load_parts for p in part.chosen_pairs()}
    result = build_result(context, chosen, proven_optimal=all(proven), seconds=time.perf_counter() - started)
    size = (
        sum(len(part.pairs) for part in parts),
        sum(len(part.rows) for part in parts),
    )
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(Result)}
    return SolverResult(
        **fields,
        level_seconds=tuple(seconds),
        level_proven=tuple(proven),
        model_size=size,
        pairs=(len(context.pairs), len(kept)),
    )


def _solve_load(
    context: Context, parts: Sequence[ComponentModel], floor: int, deadline: float, config: SolverConfig
) -> tuple[Sequence[ComponentModel], bool]:
    """Level 4: return the parts holding the best load found, and whether it is proven optimal.

    The LP bound of each volunteer-connected part often equals the peak levels 1-3 left, or the peak
    that lowering it part by part reaches; only otherwise are the joined parts searched.
    """
    peak = _peak(parts, _new_loads(parts))
    if peak <= floor:
        return parts, True
    if time.perf_counter() >= deadline:  # building the joined parts alone takes seconds at state size
        return parts, False
    load_parts = _load_parts(context, parts, floor)
    log.debug("%d load parts built, %d pairs", len(load_parts), sum(len(p.pairs) for p in load_parts))
    for part in load_parts:
        part.bound_load(max(_MIN_SOLVE_S, (deadline - time.perf_counter()) * _EXACT_LOAD_SHARE))
    bound = max(part.load_floor for part in load_parts)
    log.debug("load: peak %d, LP bound %d", peak, bound)
    if peak <= bound:
        return parts, True
    # the parts whose capped LP reached their bound are optimal; the others start from the kept solution
    reached = {id(part) for part in load_parts if part.current_load() <= part.load_floor}
    if len(reached) == len(load_parts) or time.perf_counter() >= deadline:
        return load_parts, len(reached) == len(load_parts)
    until = deadline - (deadline - time.perf_counter()) * _EXACT_LOAD_SHARE
    peak = _lower_peaks(parts, until, config, bound)
    log.debug("load: peak %d lowered part by part", peak)
    if peak <= bound:
        return parts, True
    chosen = {p.request: p.volunteer for part in parts for p in part.chosen_pairs()}
    for part in load_parts:
        if id(part) not in reached:
            part.current = [chosen.get(p.request) == p.volunteer for p in part.pairs]
    return load_parts, _solve_level(load_parts, 4, deadline, config)


def _lower_peaks(parts: Sequence[ComponentModel], until: float, config: SolverConfig, bound: int) -> int:
    """Lower the largest load part by part, others' choices fixed, while time and progress last."""
    loads = _new_loads(parts)
    peak = _peak(parts, loads)
    while time.perf_counter() < until and peak > bound:
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
    """Join the parts that share a volunteer for the load level, keeping each part's levels 1-3.

    Pairs in no optimum of levels 1-3 are left out, so the load level's parts are smaller and fall
    apart more often; the kept solution's pairs stay whatever the LP said.
    """
    chosen = {p.request: p.volunteer for part in parts for p in part.chosen_pairs()}
    part_of = {pair.request: part for part in parts for pair in part.pairs}
    excluded = {pair for part in parts for pair in part.excluded}
    useful = [p for p in context.pairs if p not in excluded or chosen.get(p.request) == p.volunteer]
    joined = []
    for pairs in split_components(useful, by_volunteer):
        members = list({id(part_of[p.request]): part_of[p.request] for p in pairs}.values())
        if len(members) == 1 and set(members[0].pairs) == set(pairs):
            joined.append(members[0])
            continue
        whole = ComponentModel(context, pairs, chosen, floor)
        whole.keep_levels(members)
        joined.append(whole)
    return joined


def _solve_level(parts: Sequence[ComponentModel], level: int, deadline: float, config: SolverConfig) -> bool:
    """Optimise one level in every component, ``config.workers`` at a time, sharing time by size.

    GLOP and CP-SAT release the GIL while they solve, so independent parts use both cores.
    """
    level_end = time.perf_counter() + max(0.0, deadline - time.perf_counter()) * _LEVEL_SHARE[level]
    workers = max(1, config.workers)
    weight_left = sum(len(part.pairs) for part in parts)
    lock = threading.Lock()

    def run(part: ComponentModel) -> bool:
        nonlocal weight_left
        with lock:
            share = len(part.pairs) / weight_left if weight_left else 1.0
            weight_left -= len(part.pairs)
        budget = max(_MIN_SOLVE_S, (level_end - time.perf_counter()) * min(1.0, share * workers))
        return part.optimize(level, budget, config)

    largest_first = sorted(parts, key=lambda part: -len(part.pairs))
    with ThreadPoolExecutor(workers) as pool:
        return all(list(pool.map(run, largest_first)))


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
    """One independent part: its rules as rows, solved level by level by LP first and CP-SAT where needed."""

    def __init__(self, context: Context, pairs: list[Pair], start_choice: dict[int, int], floor: int) -> None:
        self.context = context
        self.pairs = pairs
        self.floor = floor
        self.current = [start_choice.get(p.request) == p.volunteer for p in pairs]
        by_volunteer: dict[int, list[int]] = defaultdict(list)
        for index, pair in enumerate(pairs):
            by_volunteer[pair.volunteer].append(index)
        self.by_volunteer = dict(by_volunteer)
        self.rows = [
            *one_volunteer_per_request(pairs),
            *no_clash(pairs, self.by_volunteer, context),
            *weekly_cap(pairs, self.by_volunteer, context),
        ]
        self._model: cp_model.CpModel | None = None
        self._relaxation: Relaxation | None = None
        self.x: list[cp_model.IntVar] = []
        self.load: cp_model.IntVar | None = None
        self.settled = 0  # levels up to this one are proven optimal and fixed
        self.load_floor = floor  # no volunteer's load in this part can be lower in an optimum
        # pairs in no optimum of levels 1-3. Not those on in all: a pruned pair may stand in for one of them
        self.excluded: set[Pair] = set()

    @property
    def model(self) -> cp_model.CpModel:
        """The CP-SAT model of the rows, built only when a level needs a search: most are proven by LP."""
        if self._model is None:
            self._model = cp_model.CpModel()
            self.x = [self._model.new_bool_var(f"x_r{p.request}_v{p.volunteer}") for p in self.pairs]
            for row in self.rows:
                add_row(self._model, self.x, row)
        return self._model

    def add(self, row: Row) -> None:
        """Keep a row in every model of this part, the ones built later included."""
        self._keep(row)
        if self._relaxation is not None:
            self._relaxation.add(row)

    def _keep(self, row: Row) -> None:
        self.rows.append(row)
        if self._model is not None:
            add_row(self._model, self.x, row)

    def drop_relaxation(self) -> None:
        self._relaxation = None

    def relaxation(self) -> Relaxation:
        if self._relaxation is None:
            self._relaxation = Relaxation([(0, 1)] * len(self.pairs), self.rows)
        return self._relaxation

    def chosen_pairs(self) -> list[Pair]:
        """Return the pairs of the best solution kept so far."""
        return [pair for pair, on in zip(self.pairs, self.current, strict=True) if on]

    def optimize(self, level: int, time_limit_s: float, config: SolverConfig) -> bool:
        """Improve one level, then fix its value for later levels; tell whether it is proven optimal."""
        started = time.perf_counter()
        if level <= self.settled:
            return True
        goal = self._level(level)
        value = self._value(goal)
        if goal.bound is not None and value == goal.bound:
            self._fix(goal, value)
            return True
        if goal.weights is not None:
            bound = self._settle_by_lp(level, time_limit_s)
            if self.settled == 3:
                self.drop_relaxation()  # done with the LP: free its memory while other parts still solve
            if level <= self.settled:
                log.debug("levels %d-%d on %d pairs: proven by LP", level, self.settled, len(self.pairs))
                return True
            if bound is not None:
                goal = _Level(goal.weights, goal.maximize, bound)
        proven = self._search(goal, level, time_limit_s - (time.perf_counter() - started), config)
        self._fix(goal, self._value(goal))
        return proven

    def _settle_by_lp(self, level: int, time_limit_s: float) -> int | None:
        """Solve the LPs of this and the later sum levels, each assuming the earlier ones reach their bounds.

        When an LP solution is integral and keeps every row, the assumed bounds are reached, so each of
        those levels is proven optimal: the solution is kept and ``settled`` moves on. Return the bound
        of ``level`` (None if GLOP failed or it has none of its own) for a search to stop at.
        """
        deadline = time.perf_counter() + time_limit_s
        relaxation = self.relaxation()
        mark = len(relaxation.rows)
        first_bound = None
        step = level
        while step <= 3:
            levels = _LP_STEPS[step]
            goals = [self._level(k) for k in levels]
            if levels == (1, 2):  # among the best, the LP leans to near volunteers (in km)
                goals.append(_Level([p.metres // 1000 for p in self.pairs], maximize=False, bound=None))
            costs, scale, rest_high = self._lexicographic_costs(goals)
            answer = relaxation.minimize(costs, deadline - time.perf_counter())
            if answer.bound is None:
                break
            # costs = scale * first goal + rest with rest <= rest_high, so the first goal is bounded alone
            first = goals[0]
            own = -((rest_high - answer.bound) // scale)  # ceil((bound - rest_high) / scale), minimised
            bound = -own if first.maximize else own
            first_bound = bound if levels[0] == level else first_bound
            relaxation.add(level_kept(range(len(self.pairs)), first.weights, first.maximize, bound))
            step = levels[0] + 1  # assuming the first level reaches its bound, or having proven it
            if answer.rounded is None or not all(row.holds(answer.rounded) for row in relaxation.rows):
                continue
            self.current = [bool(v) for v in answer.rounded]
            for row in relaxation.rows[mark:]:
                self._keep(row)
            proven = levels[:1]
            if sum(c * v for c, v in zip(costs, answer.rounded, strict=True)) == answer.bound:
                proven = levels  # lexicographically best in all of its levels
                for goal in goals[1 : len(levels)]:
                    self.add(
                        level_kept(range(len(self.pairs)), goal.weights, goal.maximize, self._value(goal))
                    )
            if proven[-1] == 3:  # the LP solution is worth its bound, so the bound's reduced costs apply
                self.excluded = {self.pairs[j] for j in answer.never_on(answer.bound)}
            mark = len(relaxation.rows)
            self.settled = proven[-1]
            step = proven[-1] + 1
        relaxation.forget(mark)
        return first_bound

    def _lexicographic_costs(self, goals: Sequence[_Level]) -> tuple[list[int], int, int]:
        """One cost per pair to minimise whose optimum is lexicographically best for the goals, in order.

        Each earlier goal is weighted by one more than the largest total the later ones can differ by,
        so no change in the later ones can make up for a unit lost in an earlier one. Return the costs,
        the first goal's weight, and the most the later goals can add to a solution's total.
        """
        costs = [0] * len(self.pairs)
        scale, rest_high = 1, 0
        for goal in reversed(goals):
            assert goal.weights is not None
            low, rest_high = _total_range(self.pairs, costs)
            scale = rest_high - low + 1
            sign = -1 if goal.maximize else 1
            costs = [sign * scale * w + c for w, c in zip(goal.weights, costs, strict=True)]
        return costs, scale, rest_high

    def _search(self, goal: _Level, level: int, time_limit_s: float, config: SolverConfig) -> bool:
        """Optimise the level with CP-SAT from the kept solution; a known bound lets it stop early."""
        expression = self._expression(goal)
        if goal.bound is not None:
            # a bound valid for every solution: CP-SAT stops as soon as it reaches it
            self.model.add(expression <= goal.bound if goal.maximize else expression >= goal.bound)
        if goal.maximize:
            self.model.maximize(expression)
        else:
            self.model.minimize(expression)
        self._hint()
        solver = _solver(max(_MIN_SOLVE_S, time_limit_s), config)
        status = solver.solve(self.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.current = [bool(solver.boolean_value(var)) for var in self.x]
        log.debug(
            "level %d on %d pairs: %s, value %s",
            level,
            len(self.pairs),
            solver.status_name(status),
            self._value(goal),
        )
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

    def bound_load(self, time_limit_s: float) -> None:
        """Raise ``load_floor`` to the LP bound of the largest load, levels 1-3 kept, and try to reach it.

        With every load capped at the bound, the LP of the distance is mostly integral again; an integral
        solution is kept, as it reaches the bound and so is optimal for this part.
        """
        deadline = time.perf_counter() + time_limit_s
        n = len(self.pairs)
        recent = {v: self.recent(v) for v in self.by_volunteer}
        ceiling = max([self.floor, *(recent[v] + len(ix) for v, ix in self.by_volunteer.items())])
        rows = [Row([*ix, n], -recent[v], [1] * len(ix) + [-1]) for v, ix in self.by_volunteer.items()]
        relaxation = Relaxation([(0, 1)] * n + [(self.floor, ceiling)], [*self.rows, *rows])
        answer = relaxation.minimize([0] * n + [1], time_limit_s)
        if answer.bound is None:
            return
        self.load_floor = max(self.floor, answer.bound)
        relaxation.add(Row([n], self.load_floor))
        relaxation.add(Row([n], -self.load_floor, [-1]))
        answer = relaxation.minimize([p.metres for p in self.pairs] + [0], deadline - time.perf_counter())
        if answer.rounded is not None and all(row.holds(answer.rounded) for row in relaxation.rows):
            self.current = [bool(v) for v in answer.rounded[:n]]

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
                self.add(level_kept(indices, weights, goal.maximize, value))

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
        return _Level(None, maximize=False, bound=self.load_floor)

    def _expression(self, goal: _Level) -> cp_model.LinearExprT:
        model = self.model  # builds self.x
        if goal.weights is None:
            if self.load is None:
                self.load = add_max_load(
                    model, self.x, self.pairs, self.by_volunteer, self.context, self.floor
                )
            return self.load
        return cp_model.LinearExpr.weighted_sum(self.x, goal.weights)

    def level_value(self, level: int) -> int:
        """Return the value the kept solution reaches on one level (for progress reports)."""
        return self._value(self._level(level))

    def _value(self, goal: _Level) -> int:
        """Evaluate an objective level on the kept solution."""
        if goal.weights is None:
            return self.current_load()
        return sum(w for w, on in zip(goal.weights, self.current, strict=True) if on)

    def current_load(self) -> int:
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
            self.model.add_hint(self.load, self.current_load())

    def _fix(self, goal: _Level, value: int) -> None:
        """Keep this level at least as good as reached while the next levels are optimised."""
        if goal.weights is not None:  # nothing comes after the load level
            self.add(level_kept(range(len(self.pairs)), goal.weights, goal.maximize, value))


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


def _total_range(pairs: Sequence[Pair], costs: Sequence[int]) -> tuple[int, int]:
    """The least and the most total cost of an assignment: each request adds one of its pairs or none."""
    high: dict[int, int] = defaultdict(int)
    low: dict[int, int] = defaultdict(int)
    for pair, cost in zip(pairs, costs, strict=True):
        high[pair.request] = max(high[pair.request], cost)
        low[pair.request] = min(low[pair.request], cost)
    return sum(low.values()), sum(high.values())


def add_row(model: cp_model.CpModel, x: list[cp_model.IntVar], row: Row) -> None:
    """Add one row to a CP-SAT model: an at-most-one where it is one, else a linear constraint."""
    if row.coefficients is None and row.upper == 1:
        model.add_at_most_one(x[i] for i in row.indices)
    else:
        weights = row.coefficient_list()
        model.add(cp_model.LinearExpr.weighted_sum([x[i] for i in row.indices], weights) <= row.upper)


def level_kept(indices: Sequence[int], weights: Sequence[int], maximize: bool, value: int) -> Row:
    """Keep one objective level of a group of pairs at least as good as the value reached."""
    indices = list(indices)
    weights = list(weights)
    if maximize:
        return Row(indices, -value, [-w for w in weights])
    return Row(indices, value, weights)


def one_volunteer_per_request(pairs: list[Pair]) -> list[Row]:
    """Give each request to at most one volunteer."""
    by_request: dict[int, list[int]] = defaultdict(list)
    for index, pair in enumerate(pairs):
        by_request[pair.request].append(index)
    return [Row(indices, 1) for indices in by_request.values() if len(indices) > 1]


def no_clash(pairs: list[Pair], by_volunteer: dict[int, list[int]], context: Context) -> list[Row]:
    """Rule 6: at most one of each clique of mutually clashing requests per volunteer."""
    rows = []
    for indices in by_volunteer.values():
        if len(indices) < 2:
            continue
        requests = [pairs[i].request for i in indices]
        clashes = context.clashes_among(requests)
        starts = [context.request_slots[r] for r in requests]
        cliques = clash_cliques([(s.day, s.start) for s in starts], clashes)
        rows += [Row([indices[k] for k in clique], 1) for clique in cliques]
    return rows


def clash_cliques(times: Sequence[tuple[int, int]], clash: Sequence[Sequence[bool]]) -> list[list[int]]:
    """Cover every clash among slots by few cliques, sweeping over start times day by day.

    Slots are positions: ``times`` holds each one's day and start, ``clash[a][b]`` whether they clash.
    """
    order = sorted(range(len(times)), key=lambda k: (times[k][1], k))
    cliques: list[list[int]] = []
    # clashes need the same day, and days follow each other in start order
    for _, day in itertools.groupby(order, key=lambda k: times[k][0]):
        cliques += _day_cliques(list(day), clash)
    return cliques


def _day_cliques(order: list[int], clash: Sequence[Sequence[bool]]) -> list[list[int]]:
    cliques: list[list[int]] = []
    for position, i in enumerate(order):
        earlier = [j for j in order[:position] if clash[j][i]]
        uncovered = list(reversed(earlier))
        while uncovered:
            clique = [i, uncovered.pop(0)]
            for j in reversed(earlier):
                if j not in clique and all(clash[j][k] for k in clique):
                    clique.append(j)
            uncovered = [j for j in uncovered if j not in clique]
            cliques.append(clique)
    return cliques


def weekly_cap(pairs: list[Pair], by_volunteer: dict[int, list[int]], context: Context) -> list[Row]:
    """Rule 7: per ISO week at most max_per_week, bookings included."""
    rows = []
    for v_index, indices in by_volunteer.items():
        per_week: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i in indices:
            per_week[context.request_slots[pairs[i].request].week].append(i)
        cap = context.instance.volunteers[v_index].max_per_week
        for week, members in per_week.items():
            room = cap - context.booked_per_week[v_index][week]
            if len(members) > room:
                rows.append(Row(members, room))
    return rows


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
