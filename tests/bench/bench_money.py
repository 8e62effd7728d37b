"""Benchmark the money paths on a large pool's year: booking, one month's list, its exports, the year's figures.

Run: ``.venv/bin/python -m tests.bench.bench_money [--assignments N] [--volunteers N]``. Builds a
temporary SQLite database through the real migrations, fills a year (default: 3,500 completed
assignments of 180 volunteers, two thirds with an IBAN), then times each step; last it adds two earlier
years as full and times the committee's report over all three. Writes instance/bench/money.json.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from schwifty import IBAN
from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from sprachmittlerpool import migrate, reference_data
from sprachmittlerpool.db import make_engine
from sprachmittlerpool.ibans import encrypt_iban, mask_iban, new_key, parse_key
from sprachmittlerpool.models import (
    Assignment,
    Institution,
    InterpretingRequest,
    Language,
    Offer,
    PayoutEntry,
    Volunteer,
)
from sprachmittlerpool.security import token_hash
from sprachmittlerpool.services import payouts, reports
from sprachmittlerpool.tariff import HEINSBERG, allowance, to_cents
from tests.factories import FIRST_POOL
from tests.payouts.helpers import paying_account

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2025
MONTH = f"{YEAR}-10"
SEED = 20250
HISTORY_YEARS = 2  # the years before YEAR the long report covers as well


def main(argv: list[str] | None = None) -> int:
    """Build the year, time every step, print the figures and write instance/bench/money.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assignments", type=int, default=3500)
    parser.add_argument("--volunteers", type=int, default=180)
    args = parser.parse_args(argv)
    key = new_key()
    config = {"IBAN_KEY": key}
    results: dict[str, Any] = {"assignments": args.assignments, "volunteers": args.volunteers, "month": MONTH}
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{Path(directory) / 'bench.sqlite'}")
        print("Lege Datenbank an (Migrationen) …", flush=True)
        migrate.upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            reference_data.load(session, pool_id=FIRST_POOL)
            paying_account(session, key)  # the SEPA file's debtor, as an admin would enter it
            session.commit()
            print(f"Erzeuge {args.volunteers} Sprachmittelnde und {args.assignments} Einsätze …", flush=True)
            results["fill_s"] = _timed(lambda: _fill(session, args.volunteers, args.assignments, key))
            print("Buche Aufwandsentschädigungen …", flush=True)
            results["book_all_s"] = _timed(lambda: _book_all(session))
            results["month_entries"] = len(
                payouts.build_payout_list(session, MONTH, pool_id=FIRST_POOL).lines
            )
            results["build_month_list_s"] = _best(
                lambda: payouts.build_payout_list(session, MONTH, pool_id=FIRST_POOL)
            )
            for fmt in ("csv", "xlsx", "pdf"):
                print(f"Export {fmt} …", flush=True)
                results[f"export_{fmt}_s"] = _best(
                    lambda fmt=fmt: payouts.render_export(session, MONTH, fmt, config, pool_id=FIRST_POOL)
                )
            print("Jahreskennzahlen …", flush=True)
            results["year_report_s"] = _best(
                lambda: reports.build_report(
                    session, date(YEAR, 1, 1), date(YEAR, 12, 31), pool_id=FIRST_POOL
                )
            )
            results["close_month_s"] = _timed(
                lambda: payouts.close_month(session, MONTH, pool_id=FIRST_POOL, user_id=None, actor="bench")
            )
            print("Export sepa (abgeschlossener Monat) …", flush=True)
            results["export_sepa_s"] = _best(
                lambda: payouts.create_sepa_file(session, MONTH, config, pool_id=FIRST_POOL, actor="bench")
            )
            print(f"Zwei Vorjahre ergänzen, Bericht über {HISTORY_YEARS + 1} Jahre …", flush=True)
            _history(session, HISTORY_YEARS, args.assignments)
            results["report_3_years_s"] = _best(
                lambda: reports.build_report(
                    session, date(YEAR - HISTORY_YEARS, 1, 1), date(YEAR, 12, 31), pool_id=FIRST_POOL
                )
            )
        engine.dispose()
    _print(results)
    out = ROOT / "instance" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "money.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten: {out / 'money.json'}")
    return 0


def _timed(step: Callable[[], object]) -> float:
    """Return the seconds one run of ``step`` takes."""
    started = time.perf_counter()
    step()
    return round(time.perf_counter() - started, 4)


def _best(step: Callable[[], object], runs: int = 3) -> float:
    """Return the best of a few runs, which is the least disturbed by the machine."""
    return min(_timed(step) for _ in range(runs))


def _fill(session: Session, volunteer_count: int, assignment_count: int, key: str) -> None:
    """Insert volunteers (two thirds with an encrypted IBAN), institutions and a year of completed assignments."""
    rng = random.Random(SEED)
    raw_key = parse_key(key)
    languages = [
        code for code in session.exec(select(Language.code).where(Language.pool_id == FIRST_POOL)).all()
    ][:30]
    institutions = []
    for i in range(40):
        row = Institution(
            pool_id=FIRST_POOL,
            name=f"Einrichtung {i:02d} Übergangsheim",
            type="kita",
            email=f"e{i}@amt.example",
        )
        session.add(row)
        institutions.append(row)
    volunteers = []
    for i in range(volunteer_count):
        row = Volunteer(
            pool_id=FIRST_POOL,
            name=f"Sprachmittlerin {i:03d} Çelik",
            email=f"v{i}@example.org",
            home_id="heinsberg",
        )
        session.add(row)
        volunteers.append(row)
    session.flush()
    for i, row in enumerate(volunteers):
        if i % 3:
            iban = str(IBAN.generate("DE", bank_code="37040044", account_code=str(100000 + i)))
            row.iban_encrypted = encrypt_iban(iban, key=raw_key, row_id=str(row.id))
            row.iban_masked = mask_iban(iban)
    session.commit()
    _year_of_assignments(session, YEAR, assignment_count, rng, languages, institutions, volunteers)


