"""Benchmark the web surface under load: the public intake API against a trivial endpoint.

Run: ``.venv/bin/python -m tests.bench.bench_web [--requests N] [--concurrency N] [--time-cap S]``.

Drops and recreates the PostgreSQL database ``bench_web`` on 127.0.0.1:5432 (trust auth, user
postgres), migrates it and loads the reference data, starts gunicorn with two sync workers on a
free loopback port (scheduler off, rate limits off, fresh keys, mails to a temporary folder),
then sends a bounded load from this process: half the requests to ``POST /api/v1/requests``
(valid Kita parent talks in Ukrainian, a weekday 10:00–11:00 at least three weeks ahead, a
distinct contact e-mail each), half to ``GET /api/v1/languages``, each phase stopped by count
or by its share of the time cap, whichever comes first. It prints throughput and p50/p95/p99
latency of both, their ratio, and checks that the database holds exactly as many requests as
were answered 201. Stops gunicorn and writes instance/bench/web.json. Exit status 1 if the
count check fails or any request failed.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import requests
from sqlalchemy import text
from sqlmodel import Session

from sprachmittlerpool import migrate, reference_data
from sprachmittlerpool.db import make_engine
from sprachmittlerpool.ibans import new_key
from sprachmittlerpool.models import local_now
from tests.factories import FIRST_POOL

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"  # loopback only, by design
PG = "host=127.0.0.1 port=5432 user=postgres"
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 30.0
REQUEST_TIMEOUT_S = 30.0
WARMUP = 16


@dataclass
class Phase:
    """What one endpoint answered: status codes, latencies in seconds and the phase's wall time."""

    name: str
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    stopped_by: str = "count"

    def summary(self) -> dict[str, Any]:
        done = len(self.latencies)
        ordered = sorted(self.latencies)
        return {
            "endpoint": self.name,
            "requests": done,
            "wall_s": round(self.wall_s, 3),
            "stopped_by": self.stopped_by,
            "throughput_rps": round(done / self.wall_s, 1) if self.wall_s else 0.0,
            "p50_ms": _ms(_percentile(ordered, 50)),
            "p95_ms": _ms(_percentile(ordered, 95)),
            "p99_ms": _ms(_percentile(ordered, 99)),
            "max_ms": _ms(ordered[-1] if ordered else 0.0),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "errors": dict(self.errors),
        }


