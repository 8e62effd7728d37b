"""Benchmark the web surface under load: the intake API against a trivial endpoint, load from wrk.

Run: ``.venv/bin/python -m tests.bench.bench_web [--duration S] [--rounds N] [--connections N] [--workers N]``.

Issue 16 asks for the intake's throughput under gunicorn on PostgreSQL to be at least half of a
trivial endpoint's in the same run, with a load generator that is not itself the bottleneck. Python
threads on the same two cores were (they spent more CPU than the server), so the load comes from
``wrk`` (C, one thread, Debian: ``apt-get install wrk``); without it this bench says so and skips.

Drops and recreates the PostgreSQL database ``bench_web`` on 127.0.0.1:5432 (trust auth, user
postgres), migrates it, seeds the pool the pages bench measures (tests/bench/history.py: the demo pool
with three years of history, about 10,500 requests and 150 institutions, its planner statistics taken)
and makes an account with an API token, starts gunicorn with the shipped settings (``-c python:sprachmittlerpool.gunicorn_conf``) and two sync
workers on a free loopback port (scheduler off, rate limits off, fresh keys, mails to a temporary
folder, BASE_URL its own address), then runs wrk by turns in rounds (the machine's speed drifts)
against ``GET /api/v1/languages`` (the trivial endpoint: one small query) and against ``POST /api/v1/requests`` (a Lua script sends valid, distinct requests:
parent talks in Ukrainian on weekdays 10–11 three to eight weeks ahead, each with its own
Idempotency-Key, with the token; nine in ten from the pool's own institutions as stored, one in ten from an
institution that has not sent before; Kitas and schools, whose parent talks the rules let through). It prints req/s and latency percentiles of both, the
ratio beside the target, the CPU a request of each costs the web workers and PostgreSQL (read from /proc:
steadier than throughput on a machine whose speed drifts), and checks the requests stored during the run
against the 201 answers.

Why history: a pool at work has it, and PostgreSQL plans by it. On an empty database the first plans
(kept per connection for its life, the foreign-key checks' too) scan whole tables, which costs nothing
with ten rows and more with each request the load adds; where autovacuum is off (this machine kind) no
new statistics ever replace them. The run then measured a database no district has. Writes
instance/bench/web.json. Exit status 1 if any request failed or the counts disagree.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import requests
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from sprachmittlerpool import create_app, migrate, security
from sprachmittlerpool.db import make_engine
from sprachmittlerpool.ibans import new_key
from sprachmittlerpool.models import ApiToken, Role, User, local_now
from tests.bench import history
from tests.factories import FIRST_POOL

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"  # loopback only, by design
PG = "host=127.0.0.1 port=5432 user=postgres"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
WARMUP = 16
TARGET_RATIO = 0.5  # issue 16: intake req/s at least half the trivial endpoint's
SLOTS = 30  # distinct appointment times: 6 weeks × 5 weekdays
# One request in this many comes from an institution that has not sent before; the others from the pool's
# own (a district's Kitas, schools and offices send again and again: Heinsberg's 1,052 assignments of 2023
# came from a few hundred). Every request a new sender grew the institutions seventyfold within a run.
NEW_SENDER_EVERY = 10


def main(argv: list[str] | None = None) -> int:
    """Set up, serve, load with wrk, check, stop; print the figures and write instance/bench/web.json."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--duration", type=int, default=30, help="seconds of load per endpoint over all rounds (default 30)"
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--new-sender-every", type=int, default=NEW_SENDER_EVERY,
        help=f"one request in this many from a new institution (default {NEW_SENDER_EVERY}; 1: every one)",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", default="bench_web")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternate trivial and intake this often (default 3)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.connections <= 64 or not 1 <= args.duration <= 300 or not 1 <= args.rounds <= 10:
        parser.error("connections 1–64, duration 1–300 s, rounds 1–10")
    if args.new_sender_every < 1:
        parser.error("--new-sender-every is at least 1")
    wrk = shutil.which("wrk")
    if wrk is None:
        print("Web-Last übersprungen: wrk fehlt (Debian: apt-get install wrk).")
        return 0

    url = f"postgresql+psycopg://postgres@{HOST}:5432/{args.database}"
    with tempfile.TemporaryDirectory(prefix="bench-web-") as directory:
        folder = Path(directory)
        keys = {"SECRET_KEY": "bench-" + new_key(), "IBAN_KEY": new_key()}  # fresh: instance/ stays untouched
        print(
            f"Datenbank {args.database} neu anlegen, migrieren, Pool mit drei Jahren Historie anlegen …",
            flush=True,
        )
        token = _prepare_database(args.database, url, keys, folder)
        before = _stored(url)
        port = _free_port()
        log_path = folder / "gunicorn.log"
        server = _start_gunicorn(url, port, args.workers, folder, log_path, keys)
        try:
            base = f"http://{HOST}:{port}"
            _wait_until_up(base, server, log_path)
            print(f"gunicorn ({args.workers} Worker) antwortet auf {base}", flush=True)
            warm_201 = _warm_up(base, token)
            print(
                f"wrk: {args.connections} Verbindungen, {args.duration} s je Endpunkt "
                f"in {args.rounds} Runden abwechselnd",
                flush=True,
            )
            trivial, intake = _alternate(wrk, base, token, args, folder, server.pid)
        finally:
            stopped = _stop_gunicorn(server)
        log_tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""

    after = _stored(url)
    results = _results(args, intake, trivial, warm_201, _difference(after, before), stopped)
    _print(results)
    out = ROOT / "instance" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "web.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten: {out / 'web.json'}")
    if results["failed"] or not results["check"]["requests_match"] or not stopped:
        if log_tail:
            print("\ngunicorn log (tail):\n" + log_tail, file=sys.stderr)
        return 1
    return 0


