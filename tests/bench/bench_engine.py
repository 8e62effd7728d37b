"""Benchmark the matching engine on the shared samples: optimum vs greedy vs reference, and scaling.

Run: ``.venv/bin/python -m tests.bench.bench_engine [--quick] [--samples DIR]``; the samples
directory defaults to ``$SPRACHMITTLERPOOL_SAMPLES`` or ``../shared/samples/matching``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from matching.greedy import solve_greedy
from matching.parsing import load_instance
from matching.solver import solve
from matching.types import Instance, SolverConfig
from matching.validation import validate

ROOT = Path(__file__).resolve().parents[2]
LARGE = "state-7.json"
LIMITS = {LARGE: 20.0}
SCALING_SHARES = (0.25, 0.5, 1.0)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print a table and write instance/bench/engine.json."""
    args = _parser().parse_args(argv)
    samples = Path(
        args.samples or os.environ.get("SPRACHMITTLERPOOL_SAMPLES") or ROOT.parent / "shared/samples/matching"
    )
    reference = json.loads((samples / "reference.json").read_text(encoding="utf-8"))
    names = sorted(p.name for p in samples.glob("*.json") if p.name != "reference.json")
    if args.quick:
        names = [name for name in names if name != LARGE]
    rows = [_measure(samples / name, reference.get(name, {})) for name in names]
    _print_table(rows)
    scaling = [] if args.quick or LARGE not in names else _scaling(samples / LARGE)
    out = ROOT / "instance" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "engine.json").write_text(json.dumps({"instances": rows, "scaling": scaling}, indent=1) + "\n")
    print(f"\nwritten: {out / 'engine.json'}")
    return 0 if all(not row["violations"] for row in rows) else 1


def _measure(path: Path, reference: dict[str, Any]) -> dict[str, Any]:
    """Solve one instance, timing from reading the file to the finished result."""
    started = time.perf_counter()
    instance = load_instance(path)
    result = solve(instance, SolverConfig(time_limit_s=LIMITS.get(path.name, 10.0)))
    wall = time.perf_counter() - started
    greedy = solve_greedy(instance)
    objective = result.objective
    return {
        "instance": path.name,
        "requests": len(instance.requests),
        "volunteers": len(instance.volunteers),
        "placed": len(result.assignments),
        "priority": objective.priority,
        "preferred": objective.preferred,
        "distance_km": objective.distance_km,
        "max_load": objective.max_load,
        "proven_optimal": result.proven_optimal,
        "wall_seconds": round(wall, 2),
        "greedy_placed": len(greedy.assignments),
        "greedy_priority": greedy.objective.priority,
        "ratio_priority": round(objective.priority / max(1, greedy.objective.priority), 4),
        "ratio_placed": round(len(result.assignments) / max(1, len(greedy.assignments)), 4),
        "reference": {k: reference.get(k) for k in ("priority", "preferred", "distance_km", "max_load")},
        "flow_bound": reference.get("flow_bound"),
        "violations": validate(instance, result),
    }


def _print_table(rows: list[dict[str, Any]]) -> None:
    header = (
        f"{'instance':<14}{'placed':>7}{'prio':>6}{'pref':>5}{'km':>9}{'load':>5}{'opt':>5}{'wall s':>8}"
        f"{'g.plc':>7}{'g.prio':>7}{'ratio':>7}{'ref (prio/pref/km/load)':>26}{'flow':>6}{'valid':>6}"
    )
    print(header)
    for r in rows:
        ref = r["reference"]
        ref_text = f"{ref['priority']}/{ref['preferred']}/{ref['distance_km']}/{ref['max_load']}"
        print(
            f"{r['instance']:<14}{r['placed']:>7}{r['priority']:>6}{r['preferred']:>5}{r['distance_km']:>9}"
            f"{r['max_load']:>5}{'yes' if r['proven_optimal'] else 'no':>5}{r['wall_seconds']:>8}"
            f"{r['greedy_placed']:>7}{r['greedy_priority']:>7}{r['ratio_priority']:>7}{ref_text:>26}"
            f"{r['flow_bound']!s:>6}{'yes' if not r['violations'] else 'NO':>6}"
        )


def _scaling(path: Path) -> list[dict[str, Any]]:
    """Time the solver on the first 25 %, 50 % and 100 % of the requests by date, all volunteers."""
    instance = load_instance(path)
    ordered = sorted(instance.requests, key=lambda r: (r.start, r.id))
    print(f"\nscaling on {path.name} (first share of requests by date, all volunteers, limit 20 s):")
    figures = []
    for share in SCALING_SHARES:
        part = replace(instance, requests=tuple(ordered[: round(len(ordered) * share)]))
        figures.append(_time_part(part, share))
        f = figures[-1]
        level_1 = f"{f['level_seconds'][0]:.2f} s" if f["level_proven"][0] else "limit"
        all_done = f"{f['level_seconds'][-1]:.2f} s" if all(f["level_proven"]) else "limit"
        print(
            f"  {share:>5.0%}: {f['requests']:>5} requests  {f['pairs'][0]:>6} pairs ({f['pairs'][1]} kept)"
            f"  model {f['variables']} vars / {f['constraints']} constraints  level 1 proven {level_1}"
            f"  all levels proven {all_done}  wall {f['seconds']} s  objective {f['objective']}"
        )
    return figures


def _time_part(instance: Instance, share: float) -> dict[str, Any]:
    started = time.perf_counter()
    result = solve(instance, SolverConfig(time_limit_s=20.0))
    objective = result.objective
    return {
        "share": share,
        "requests": len(instance.requests),
        "seconds": round(time.perf_counter() - started, 2),
        "level_seconds": [round(s, 2) for s in result.level_seconds],
        "level_proven": list(result.level_proven),
        "pairs": list(result.pairs),
        "variables": result.model_size[0],
        "constraints": result.model_size[1],
        "objective": f"{objective.priority}/{objective.preferred}/{objective.distance_km}/{objective.max_load}",
        "priority": objective.priority,
        "distance_km": objective.distance_km,
        "proven_optimal": result.proven_optimal,
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip state-7 and the scaling run")
    parser.add_argument("--samples", help="directory of sample instances with reference.json")
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
