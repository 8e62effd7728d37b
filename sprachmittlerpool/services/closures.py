"""The pool's closure days and its intake limits (lead time, longest assignment), as admins set them.

Closure days are stored one row per day and shown as periods (consecutive days with one note).
Past days stay as a record; only today and later days can be added or removed. Every change is audited
on the pool.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, delete, select

from sprachmittlerpool.german import date_long, minutes_words, period_long, working_days_words
from sprachmittlerpool.models import Pool, PoolClosure
from sprachmittlerpool.services import audit
from sprachmittlerpool.text_check import text_problem

MAX_PERIOD_DAYS = 366
NOTE_LIMIT = 200
MAX_LEAD_DAYS = 30
DURATION_RANGE = (15, 12 * 60)
AUDIT_ENTITY = "pool"
AUDIT_ACTIONS = ("closure_added", "closure_removed", "intake_limits")


class InvalidSetting(ValueError):
    """Values that cannot be saved; `fields` maps each field to a German message."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


@dataclass(frozen=True)
class ClosurePeriod:
    """Consecutive closure days with one note."""

    first: date
    last: date
    note: str

    @property
    def label(self) -> str:
        """Say the period in German words."""
        return period_long(self.first, self.last)

    @property
    def days(self) -> int:
        """Count the days of the period."""
        return (self.last - self.first).days + 1


def group_days(days: Iterable[tuple[date, str]]) -> list[ClosurePeriod]:
    """Join consecutive days with the same note into periods, in date order."""
    periods: list[ClosurePeriod] = []
    for day, note in sorted(days):
        last = periods[-1] if periods else None
        if last is not None and last.note == note and day == last.last + timedelta(days=1):
            periods[-1] = ClosurePeriod(last.first, day, note)
        else:
            periods.append(ClosurePeriod(day, day, note))
    return periods


def years(session: Session, *, pool_id: int, today: date) -> list[int]:
    """List the years that hold closure days, and the current one, newest first."""
    rows = session.exec(select(PoolClosure.day).where(PoolClosure.pool_id == pool_id)).all()
    return sorted({day.year for day in rows} | {today.year}, reverse=True)


def periods_in(session: Session, *, pool_id: int, year: int) -> list[ClosurePeriod]:
    """Return a year's closure periods (a period across New Year shows in both years)."""
    rows = session.exec(
        select(PoolClosure.day, PoolClosure.note).where(
            PoolClosure.pool_id == pool_id,
            col(PoolClosure.day) >= date(year, 1, 1) - timedelta(days=MAX_PERIOD_DAYS),
            col(PoolClosure.day) <= date(year, 12, 31) + timedelta(days=MAX_PERIOD_DAYS),
        )
    ).all()
    return [p for p in group_days(rows) if p.first.year <= year <= p.last.year]


def upcoming(session: Session, *, pool_id: int, today: date, limit: int = 5) -> list[ClosurePeriod]:
    """Return the next closure periods from today on (a running one starts today)."""
    rows = session.exec(
        select(PoolClosure.day, PoolClosure.note)
        .where(PoolClosure.pool_id == pool_id, col(PoolClosure.day) >= today)
        .order_by(col(PoolClosure.day))
        .limit(MAX_PERIOD_DAYS * limit)
    ).all()
    return group_days(rows)[:limit]


def parse_day(text: str | None, field: str, errors: dict[str, str]) -> date | None:
    """Read a date typed as TT.MM.JJJJ or sent by a date field (JJJJ-MM-TT)."""
    cleaned = (text or "").strip()
    if not cleaned:
        errors[field] = "Bitte geben Sie ein Datum an."
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    errors[field] = "Bitte geben Sie das Datum als TT.MM.JJJJ an, z. B. 24.12.2026."
    return None


def _note(text: str | None, errors: dict[str, str]) -> str:
    cleaned = unicodedata.normalize("NFC", (text or "").strip())
    if len(cleaned) > NOTE_LIMIT:
        errors["note"] = f"Bitte fassen Sie sich kürzer (höchstens {NOTE_LIMIT} Zeichen)."
    elif any(unicodedata.category(char).startswith("C") for char in cleaned) or text_problem(cleaned):
        errors["note"] = text_problem(cleaned) or "Der Text enthält unzulässige Zeichen."
    return cleaned


def _span(first_text: str | None, last_text: str | None, today: date) -> tuple[date, date]:
    """Read a period; an empty end means a single day. Raise InvalidSetting naming each wrong field."""
    errors: dict[str, str] = {}
    first = parse_day(first_text, "first", errors)
    last = parse_day(last_text, "last", errors) if (last_text or "").strip() else first
    if first is not None and last is not None:
        if last < first:
            errors["last"] = "Das Ende darf nicht vor dem Beginn liegen."
        elif (last - first).days >= MAX_PERIOD_DAYS:
            errors["last"] = "Bitte höchstens ein Jahr auf einmal eintragen."
        elif first < today:
            errors["first"] = (
                f"Vergangene Tage bleiben, wie sie waren. Bitte wählen Sie einen Tag ab dem {date_long(today)}."
            )
    if errors or first is None or last is None:
        raise InvalidSetting(errors)
    return first, last