def recreate_database(name: str, url: str) -> Engine:
    """Drop and create the bench's own PostgreSQL database and migrate it; return an engine on it."""
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"unusable database name {name!r}")
    with psycopg.connect(f"{PG} dbname=postgres", autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    engine = make_engine(url)
    migrate.upgrade(engine)
    return engine


def _prepare_database(name: str, url: str, keys: dict[str, str], folder: Path) -> str:
    """Recreate the database, seed the pool with its history; return a new API token's plain text."""
    recreate_database(name, url).dispose()
    app = create_app({
        "DATABASE_URL": url, "SCHEDULER": False, "RATELIMIT_ENABLED": False, "INSTANCE_PATH": str(folder), **keys,
    })  # fmt: skip
    with app.app_context():
        started = time.perf_counter()
        counts = history.seed(now=local_now())
        print(f"Historie angelegt in {time.perf_counter() - started:.1f} s: {counts}", flush=True)
    plain = security.new_token()
    engine = make_engine(url)
    with Session(engine) as session:
        user = User(
            pool_id=FIRST_POOL, email="schulverwaltung@bench.example", role=Role.COORDINATOR,
            password_hash=security.hash_password(security.new_token()),
        )  # fmt: skip
        session.add(user)
        session.flush()
        session.add(ApiToken(user_id=user.id, token_hash=security.token_hash(plain), label="Bench"))
        session.commit()
    engine.dispose()
    return plain


def _slots() -> list[tuple[str, str]]:
    """Weekday appointments 10–11, three to eight weeks ahead: what the rules accept without review."""
    base = local_now().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(weeks=3)
    monday = base + timedelta(days=(7 - base.weekday()) % 7)
    starts = [monday + timedelta(weeks=n // 5, days=n % 5) for n in range(SLOTS)]
    return [(f"{s:%Y-%m-%dT%H:%M}", f"{s + timedelta(hours=1):%Y-%m-%dT%H:%M}") for s in starts]


def _body_template() -> str:
    """The intake body as JSON with the sender (__NAME__, __TYPE__, __EMAIL__) and the slot (__START__,
    __END__) for the Lua script to fill."""
    return json.dumps(
        {
            "institution_name": "__NAME__",
            "institution_type": "__TYPE__",
            "contact_name": "Frau Schneider",
            "contact_email": "__EMAIL__",
            "contact_phone": "02452 123456",
            "language": "uk",
            "dialect": "",
            "appointment_type": "elterngespraech",
            "topic": "Entwicklungsgespräch zum Übergang in die Schule",
            "start": "__START__",
            "end": "__END__",
            "municipality": "heinsberg",
            "address": "Apfelstraße 1",
            "persons": 2,
            "gender_required": None,
        },
        ensure_ascii=False,
    )


LUA = r"""
-- wrk script: GET as given, or POST distinct intake requests; counts statuses per thread.
local threads = {}
local slots = {__SLOTS__}
local senders = {__SENDERS__}
local template = [==[__TEMPLATE__]==]
local counter = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_no", #threads)
end

function init(args)
  method = args[1] or "GET"
  statuses = {}
  prefix = "__RUN__-" .. thread_no
end

function request()
  if method ~= "POST" then
    return wrk.format(nil, nil)
  end
  counter = counter + 1
  local n = prefix .. "-" .. counter
  local slot = slots[(counter % #slots) + 1]
  local name, kind, email
  if counter % __NEW_EVERY__ == 0 or #senders == 0 then  -- an institution that has not sent before
    name, kind, email = "Kita Neubeginn " .. n, "kita", "leitung-" .. n .. "@kita-bench.example"
  else
    local sender = senders[(counter % #senders) + 1]
    name, kind, email = sender[1], sender[2], sender[3]
  end
  local body = template:gsub("__NAME__", function() return name end)
  body = body:gsub("__TYPE__", function() return kind end):gsub("__EMAIL__", function() return email end)
  body = body:gsub("__START__", slot[1]):gsub("__END__", slot[2])
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer __TOKEN__",
    ["Idempotency-Key"] = n,
  }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  io.write("BENCH-STATUSES")
  for status, count in pairs(total) do io.write(" " .. status .. "=" .. count) end
  io.write("\n")
  io.write(string.format("BENCH-LATENCY-US p50=%d p90=%d p99=%d max=%d\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def _lua_script(token: str, *, run: str, senders: list[tuple[str, str, str]], new_every: int) -> str:
    slots = ", ".join(f'{{"{start}", "{end}"}}' for start, end in _slots())
    in_json = [
        ", ".join(f"[==[{json.dumps(value, ensure_ascii=False)[1:-1]}]==]" for value in s) for s in senders
    ]
    return (
        LUA.replace("__SLOTS__", slots)
        .replace("__SENDERS__", ", ".join(f"{{{sender}}}" for sender in in_json))
        .replace("__NEW_EVERY__", str(new_every))
        .replace("__TEMPLATE__", _body_template())
        .replace("__TOKEN__", token)
        .replace("__RUN__", run)
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _start_gunicorn(
    url: str, port: int, workers: int, directory: Path, log_path: Path, keys: dict[str, str]
) -> subprocess.Popen:
    env = {
        **os.environ,
        "SPRACHMITTLERPOOL_DATABASE_URL": url,
        "SPRACHMITTLERPOOL_SCHEDULER": "false",
        **{f"SPRACHMITTLERPOOL_{name}": value for name, value in keys.items()},
        "SPRACHMITTLERPOOL_MAIL_DIR": str(directory / "mail"),
        "SPRACHMITTLERPOOL_RATELIMIT_ENABLED": "false",  # Flask-Limiter's switch; measure the app, not the limiter
        "SPRACHMITTLERPOOL_BASE_URL": f"http://{HOST}:{port}",  # as in production: the pool's own address
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn), "-c", "python:sprachmittlerpool.gunicorn_conf", "-w", str(workers),
        "-b", f"{HOST}:{port}", "--graceful-timeout", "10", "sprachmittlerpool:create_app()",
    ]  # fmt: skip
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


def _warm_up(base: str, token: str) -> int:
    """Open each worker's database pool and import paths; return how many intake posts were stored (201)."""
    created = 0
    body = _body_template()
    start, end = _slots()[0]
    with requests.Session() as session:
        for n in range(WARMUP):
            session.get(f"{base}/api/v1/languages", timeout=30)
            filled = body.replace("__NAME__", "Kita Aufwärmen").replace("__TYPE__", "kita")
            filled = filled.replace("__EMAIL__", f"warm-{n}@kita-bench.example")
            filled = filled.replace("__START__", start).replace("__END__", end)
            answer = session.post(
                f"{base}/api/v1/requests", data=filled.encode(), timeout=30,
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}",
                         "Idempotency-Key": f"warm-{n}"},
            )  # fmt: skip
            created += answer.status_code == 201
    return created


def _alternate(
    wrk: str, base: str, token: str, args: argparse.Namespace, folder: Path, server_pid: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Load trivial and intake by turns, `--rounds` times, and add the rounds up per endpoint.

    The machine's speed drifts (other guests on the host); measured one after the other, the two
    endpoints saw different machines. By turns, each round's ratio is shown and the sums compare like
    with like.
    """
    seconds = max(1, round(args.duration / args.rounds))
    senders = _senders(f"postgresql+psycopg://postgres@{HOST}:5432/{args.database}")
    rounds: dict[str, list[dict[str, Any]]] = {"trivial": [], "intake": []}
    for number in range(args.rounds):
        script = folder / f"load-{number}.lua"  # its own keys: a key of an earlier round would be a repeat
        script.write_text(
            _lua_script(
                token,
                run=f"{os.getpid()}-{int(time.time())}-{number}",
                senders=senders,
                new_every=args.new_sender_every,
            ),
            encoding="utf-8",
        )
        for key, name, path, method in (
            ("trivial", "GET /api/v1/languages", "/api/v1/languages", "GET"),
            ("intake", "POST /api/v1/requests", "/api/v1/requests", "POST"),
        ):
            before = _cpu_ms(server_pid, args.database)
            one = _run_wrk(wrk, name, base + path, args, script, method, seconds)
            one["cpu_ms"] = _spent(before, _cpu_ms(server_pid, args.database))
            rounds[key].append(one)
        ratio = rounds["intake"][-1]["throughput_rps"] / max(rounds["trivial"][-1]["throughput_rps"], 0.1)
        print(
            f"  Runde {number + 1}: {rounds['trivial'][-1]['throughput_rps']:.0f} / "
            f"{rounds['intake'][-1]['throughput_rps']:.0f} req/s, Verhältnis {ratio:.2f}",
            flush=True,
        )
    return _merged(rounds["trivial"]), _merged(rounds["intake"])


def _merged(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One endpoint's rounds as one: counts and time summed, latency percentiles the worst round's."""
    statuses: dict[str, int] = {}
    for one in rounds:
        for status, count in one["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    total_s = sum(one["seconds"] for one in rounds)
    requests_done = sum(one["requests"] for one in rounds)
    return {
        "endpoint": rounds[0]["endpoint"],
        "requests": requests_done,
        "seconds": round(total_s, 2),
        "throughput_rps": round(requests_done / total_s, 1) if total_s else 0.0,
        **{key: max(one[key] for one in rounds) for key in ("p50_ms", "p90_ms", "p99_ms", "max_ms")},
        "statuses": dict(sorted(statuses.items())),
        "socket_errors": "; ".join(one["socket_errors"] for one in rounds if one["socket_errors"]),
        "rounds_rps": [one["throughput_rps"] for one in rounds],
        "cpu_ms_per_request": {
            side: round(sum(one["cpu_ms"][side] for one in rounds) / max(requests_done, 1), 2)
            for side in ("web", "database")
        },
    }


def _cpu_ms(server_pid: int, database: str) -> dict[str, dict[int, float]]:
    """CPU time (user and system, ms) so far of each gunicorn worker and each PostgreSQL backend of the run.

    Throughput alone drifts with the machine; the CPU a request costs each side drifts less, and shows
    where it goes (the web worker's Python or the database).
    """
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[str, dict[int, float]] = {"web": {}, "database": {}}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # ended meanwhile
            continue
        side = "web" if int(fields[1]) == server_pid else "database" if f" {database} " in command else None
        if side is not None:
            found[side][int(entry.name)] = (int(fields[11]) + int(fields[12])) * 1000 / tick
    return found


def _spent(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    """CPU ms each side spent between two readings (a process new in the second counts from nothing)."""
    return {
        side: sum(ms - before[side].get(pid, 0.0) for pid, ms in after[side].items())
        for side in ("web", "database")
    }


def _run_wrk(
    wrk: str, name: str, url: str, args: argparse.Namespace, script: Path, method: str, seconds: int
) -> dict:
    """Run wrk (one thread: the server needs the cores) and read its summary and the script's lines."""
    command = [
        wrk, "-t1", f"-c{args.connections}", f"-d{seconds}s", "--timeout", "30s", "-s", str(script),
        url, "--", method,
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)  # noqa: S603
    return _parse_wrk(name, completed.stdout + completed.stderr)


def _parse_wrk(name: str, output: str) -> dict[str, Any]:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    done = re.search(r"(\d+) requests in ([\d.]+)(m?s)", output)
    statuses = re.search(r"BENCH-STATUSES(.*)", output)
    latency = re.search(r"BENCH-LATENCY-US p50=(\d+) p90=(\d+) p99=(\d+) max=(\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    if not (rps and done and statuses and latency):
        raise SystemExit(f"wrk output not understood:\n{output}")
    counted = dict(pair.split("=") for pair in statuses.group(1).split())
    p50, p90, p99, top = (int(v) / 1000 for v in latency.groups())
    elapsed = float(done.group(2)) / (1000 if done.group(3) == "ms" else 1)
    return {
        "endpoint": name,
        "requests": int(done.group(1)),
        "seconds": elapsed,
        "throughput_rps": round(float(rps.group(1)), 1),
        "p50_ms": round(p50, 1), "p90_ms": round(p90, 1), "p99_ms": round(p99, 1), "max_ms": round(top, 1),
        "statuses": {k: int(v) for k, v in sorted(counted.items())},
        "socket_errors": errors.group(1).strip() if errors else "",
    }  # fmt: skip


def _senders(url: str) -> list[tuple[str, str, str]]:
    """The pool's Kitas and schools that may send (not blocked): name, type and e-mail as stored.

    A parent talk from them is what the rules let through at once, as from the load's new senders.
    """
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT name, type, email FROM institution WHERE pool_id = :pool AND blocked_at IS NULL"
                " AND type IN ('kita', 'schule') ORDER BY id"
            ),
            {"pool": FIRST_POOL},
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


@dataclass(frozen=True)
class Stored:
    """What the database holds: requests (in all and by status) and mails in the outbox."""

    requests: int
    by_status: dict[str, int]
    mails: int


def _stored(url: str) -> Stored:
    engine = make_engine(url)
    with engine.connect() as connection:
        requests_stored = connection.execute(text("SELECT count(*) FROM interpreting_request")).scalar_one()
        mails = connection.execute(text("SELECT count(*) FROM outbox_mail")).scalar_one()
        rows = connection.execute(text("SELECT status, count(*) FROM interpreting_request GROUP BY status"))
        by_status = {status: count for status, count in rows}
    engine.dispose()
    return Stored(requests_stored, by_status, mails)


def _difference(after: Stored, before: Stored) -> Stored:
    """What the run added to the seeded history."""
    by_status = {
        status: count - before.by_status.get(status, 0)
        for status, count in after.by_status.items()
        if count != before.by_status.get(status, 0)
    }
    return Stored(after.requests - before.requests, by_status, after.mails - before.mails)


def _results(
    args: argparse.Namespace, intake: dict, trivial: dict, warm_201: int, added: Stored, stopped: bool
) -> dict[str, Any]:
    """Put the figures together; wrk stops with up to one request per connection in flight, unanswered."""
    answered_201 = warm_201 + intake["statuses"].get("201", 0)
    ratio = (
        round(intake["throughput_rps"] / trivial["throughput_rps"], 2) if trivial["throughput_rps"] else 0.0
    )
    failed = sum(n for k, n in intake["statuses"].items() if k != "201")
    failed += sum(n for k, n in trivial["statuses"].items() if k != "200")
    return {
        "setup": {
            "server": f"gunicorn -c python:sprachmittlerpool.gunicorn_conf -w {args.workers} (sync) on {HOST}",
            "database": f"PostgreSQL {args.database}, pool with three years of history (tests/bench/history.py)",
            "load": f"wrk -t1 -c{args.connections}, {args.duration} s per endpoint in {args.rounds} rounds by turns, "
            f"one intake in {args.new_sender_every} from a new institution",
            "rate_limits": "disabled (RATELIMIT_ENABLED=false)",
            "cpus": os.cpu_count(),
        },
        "intake": intake,
        "trivial": trivial,
        "ratio_intake_over_trivial": ratio,
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio >= TARGET_RATIO,
        "failed": failed,
        "check": {
            "answered_201": answered_201,
            "stored_requests": added.requests,
            "stored_by_status": added.by_status,
            "queued_mails": added.mails,
            # wrk stops each round with up to one request per connection in flight, stored but unanswered
            "requests_match": answered_201 <= added.requests <= answered_201 + args.rounds * args.connections,
        },
        "gunicorn_stopped_cleanly": stopped,
    }


def _print(results: dict[str, Any]) -> None:
    setup = results["setup"]
    print(f"\nWeb: {setup['server']}, {setup['database']}, load {setup['load']}, {setup['cpus']} CPUs")
    print(f"  {'endpoint':<24}{'n':>7}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}  status")
    for key in ("trivial", "intake"):
        r = results[key]
        statuses = ", ".join(f"{k}×{v}" for k, v in r["statuses"].items())
        print(
            f"  {r['endpoint']:<24}{r['requests']:>7}{r['throughput_rps']:>9.1f}"
            f"{r['p50_ms']:>9.1f}{r['p90_ms']:>9.1f}{r['p99_ms']:>9.1f}  {statuses}"
            + (f"; socket errors {r['socket_errors']}" if r["socket_errors"] else "")
        )
    rounds = ", ".join(
        f"{i / t:.2f}"
        for i, t in zip(results["intake"]["rounds_rps"], results["trivial"]["rounds_rps"], strict=True)
        if t
    )
    print(f"  ratio per round: {rounds}")
    for key in ("trivial", "intake"):
        cpu = results[key]["cpu_ms_per_request"]
        print(f"  CPU per request, {results[key]['endpoint']}: web workers {cpu['web']:.2f} ms, "
              f"PostgreSQL {cpu['database']:.2f} ms")  # fmt: skip
    verdict = "erreicht" if results["meets_target"] else "VERFEHLT"
    print(
        f"  intake ÷ trivial = {results['ratio_intake_over_trivial']:.2f} "
        f"(target ≥ {results['target_ratio']}: {verdict})"
    )
    check = results["check"]
    print(
        f"  check: {check['answered_201']} answered 201, {check['stored_requests']} stored "
        f"{check['stored_by_status']} → {'OK' if check['requests_match'] else 'MISMATCH'}; "
        f"{check['queued_mails']} mails queued in the outbox"
    )
    print(f"  gunicorn stopped cleanly: {results['gunicorn_stopped_cleanly']}")


if __name__ == "__main__":
    raise SystemExit(main())
