"""A pool with three years of history, seeded in seconds: the size issue 16 measures coordinator pages on.

The demo pool (sprachmittlerpool/demo.py: about 70 volunteers over 30 languages, its institutions, tariff,
identity and a month of work) is the base; on top come 120 more institutions (about 150 in all) and, for each
weekday of the past `years` years, requests enough for `per_year` completed assignments a year (with offers,
some declined, and about one in eight requests rejected, unfilled or cancelled), written with bulk inserts,
booked into payout months, and every month of it closed as a pool would. Seeded by `seed`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlmodel import Session, select

from sprachmittlerpool import demo
from sprachmittlerpool.db import write_session
from sprachmittlerpool.models import (
    Assignment,
    Institution,
    InterpretingRequest,
    Offer,
    PayoutEntry,
    PayoutMonth,
    Volunteer,
    VolunteerLanguage,
)
from sprachmittlerpool.pools import first_pool_id
from sprachmittlerpool.security import new_token, token_hash
from sprachmittlerpool.tariff import HEINSBERG, allowance

SEED = 16
EXTRA_INSTITUTIONS = 120
KINDS = ("kita", "schule", "beratungsstelle", "behoerde", "sonstige_oeffentliche_stelle")
POLICE = [{"rule": "legal.police", "effect": "reject", "triggers": [], "message": "Polizeitermine nicht."}]


def seed(*, now: datetime, years: int = 3, per_year: int = 3500) -> dict[str, int]:
    """Seed the demo pool, then its history; return how many rows of each kind were written."""
    demo.seed(months=1, now=now)
    rng = random.Random(SEED)
    with write_session() as session:
        pool_id = first_pool_id(session)
        institutions = _more_institutions(session, pool_id)
        speakers = _speakers(session, pool_id)
        counts = _history(
            session, rng, pool_id, institutions, speakers, now=now, years=years, per_year=per_year
        )
    counts["months_closed"] = _close_months(pool_id, now)
    with write_session() as session:
        # A pool that grew over years has its planner statistics; bulk-loaded tables have none until autovacuum
        # comes round, and a plan made for two rows took seconds on eleven thousand.
        session.execute(text("ANALYZE"))
    return counts


def _more_institutions(session: Session, pool_id: int) -> list[int]:
    rows = [
        {"pool_id": pool_id, "name": f"Einrichtung {n:03d}", "type": KINDS[n % len(KINDS)],
         "email": f"kontakt{n}@historie.example"}
        for n in range(EXTRA_INSTITUTIONS)
    ]  # fmt: skip
    session.execute(insert(Institution), rows)
    return list(session.exec(select(Institution.id).where(Institution.pool_id == pool_id)).all())  # type: ignore[arg-type]


def _speakers(session: Session, pool_id: int) -> dict[str, list[tuple[int, str]]]:
    """Return, by language, the volunteers who speak it with their home town."""
    homes = dict(
        session.exec(select(Volunteer.id, Volunteer.home_id).where(Volunteer.pool_id == pool_id)).all()
    )
    result: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for link in session.exec(select(VolunteerLanguage).where(VolunteerLanguage.pool_id == pool_id)).all():
        result[link.language_code].append((link.volunteer_id, homes[link.volunteer_id]))
    return result


def _history(
    session: Session, rng: random.Random, pool_id: int, institutions: list[int],
    speakers: dict[str, list[tuple[int, str]]], *, now: datetime, years: int, per_year: int,
) -> dict[str, int]:  # fmt: skip
    """Write the requests, offers, assignments and payout entries of every past weekday."""
    languages = [code for code in demo.LANGUAGE_WEIGHTS if speakers.get(code)]
    weights = [demo.LANGUAGE_WEIGHTS[code] for code in languages]
    first = now.date() - timedelta(days=365 * years)
    per_day = per_year / 261  # weekdays in a year
    busy: dict[tuple[int, date], list[tuple[datetime, datetime]]] = defaultdict(list)
    requests, offers, assignments = [], [], []
    day, carry = first, 0.0
    demo_start = (now.date().replace(day=1) - timedelta(days=31)).replace(
        day=1
    )  # demo.seed(months=1) from here
    while day < demo_start:
        if day.weekday() < 5:
            carry += per_day * 8 / 7  # one in eight requests is not served
            while carry >= 1:
                carry -= 1
                _one(
                    rng,
                    pool_id,
                    day,
                    institutions,
                    speakers,
                    languages,
                    weights,
                    busy,
                    requests,
                    offers,
                    assignments,
                )
        day += timedelta(days=1)
    ids = _insert(session, InterpretingRequest, requests)
    for offer in offers:
        offer["request_id"] = ids[offer.pop("request_index")]
    offer_ids = _insert(session, Offer, offers)
    for row in assignments:
        row["request_id"] = ids[row.pop("request_index")]
        row["offer_id"] = offer_ids[row.pop("offer_index")]
    assignment_ids = _insert(session, Assignment, assignments)
    booked = _book(session, pool_id, assignments, assignment_ids)
    return {
        "requests": len(requests),
        "offers": len(offers),
        "assignments": len(assignments),
        "entries": booked,
    }


def _one(
    rng: random.Random, pool_id: int, day: date, institutions: list[int], speakers: dict[str, list[tuple[int, str]]],
    languages: list[str], weights: list[int], busy: dict, requests: list, offers: list, assignments: list,
) -> None:  # fmt: skip
    """Add one request of a day, and when someone is free, its offers and completed assignment."""
    language = rng.choices(languages, weights=weights)[0]
    start = datetime.combine(day, time(rng.choice([8, 9, 10, 11, 13, 14, 15, 16])))
    end = start + timedelta(minutes=rng.choice([45, 60, 60, 90, 120]))
    created = datetime.combine(day - timedelta(days=rng.randint(7, 21)), time(9, rng.randint(0, 59)))
    kind = rng.choice(demo.APPOINTMENT_TYPES)
    candidates = speakers[language][:]
    rng.shuffle(candidates)
    free = next((c for c in candidates if all(e <= start or end <= s for s, e in busy[(c[0], day)])), None)
    roll = rng.random()
    status = "completed"
    if roll < 0.04 or free is None:
        status = "unfilled"
    elif roll < 0.08:
        status, kind = "rejected", "polizei"
    elif roll < 0.125:
        status = "cancelled"
    municipality = free[1] if free else candidates[0][1] if candidates else "heinsberg"
    requests.append({
        "pool_id": pool_id, "institution_id": rng.choice(institutions), "contact_name": "Frau Schneider",
        "contact_email": "leitung@historie.example", "language_code": language, "appointment_type": kind,
        "topic": rng.choice(demo.TOPICS[kind]) if kind in demo.TOPICS else "Termin", "start": start, "end": end,
        "municipality_id": municipality, "address": f"Hauptstraße {rng.randint(1, 80)}", "status": status,
        "reasons": POLICE if status == "rejected" else [], "unfilled_reason": "capacity" if status == "unfilled" else None,
        "status_token_hash": token_hash(new_token()), "created_at": created, "updated_at": created,
    })  # fmt: skip
    if status != "completed":
        return
    index = len(requests) - 1
    for other in candidates[:2]:
        if other != free:  # a declined offer first, as pools see it
            offers.append(_offer(pool_id, index, other[0], created, "declined"))
    offers.append(_offer(pool_id, index, free[0], created, "accepted"))
    busy[(free[0], day)].append((start, end))
    minutes = max(15, int((end - start).total_seconds() // 60) + rng.choice([-15, 0, 0, 10, 20]))
    assignments.append({
        "pool_id": pool_id, "request_index": index, "offer_index": len(offers) - 1, "volunteer_id": free[0],
        "start": start, "end": end, "status": "completed", "outcome": "took_place", "duration_minutes": minutes,
        "allowance_cents": int(allowance(HEINSBERG, outcome="took_place", duration_minutes=minutes) * 100),
        "completed_at": end + timedelta(days=1), "completed_by": "institution", "created_at": created,
    })  # fmt: skip


def _offer(pool_id: int, index: int, volunteer_id: int, created: datetime, status: str) -> dict[str, Any]:
    return {
        "pool_id": pool_id, "request_index": index, "volunteer_id": volunteer_id, "status": status,
        "token_hash": token_hash(new_token()), "created_at": created, "expires_at": created + timedelta(hours=48),
        "answered_at": created + timedelta(hours=5),
        "decline_reason": "Ich habe an dem Tag schon einen Termin." if status == "declined" else "",
    }  # fmt: skip


def _insert(session: Session, model: type, rows: list[dict[str, Any]]) -> list[int]:
    """Insert many rows in one statement per batch and return their ids in order."""
    table = model.__table__  # type: ignore[attr-defined]
    ids: list[int] = []
    for at in range(0, len(rows), 2000):
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids += [row[0] for row in session.execute(statement, rows[at : at + 2000])]
    return ids


def _book(session: Session, pool_id: int, assignments: list[dict[str, Any]], ids: list[int]) -> int:
    """Book each completed assignment into the payout month after it (as the monthly list does)."""
    months = sorted({row["start"].strftime("%Y-%m") for row in assignments})
    month_ids = dict(
        zip(
            months,
            _insert(session, PayoutMonth, [{"pool_id": pool_id, "month": m} for m in months]),
            strict=True,
        )
    )
    entries = [
        {"pool_id": pool_id, "payout_month_id": month_ids[row["start"].strftime("%Y-%m")],
         "volunteer_id": row["volunteer_id"], "assignment_id": number, "amount_cents": row["allowance_cents"],
         "created_at": row["completed_at"]}
        for row, number in zip(assignments, ids, strict=True)
    ]  # fmt: skip
    _insert(session, PayoutEntry, entries)
    return len(entries)


def _close_months(pool_id: int, now: datetime) -> int:
    """Close every open month before this one, through the service a pool uses (the demo keeps its own open)."""
    from sprachmittlerpool.services import payouts

    with write_session() as session:
        months = list(
            session.exec(
                select(PayoutMonth.month).where(
                    PayoutMonth.pool_id == pool_id, PayoutMonth.closed_at.is_(None)
                )  # type: ignore[union-attr]
            ).all()
        )
    closable = sorted(m for m in months if m < now.strftime("%Y-%m"))
    for month in closable:
        with write_session() as session:
            payouts.close_month(session, month, pool_id=pool_id, user_id=None, actor="bench")
    return len(closable)
