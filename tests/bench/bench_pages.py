"""Time every coordinator page on a pool with three years of history: p50 and p99 against issue 16's 300 ms.

Run: ``.venv/bin/python -m tests.bench.bench_pages [--requests N] [--database NAME] [--top N]``.

Drops and recreates the PostgreSQL database ``bench_pages`` on 127.0.0.1:5432, migrates it and seeds the
history of tests/bench/history.py (3,500 completed assignments a year for three years, about 70 volunteers
and 150 institutions). Then it walks the URL map as tests/web/test_words_sweep.py does, fills each GET route
of the coordinators' areas (coordination, payouts, reports, settings, outbox) with real ids of that pool, and
asks each page `--requests` times (after one warm-up) through the Flask test client as a logged-in admin,
one request at a time: the time is the app's and the database's, no network. Before the walk the process
freezes what it has loaded, as a gunicorn worker does (`gunicorn_conf.post_worker_init`). Prints p50/p99 per page sorted
by p99, each beside the 300 ms target, and writes instance/bench/pages.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from flask import Flask
from sqlmodel import col, func, select

from sprachmittlerpool import create_app, gunicorn_conf
from sprachmittlerpool.db import new_session
from sprachmittlerpool.ibans import new_key
from sprachmittlerpool.models import ApiToken, Assignment, InterpretingRequest, Role, User, local_now
from sprachmittlerpool.security import hash_password, new_token, token_hash
from tests.bench import history
from tests.bench.bench_web import recreate_database

ROOT = Path(__file__).resolve().parents[2]
TARGET_MS = 300.0
COORDINATOR_AREAS = ("coordination.", "payouts.", "reports.", "settings.", "devmail.")
EMAIL, PASSWORD = "leitung@bench.example", "ein-langes-bench-passwort"


def main(argv: list[str] | None = None) -> int:
    """Seed, walk, time, print; exit 1 if a page failed."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--database", default="bench_pages")
    parser.add_argument("--top", type=int, default=0, help="print only the N slowest pages (default all)")
    parser.add_argument("--keep", action="store_true", help="reuse the seeded database of an earlier run")
    args = parser.parse_args(argv)
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{args.database}"
    app = _app(url, args.database, keep=args.keep)
    client = app.test_client()
    answer = client.post("/anmelden", data={"email": EMAIL, "password": PASSWORD})
    if answer.status_code != 302:
        raise SystemExit(f"login failed: {answer.status_code}")
    paths = coordinator_paths(app)
    gunicorn_conf.post_worker_init(worker=None)  # as each production worker does once it has loaded the app
    print(f"{len(paths)} Seiten, je {args.requests} Abrufe nach einem Aufwärmabruf …", flush=True)
    results, failed = [], []
    for path in paths:
        status = client.get(path).status_code  # warm-up: template compile, first query plans
        if status >= 500:
            failed.append((path, status))
            continue
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        results.append(_figures(path, status, times))
    results.sort(key=lambda r: -r["p99_ms"])
    _print(results, args.top)
    out = ROOT / "instance" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "pages.json").write_text(
        json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"\nwritten: {out / 'pages.json'}")
    for path, status in failed:
        print(f"FEHLER {status}: {path}")
    return 1 if failed else 0


def _app(url: str, name: str, *, keep: bool) -> Flask:
    """Create (or with keep, reuse) the seeded database and return an app on it with an admin account."""
    if not keep:
        recreate_database(name, url).dispose()
    app = create_app({
        "DATABASE_URL": url, "SCHEDULER": False, "RATELIMIT_ENABLED": False, "SECRET_KEY": "bench-" + new_key(),
        "IBAN_KEY": _iban_key(keep), "INSTANCE_PATH": str(ROOT / "instance" / "bench" / "pages-instance"),
        "WTF_CSRF_ENABLED": False,
    })  # fmt: skip
    with app.app_context():
        if not keep:
            started = time.perf_counter()
            counts = history.seed(now=local_now())
            print(f"Historie angelegt in {time.perf_counter() - started:.1f} s: {counts}", flush=True)
        with new_session(write=True) as session:
            user = session.exec(select(User).where(User.email == EMAIL)).first()
            if user is None:
                session.add(
                    User(
                        pool_id=1,
                        email=EMAIL,
                        name="Bench",
                        role=Role.ADMIN,
                        password_hash=hash_password(PASSWORD),
                    )
                )
                session.commit()
    return app