def main(argv: list[str] | None = None) -> int:
    """Set up, serve, load, check, stop; print the figures and write instance/bench/web.json."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=2000, help="total over both endpoints (default 2000)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--time-cap", type=float, default=60.0, help="seconds over both phases (default 60)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", default="bench_web")
    args = parser.parse_args(argv)
    if not 1 <= args.concurrency <= 64 or not 2 <= args.requests <= 100_000 or not 0 < args.time_cap <= 600:
        parser.error("concurrency 1–64, requests 2–100000, time cap up to 600 s")

    url = f"postgresql+psycopg://postgres@{HOST}:5432/{args.database}"
    print(f"Datenbank {args.database} neu anlegen, migrieren, Stammdaten laden …", flush=True)
    _recreate_database(args.database)
    engine = make_engine(url)
    migrate.upgrade(engine)
    with Session(engine) as session:
        reference_data.load(session, pool_id=FIRST_POOL)
        session.commit()

    answered_201 = 0
    with tempfile.TemporaryDirectory(prefix="bench-web-") as directory:
        port = _free_port()
        log_path = Path(directory) / "gunicorn.log"
        server = _start_gunicorn(url, port, args.workers, Path(directory), log_path)
        try:
            base = f"http://{HOST}:{port}"
            _wait_until_up(base, server, log_path)
            print(f"gunicorn ({args.workers} Worker) antwortet auf {base}", flush=True)
            answered_201 += _warm_up(base)
            share = args.time_cap / 2
            per_phase = args.requests // 2
            print(
                f"Last: je {per_phase} Anfragen, {args.concurrency} parallel, höchstens {share:.0f} s je Endpunkt"
            )
            intake = _run_phase(
                "POST /api/v1/requests", base, per_phase, args.concurrency, share, _post_request
            )
            answered_201 += intake.statuses.get(201, 0)
            trivial = _run_phase(
                "GET /api/v1/languages", base, per_phase, args.concurrency, share, _get_languages
            )
        finally:
            stopped = _stop_gunicorn(server)
        log_tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""

    with engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM interpreting_request")).scalar_one()
        mails = connection.execute(text("SELECT count(*) FROM outbox_mail")).scalar_one()
        by_status = dict(
            connection.execute(
                text("SELECT status, count(*) FROM interpreting_request GROUP BY status")
            ).all()
        )
    engine.dispose()

    results = _results(args, intake, trivial, answered_201, stored, mails, by_status, stopped)
    _print(results)
    out = ROOT / "instance" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "web.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten: {out / 'web.json'}")
    failed = sum(p.summary()["requests"] - p.statuses.get(ok, 0) for p, ok in ((intake, 201), (trivial, 200)))
    if failed or stored != answered_201 or not stopped:
        if log_tail:
            print("\ngunicorn log (tail):\n" + log_tail, file=sys.stderr)
        return 1
    return 0


def _recreate_database(name: str) -> None:
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"unusable database name {name!r}")
    with psycopg.connect(f"{PG} dbname=postgres", autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _start_gunicorn(url: str, port: int, workers: int, directory: Path, log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "SPRACHMITTLERPOOL_DATABASE_URL": url,
        "SPRACHMITTLERPOOL_SCHEDULER": "false",
        "SPRACHMITTLERPOOL_SECRET_KEY": "bench-" + new_key(),  # fresh, so instance/ keys stay untouched
        "SPRACHMITTLERPOOL_IBAN_KEY": new_key(),
        "SPRACHMITTLERPOOL_MAIL_DIR": str(directory / "mail"),
        "SPRACHMITTLERPOOL_RATELIMIT_ENABLED": "false",  # Flask-Limiter's switch; measure the app, not the limiter
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn),
        "-w",
        str(workers),
        "-b",
        f"{HOST}:{port}",
        "--graceful-timeout",
        "10",
        "sprachmittlerpool:create_app()",
    ]
    log = log_path.open("wb")
    try:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    finally:
        log.close()  # the child holds its own descriptor


def _wait_until_up(base: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                f"gunicorn ended with {server.returncode}:\n{log_path.read_text(errors='replace')}"
            )
        try:
            if requests.get(f"{base}/api/v1/languages", timeout=10).status_code == 200:
                return
        except requests.RequestException:  # not bound yet, or the workers are still importing the app
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within {START_TIMEOUT_S:.0f} s")


def _stop_gunicorn(server: subprocess.Popen) -> bool:
    """Ask gunicorn to finish gracefully (SIGTERM); kill only if it does not within the timeout."""
    if server.poll() is not None:
        return False
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=STOP_TIMEOUT_S)
        return True
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=5)
        return False


_counter = iter(range(10**9))
_counter_lock = threading.Lock()


def _next_number() -> int:
    with _counter_lock:
        return next(_counter)


def _body(number: int) -> dict[str, Any]:
    """A request the rules accept: Kita parent talk in Ukrainian, weekday 10–11, 3 to 8 weeks ahead."""
    base = local_now().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(weeks=3)
    monday = base + timedelta(days=(7 - base.weekday()) % 7)
    start = monday + timedelta(weeks=number % 6, days=number % 5)
    end = start + timedelta(hours=1)
    return {
        "institution_name": f"Städtische Kita Regenbogen {number % 40}",
        "institution_type": "kita",
        "contact_name": "Frau Schneider",
        "contact_email": f"leitung-{number}@kita-bench.example",
        "contact_phone": "02452 123456",
        "language": "uk",
        "dialect": "",
        "appointment_type": "elterngespraech",
        "topic": "Entwicklungsgespräch zum Übergang in die Schule",
        "start": f"{start:%Y-%m-%dT%H:%M}",
        "end": f"{end:%Y-%m-%dT%H:%M}",
        "municipality": "heinsberg",
        "address": "Apfelstraße 1",
        "persons": 2,
        "gender_required": None,
    }


def _post_request(session: requests.Session, base: str) -> requests.Response:
    return session.post(f"{base}/api/v1/requests", json=_body(_next_number()), timeout=REQUEST_TIMEOUT_S)


def _get_languages(session: requests.Session, base: str) -> requests.Response:
    return session.get(f"{base}/api/v1/languages", timeout=REQUEST_TIMEOUT_S)


def _warm_up(base: str) -> int:
    """Open each worker's database pool and import paths; return how many intake posts were stored (201)."""
    created = 0
    with requests.Session() as session:
        for _ in range(WARMUP):
            _get_languages(session, base)
            created += _post_request(session, base).status_code == 201
    return created


