"""Command line: ``python -m matching solve INSTANCE.json [--time-limit S] [--out FILE] [--method M]``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from matching.parsing import load_instance
from matching.results import result_to_dict
from matching.types import InstanceError, SolverConfig


def main(argv: list[str] | None = None) -> int:
    """Solve one instance file and print or write the result; exit 2 on a malformed file."""
    args = _parser().parse_args(argv)
    try:
        instance = load_instance(args.instance)
    except InstanceError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.method == "greedy":
        from matching.greedy import solve_greedy

        result = solve_greedy(instance)
    else:
        from matching.solver import solve

        config = SolverConfig(time_limit_s=args.time_limit, workers=args.workers, seed=args.seed)
        result = solve(instance, config)
    text = json.dumps(result_to_dict(result), indent=1, ensure_ascii=False)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m matching", description="Sprachmittlerpool matching engine"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    solve = commands.add_parser("solve", help="solve an instance file (sprachmittlerpool-matching/1)")
    solve.add_argument("instance", help="instance JSON file")
    solve.add_argument(
        "--time-limit", type=float, default=SolverConfig.time_limit_s, help="seconds (default 10)"
    )
    solve.add_argument("--workers", type=int, default=SolverConfig.workers, help="CP-SAT workers (default 2)")
    solve.add_argument("--seed", type=int, default=SolverConfig.seed, help="CP-SAT random seed (default 0)")
    solve.add_argument("--method", choices=("cpsat", "greedy"), default="cpsat", help="optimiser or baseline")
    solve.add_argument("--out", help="write the result here instead of printing it")
    return parser


if __name__ == "__main__":
    sys.exit(main())