def add_period(
    session: Session,
    *,
    pool_id: int,
    first: str | None,
    last: str | None,
    note: str | None,
    today: date,
    actor: str,
) -> ClosurePeriod:
    """Close the pool on a day or a span of days with a note; days already closed are refused."""
    errors: dict[str, str] = {}
    text = _note(note, errors)
    if errors:
        raise InvalidSetting(errors)
    start, end = _span(first, last, today)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    taken = session.exec(
        select(PoolClosure.day).where(PoolClosure.pool_id == pool_id, col(PoolClosure.day).in_(days))
    ).all()
    if taken:
        raise InvalidSetting({"first": f"Der {date_long(min(taken))} ist schon als Schließtag eingetragen."})
    session.add_all(PoolClosure(pool_id=pool_id, day=day, note=text) for day in days)
    period = ClosurePeriod(start, end, text)
    _audit(
        session,
        pool_id,
        actor,
        "closure_added",
        {"first": start.isoformat(), "last": end.isoformat(), "note": text},
    )
    session.commit()
    return period


def removable(
    session: Session, *, pool_id: int, first: str | None, last: str | None, today: date
) -> list[date]:
    """Return the closure days of a period that may be removed (today and later); InvalidSetting if none."""
    start, end = _span(first, last, today)
    days = session.exec(
        select(PoolClosure.day)
        .where(PoolClosure.pool_id == pool_id, col(PoolClosure.day) >= start, col(PoolClosure.day) <= end)
        .order_by(col(PoolClosure.day))
    ).all()
    if not days:
        raise InvalidSetting({"first": "In diesem Zeitraum sind keine Schließtage eingetragen."})
    return list(days)


def remove_period(
    session: Session, *, pool_id: int, first: str | None, last: str | None, today: date, actor: str
) -> int:
    """Open the pool again on the closure days of a period from today on; return how many days."""
    days = removable(session, pool_id=pool_id, first=first, last=last, today=today)
    session.execute(delete(PoolClosure).where(PoolClosure.pool_id == pool_id, col(PoolClosure.day).in_(days)))  # type: ignore[arg-type]
    detail = {"first": days[0].isoformat(), "last": days[-1].isoformat(), "days": len(days)}
    _audit(session, pool_id, actor, "closure_removed", detail)
    session.commit()
    return len(days)


def _limit(text: str | None, field: str, low: int, high: int, errors: dict[str, str]) -> int | None:
    """Read an optional whole number; empty means the rule set's value."""
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    if not (cleaned.isascii() and cleaned.isdigit()) or not low <= int(cleaned) <= high:
        errors[field] = f"Bitte eine ganze Zahl von {low} bis {high} angeben oder das Feld leer lassen."
        return None
    return int(cleaned)


def save_limits(
    session: Session,
    *,
    pool_id: int,
    lead_working_days: str | None,
    max_duration_minutes: str | None,
    actor: str,
) -> Pool:
    """Set the pool's lead time and longest assignment (empty: the rule set's value), audited."""
    errors: dict[str, str] = {}
    lead = _limit(lead_working_days, "lead_working_days", 0, MAX_LEAD_DAYS, errors)
    longest = _limit(max_duration_minutes, "max_duration_minutes", *DURATION_RANGE, errors)
    if errors:
        raise InvalidSetting(errors)
    pool = session.exec(select(Pool).where(Pool.id == pool_id).with_for_update()).one()
    before = {"lead_working_days": pool.lead_working_days, "max_duration_minutes": pool.max_duration_minutes}
    after = {"lead_working_days": lead, "max_duration_minutes": longest}
    if before != after:
        pool.lead_working_days, pool.max_duration_minutes = lead, longest
        session.add(pool)
        _audit(session, pool_id, actor, "intake_limits", {"before": before, "after": after})
    session.commit()
    return pool


def describe_change(action: str, detail: Mapping[str, Any]) -> str:
    """Say an audited calendar change in German for the page's history."""
    if action in ("closure_added", "closure_removed"):
        period = period_long(date.fromisoformat(detail["first"]), date.fromisoformat(detail["last"]))
        if action == "closure_removed":
            return f"Schließtage entfernt: {period}"
        return f"Schließtage eingetragen: {period}" + (f" ({detail['note']})" if detail.get("note") else "")
    if action == "intake_limits":
        before, after = detail.get("before", {}), detail.get("after", {})
        lead = [
            _words(before.get("lead_working_days"), working_days_words),
            _words(after.get("lead_working_days"), working_days_words),
        ]
        longest = [
            _words(before.get("max_duration_minutes"), minutes_words),
            _words(after.get("max_duration_minutes"), minutes_words),
        ]
        return f"Vorlauf: {lead[0]} → {lead[1]}; längste Einsatzdauer: {longest[0]} → {longest[1]}"
    return action


def _words(value: Any, words: Any) -> str:
    return "Wert des Regelwerks" if value is None else words(value)


def _audit(session: Session, pool_id: int, actor: str, action: str, detail: dict[str, object]) -> None:
    audit.record(
        session, actor=actor, entity=AUDIT_ENTITY, entity_id=str(pool_id), action=action, detail=detail
    )