def _history(session: Session, years: int, assignment_count: int) -> None:
    """Add the ``years`` before YEAR with as many completed and booked assignments each, for the long report."""
    rng = random.Random(SEED + 1)
    languages = list(session.exec(select(Language.code).where(Language.pool_id == FIRST_POOL)).all())[:30]
    institutions = list(session.exec(select(Institution)).all())
    volunteers = list(session.exec(select(Volunteer)).all())
    for year in range(YEAR - years, YEAR):
        _year_of_assignments(session, year, assignment_count, rng, languages, institutions, volunteers)
    _book_all(session)


def _year_of_assignments(
    session: Session,
    year: int,
    assignment_count: int,
    rng: random.Random,
    languages: list[str],
    institutions: list[Institution],
    volunteers: list[Volunteer],
) -> None:
    """Insert a year of requests, accepted offers and completed assignments, ids following the last ones."""
    first_id = (session.exec(select(func.max(InterpretingRequest.id))).one() or 0) + 1
    requests, offers, assignments = [], [], []
    taken: set[tuple[int, datetime]] = set()
    for n in range(assignment_count):
        # Slots four hours apart: no volunteer is ever booked twice at once (the database refuses that).
        while True:
            day = date(year, 1, 1) + timedelta(days=rng.randrange(365))
            start = datetime(day.year, day.month, day.day, rng.choice((8, 12, 16)))
            volunteer = volunteers[rng.randrange(len(volunteers))]
            if (volunteer.id, start) not in taken:
                taken.add((volunteer.id, start))
                break
        minutes = rng.choice((45, 60, 90, 120, 150, 200))
        outcome = rng.choices(("took_place", "late", "no_show", "early"), (90, 4, 4, 2))[0]
        cents = to_cents(allowance(HEINSBERG, outcome=outcome, duration_minutes=minutes))
        end = start + timedelta(minutes=minutes)
        request_id = first_id + n
        requests.append(
            {
                "id": request_id,
                "pool_id": FIRST_POOL,
                "institution_id": institutions[rng.randrange(len(institutions))].id,
                "contact_name": "Frau Schneider",
                "contact_email": "leitung@amt.example",
                "contact_phone": "",
                "language_code": rng.choice(languages),
                "dialect": "",
                "appointment_type": "elterngespraech",
                "topic": "",
                "start": start,
                "end": end,
                "municipality_id": "heinsberg",
                "address": "Apfelstraße 1",
                "status": "completed",
                "reasons": [],
                "decision_note": "",
                "status_token_hash": token_hash(f"bench-{request_id}"),
                "created_at": start - timedelta(days=7),
                "updated_at": end,
            }
        )
        offers.append(
            {
                "id": request_id,
                "pool_id": FIRST_POOL,
                "request_id": request_id,
                "volunteer_id": volunteer.id,
                "status": "accepted",
                "token_hash": token_hash(f"offer-{request_id}"),
                "created_at": start - timedelta(days=6),
                "expires_at": start - timedelta(days=4),
                "decline_reason": "",
            }
        )
        assignments.append(
            {
                "id": request_id,
                "pool_id": FIRST_POOL,
                "request_id": request_id,
                "offer_id": request_id,
                "volunteer_id": volunteer.id,
                "start": start,
                "end": end,
                "status": "completed",
                "outcome": outcome,
                "duration_minutes": minutes,
                "allowance_cents": cents,
                "completed_at": end,
                "completed_by": "bench",
                "calendar_sequence": 0,
                "created_at": start - timedelta(days=6),
            }
        )
    session.execute(insert(InterpretingRequest), requests)
    session.execute(insert(Offer), offers)
    session.execute(insert(Assignment), assignments)
    session.commit()


def _book_all(session: Session) -> None:
    """Book every completed assignment not yet booked through the real service, in one transaction."""
    now = datetime(YEAR + 1, 1, 5)
    booked = select(PayoutEntry.assignment_id)
    for assignment in session.exec(
        select(Assignment).where(col(Assignment.id).not_in(booked)).order_by(Assignment.id)
    ).all():
        payouts.book_allowance(session, assignment, now=now, actor="bench")
    session.commit()


def _print(results: dict[str, Any]) -> None:
    """Print the figures as a small table."""
    print(
        f"\nGeldpfade: {results['assignments']} Einsätze, {results['volunteers']} Sprachmittelnde, Monat {MONTH}"
    )
    for name, value in results.items():
        if name.endswith("_s"):
            print(f"  {name:<22} {value * 1000:>9.1f} ms")
    print(f"  {'lines in month':<22} {results['month_entries']:>9}")


if __name__ == "__main__":
    raise SystemExit(main())
