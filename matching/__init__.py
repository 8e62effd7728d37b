"""Matching engine: decide which volunteer interpreter takes which request.

A pure package (stdlib + ortools only) implementing ``shared/spec/matching.md``.
Importing ``matching`` loads nothing heavy: the names below resolve lazily, so
``import matching`` never pulls in ortools.

Public API::

    parse_instance(data: dict) -> Instance          # raises InstanceError(path, message)
    load_instance(path: str | Path) -> Instance      # same, plus file and JSON errors
    solve(instance, config=SolverConfig(), on_level=None) -> Result  # optimal lexicographic, LP + CP-SAT;
                                                     # on_level(LevelDone) after each objective level
    solve_greedy(instance) -> Result                 # first come, first served baseline
    result_to_dict(result) -> dict                   # result format ...-result/1
    parse_result(data: dict) -> Result               # the inverse, for stored proposals
    validate(instance, result) -> list[str]          # violations; empty means valid
    rank_candidates(instance, request_id, result=None) -> list[Candidate]
    explain_assignments(instance, result) -> dict[str, Explanation]  # why each pair
    SolverConfig(time_limit_s=10.0, workers=2, seed=0)

Command line: ``python -m matching solve INSTANCE.json [--time-limit S]
[--out RESULT.json] [--method cpsat|greedy]``.
"""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Instance": "matching.types",
    "InstanceError": "matching.types",
    "Result": "matching.types",
    "SolverConfig": "matching.types",
    "LevelDone": "matching.types",
    "parse_instance": "matching.parsing",
    "load_instance": "matching.parsing",
    "result_to_dict": "matching.results",
    "parse_result": "matching.results",
    "solve": "matching.solver",
    "solve_greedy": "matching.greedy",
    "validate": "matching.validation",
    "rank_candidates": "matching.ranking",
    "explain_assignments": "matching.ranking",
    "Candidate": "matching.ranking",
    "Explanation": "matching.ranking",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Resolve a public name on first use so that importing the package stays light."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'matching' has no attribute {name!r}")
    return getattr(import_module(module), name)
