"""The linear relaxation of a part, solved with GLOP, and a bound on the integer optimum that it certifies.

CP-SAT needs tens of seconds to close the gap of the distance level on a week of the NRW month, yet the
LP relaxation of these assignment models is almost always integral and GLOP solves it in a fraction of
a second. So each sum level is first solved as an LP: when its rounded solution keeps every rule and is
worth the LP bound, it is optimal and no search is needed. The bound is not GLOP's own objective value
(which carries its tolerances) but the Lagrangian bound recomputed here from its duals: for any y >= 0,
min c.x over the rows A.x <= b and the column bounds is at least -y.b + sum_j min over x_j of (c + yA)_j x_j.
That holds for every y, however inexact GLOP was, so a proof stays a proof.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.linear_solver import linear_solver_pb2, pywraplp

# GLOP's scaling sometimes calls a feasible relaxation infeasible: a level kept at its optimum is a tight
# row with coefficients in metres, next to rows of ones (seen on the load level of the NRW month, where
# the kept solution keeps every row). Such a verdict is tried once more without scaling; a bound is
# recomputed from the duals either way, so a proof stays a proof.
_GLOP_ATTEMPTS = ("", "use_scaling: false")
# Float error in the recomputed bound is far below this; integer objectives differ by at least 1.
_SLACK = 1e-3


@dataclass(frozen=True)
class Row:
    """One constraint sum(coefficients[i] * x[indices[i]]) <= upper; no coefficients means all 1."""

    indices: Sequence[int]
    upper: int
    coefficients: Sequence[int] | None = None

    def coefficient_list(self) -> Sequence[int]:
        return self.coefficients if self.coefficients is not None else [1] * len(self.indices)

    def holds(self, values: Sequence[int]) -> bool:
        """Tell whether integer values keep this row."""
        if self.coefficients is None:
            return sum(values[i] for i in self.indices) <= self.upper
        return sum(c * values[i] for i, c in zip(self.indices, self.coefficients, strict=True)) <= self.upper


@dataclass(frozen=True)
class Answer:
    """What the LP says of minimising an integer objective: a proven lower bound and a rounded solution."""

    bound: int | None  # the integer optimum is at least this; None when the LP solver failed
    rounded: list[int] | None  # the LP solution rounded to integers, when it was integral
    lagrangian: float = 0.0  # the bound before rounding up
    reduced: Sequence[float] = ()  # the costs plus y.A of the multipliers that gave the bound

    def never_on(self, value: int) -> set[int]:
        """Columns in [0, 1] that every solution of cost at most ``value`` has at 0.

        A solution with x_j = 1 costs at least the bound plus reduced_j.
        """
        room = value - self.lagrangian + _SLACK
        return {j for j, d in enumerate(self.reduced) if d > room}


class Relaxation:
    """Columns with bounds and rows A.x <= b, re-solved by GLOP for one objective after another.

    The rows live here; GLOP's model is a message that follows them and is loaded for each solve (CLP
    and HiGHS were tried: CLP needs tens of thousands of pivots on the priority level, and HiGHS' duals
    gave no bound).
    """

    def __init__(self, bounds: Sequence[tuple[int, int]], rows: Sequence[Row]) -> None:
        self.bounds = list(bounds)
        self.rows: list[Row] = list(rows)  # the rows that hold; forgotten ones are gone from here
        # GLOP's model as a message: filled in bulk, where one call per coefficient through SWIG cost
        # more than GLOP's own solving. Its first ``_synced`` constraints are the first rows.
        self._model = linear_solver_pb2.MPModelProto()
        for low, high in self.bounds:
            self._model.variable.add(lower_bound=low, upper_bound=high)
        self._synced = 0

    def add(self, row: Row) -> None:
        """Add a row; it holds for every later objective."""
        self.rows.append(row)

    def forget(self, keep: int) -> None:
        """Drop the rows added after the first ``keep`` ones (assumptions that did not come true)."""
        del self.rows[keep:]
        self._synced = min(self._synced, keep)

    def minimize(self, costs: Sequence[int], time_limit_s: float) -> Answer:
        """Minimise costs.x over the relaxation; return the certified bound and an integral solution if any."""
        solution = self._solve(costs, time_limit_s)
        if solution is None:
            return Answer(None, None)
        values, duals = solution
        # the sign of duals differs between LP solvers; either sign gives a valid bound
        lagrangian, reduced = max(
            (self._lagrangian(costs, [max(0.0, sign * d) for d in duals]) for sign in (-1.0, 1.0)),
            key=lambda found: found[0],
        )
        bound = math.ceil(lagrangian - _SLACK)
        return Answer(bound, _rounded(values), lagrangian, reduced)

    def _solve(self, costs: Sequence[int], time_limit_s: float) -> tuple[list[float], list[float]] | None:
        """Solve with GLOP; return the column values and the row duals, or None if it found no optimum."""
        constraints = self._model.constraint
        del constraints[self._synced :]
        for row in self.rows[self._synced :]:
            constraint = constraints.add(upper_bound=row.upper)
            constraint.var_index.extend(row.indices)
            constraint.coefficient.extend(row.coefficient_list())
        self._synced = len(self.rows)
        for variable, cost in zip(self._model.variable, costs, strict=True):
            variable.objective_coefficient = cost
        deadline = time.perf_counter() + time_limit_s
        for parameters in _GLOP_ATTEMPTS:
            solver = pywraplp.Solver.CreateSolver("GLOP")
            if solver.LoadModelFromProto(self._model) or not solver.SetSolverSpecificParametersAsString(
                parameters
            ):
                raise ValueError("GLOP refused the relaxation")  # a bug here, never the instance's fault
            solver.SetTimeLimit(max(1, int((deadline - time.perf_counter()) * 1000)))
            status = solver.Solve()
            if status == pywraplp.Solver.OPTIMAL:
                break
            if status not in (pywraplp.Solver.INFEASIBLE, pywraplp.Solver.ABNORMAL):
                return None  # out of time (or unbounded): nothing to claim
        else:
            return None
        response = linear_solver_pb2.MPSolutionResponse()
        solver.FillSolutionResponseProto(response)
        return list(response.variable_value), list(response.dual_value)

    def _lagrangian(self, costs: Sequence[int], multipliers: Sequence[float]) -> tuple[float, list[float]]:
        reduced = [float(c) for c in costs]
        terms = []
        for row, y in zip(self.rows, multipliers, strict=True):
            if y == 0.0:
                continue
            terms.append(-y * row.upper)
            for index, coefficient in zip(row.indices, row.coefficient_list(), strict=True):
                reduced[index] += y * coefficient
        for (lo, hi), d in zip(self.bounds, reduced, strict=True):
            terms.append(min(d * lo, d * hi))
        return math.fsum(terms), reduced


def _rounded(values: Sequence[float]) -> list[int] | None:
    """The values as integers, if all of them are."""
    rounded = [round(v) for v in values]
    if any(abs(v - r) > 1e-6 for v, r in zip(values, rounded, strict=True)):
        return None
    return rounded