def _iban_key(keep: bool) -> str:
    """Return the IBAN key the seeded IBANs were encrypted with: a new one per seeding, kept for --keep."""
    path = ROOT / "instance" / "bench" / "pages-iban-key"
    if keep:
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new_key())
    return path.read_text().strip()


def coordinator_paths(app: Flask) -> list[str]:
    """Fill every coordinator GET route with real ids of the seeded pool (the words sweep's walk)."""
    from tests.web.test_words_sweep import get_paths

    with app.app_context(), new_session(write=False) as session:
        by_status: dict[str, InterpretingRequest] = {}
        for row in session.exec(
            select(InterpretingRequest).order_by(col(InterpretingRequest.id).desc()).limit(3000)
        ):
            by_status.setdefault(row.status, row)
        first = session.exec(select(Assignment).order_by(col(Assignment.id))).first()
        latest = session.exec(select(Assignment).order_by(col(Assignment.id).desc())).first()
        user = session.exec(select(User).where(User.email == EMAIL)).one()
        token = session.exec(select(ApiToken)).first()
        if token is None:
            session.add(ApiToken(user_id=user.id, token_hash=token_hash(new_token()), label="Bench"))
            session.commit()
            token = session.exec(select(ApiToken)).one()
        busiest = session.exec(
            select(Assignment.volunteer_id)
            .group_by(Assignment.volunteer_id)
            .order_by(func.count(col(Assignment.id)).desc())
        ).first()
        values: dict[str, list[str]] = {
            "request_id": [str(r.id) for r in by_status.values()],
            "assignment_id": [str(first.id), str(latest.id)],
            "offer_id": [str(latest.offer_id)],
            "volunteer_id": [str(busiest)],
            "institution_id": [str(by_status["completed"].institution_id)],
            "user_id": [str(user.id)],
            "month": [first.start.strftime("%Y-%m"), local_now().strftime("%Y-%m")],
            "ext": ["csv", "xlsx", "pdf"],
            "action": ["verifizieren"],
            "change": ["deaktivieren"],
            "day": [latest.start.date().isoformat()],
            "date": [latest.start.date().isoformat()],
            "year": [str(local_now().year - 1)],
            "token_id": [str(token.id)],
        }
    paths, _unfilled = get_paths(app, values)
    return [p for p in dict.fromkeys(paths) if _endpoint(p, app).startswith(COORDINATOR_AREAS)]


def _endpoint(path: str, app: Flask) -> str:
    adapter = app.url_map.bind("localhost")
    try:
        return adapter.match(path.split("?")[0], method="GET")[0]
    except Exception:  # noqa: BLE001 (a path the map does not take is not a page to time)
        return ""


def _figures(path: str, status: int, times: list[float]) -> dict[str, Any]:
    ordered = sorted(times)
    p99 = ordered[max(0, -(-len(ordered) * 99 // 100) - 1)]
    return {"page": path, "status": status, "n": len(times), "p50_ms": round(statistics.median(ordered), 1),
            "p99_ms": round(p99, 1), "meets_target": p99 <= TARGET_MS}  # fmt: skip


def _print(results: list[dict[str, Any]], top: int) -> None:
    shown = results[:top] if top else results
    print(f"\nKoordinationsseiten, Pool mit drei Jahren Historie (Ziel p99 ≤ {TARGET_MS:.0f} ms)")
    print(f"  {'p50 ms':>8}{'p99 ms':>9}  {'Ziel':<6}{'HTTP':>5}  Seite")
    for r in shown:
        verdict = "ok" if r["meets_target"] else "ÜBER"
        print(f"  {r['p50_ms']:>8.1f}{r['p99_ms']:>9.1f}  {verdict:<6}{r['status']:>5}  {r['page']}")
    over = sum(not r["meets_target"] for r in results)
    print(f"  {len(results)} Seiten, {over} über dem Ziel")


if __name__ == "__main__":
    raise SystemExit(main())