Call = Callable[[requests.Session, str], requests.Response]


def _run_phase(name: str, base: str, total: int, concurrency: int, cap_s: float, call: Call) -> Phase:
    """Send `total` requests from `concurrency` threads, each with its own session, until done or cap_s."""
    phase = Phase(name)
    lock = threading.Lock()
    issued = 0
    started = time.perf_counter()
    deadline = started + cap_s

    def worker() -> None:
        nonlocal issued
        with requests.Session() as session:
            while True:
                with lock:
                    if issued >= total:
                        return
                    if time.perf_counter() >= deadline:
                        phase.stopped_by = "time cap"
                        return
                    issued += 1
                t0 = time.perf_counter()
                try:
                    status = call(session, base).status_code
                    error = None
                except requests.RequestException as exc:
                    status, error = None, type(exc).__name__
                elapsed = time.perf_counter() - t0
                with lock:
                    phase.latencies.append(elapsed)
                    if status is None:
                        phase.errors[error or "error"] += 1
                    else:
                        phase.statuses[status] += 1

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    phase.wall_s = time.perf_counter() - started
    return phase


def _percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _results(
    args: argparse.Namespace,
    intake: Phase,
    trivial: Phase,
    answered_201: int,
    stored: int,
    mails: int,
    by_status: dict[str, int],
    stopped: bool,
) -> dict[str, Any]:
    a, b = intake.summary(), trivial.summary()
    return {
        "setup": {
            "server": f"gunicorn -w {args.workers} (sync) on {HOST}",
            "database": f"PostgreSQL {args.database}",
            "concurrency": args.concurrency,
            "requests_per_endpoint": args.requests // 2,
            "time_cap_s": args.time_cap,
            "warmup_per_endpoint": WARMUP,
            "rate_limits": "disabled (RATELIMIT_ENABLED=false)",
            "cpus": os.cpu_count(),
        },
        "intake": a,
        "trivial": b,
        "ratio": {
            "throughput_trivial_over_intake": round(b["throughput_rps"] / a["throughput_rps"], 2)
            if a["throughput_rps"]
            else None,
            "p50_intake_over_trivial": round(a["p50_ms"] / b["p50_ms"], 2) if b["p50_ms"] else None,
        },
        "check": {
            "answered_201": answered_201,
            "stored_requests": stored,
            "stored_by_status": by_status,
            "queued_mails": mails,
            "requests_match": stored == answered_201,
        },
        "gunicorn_stopped_cleanly": stopped,
    }


def _print(results: dict[str, Any]) -> None:
    setup = results["setup"]
    print(
        f"\nWeb: {setup['server']}, {setup['database']}, {setup['concurrency']} parallel, {setup['cpus']} CPUs"
    )
    print(f"  {'endpoint':<24}{'n':>6}{'s':>7}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  status")
    for key in ("intake", "trivial"):
        r = results[key]
        statuses = ", ".join(f"{k}×{v}" for k, v in r["statuses"].items())
        errors = ", ".join(f"{k}×{v}" for k, v in r["errors"].items())
        print(
            f"  {r['endpoint']:<24}{r['requests']:>6}{r['wall_s']:>7.1f}{r['throughput_rps']:>9.1f}"
            f"{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r['p99_ms']:>9.1f}  {statuses}"
            + (f"; errors {errors}" if errors else "")
            + (" (stopped by time cap)" if r["stopped_by"] != "count" else "")
        )
    ratio = results["ratio"]
    print(
        f"  ratio: throughput trivial ÷ intake = {ratio['throughput_trivial_over_intake']}, "
        f"p50 intake ÷ trivial = {ratio['p50_intake_over_trivial']}"
    )
    check = results["check"]
    verdict = "OK" if check["requests_match"] else "MISMATCH"
    print(
        f"  check: {check['answered_201']} answered 201, {check['stored_requests']} stored "
        f"{check['stored_by_status']} → {verdict}; {check['queued_mails']} mails queued in the outbox"
    )
    print(f"  gunicorn stopped cleanly: {results['gunicorn_stopped_cleanly']}")


if __name__ == "__main__":
    raise SystemExit(main())
