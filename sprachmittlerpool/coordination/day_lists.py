"""Who goes where: the day list (today, tomorrow, any day), the week view and the offers still out."""

from __future__ import annotations

from datetime import date, timedelta

from flask import render_template, request

from sprachmittlerpool.coordination import bp
from sprachmittlerpool.db import get_session
from sprachmittlerpool.german import day_long
from sprachmittlerpool.models import local_now
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import day_lists

WITHDRAWN_SHOWN_DAYS = 14


def _day_param(name: str, default: date) -> tuple[date, bool]:
    """Read a YYYY-MM-DD parameter; a missing or broken one falls back to `default` (and says it was broken)."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default, False
    try:
        parsed = date.fromisoformat(raw)
    except ValueError:
        return default, True
    return (parsed, False) if 2000 <= parsed.year <= 2100 else (default, True)


@bp.get("/einsaetze/tag")
def day_list() -> str:
    """List one day's confirmed assignments in time order, printable on one A4 page."""
    today = local_now().date()
    day, broken = _day_param("datum", today)
    db = get_session()
    rows = day_lists.assignments_between(db, pool_id=current_pool_id(db), first=day, last=day)
    return render_template(
        "coordination/day_list.html",
        day=day,
        title=day_long(day),
        rows=rows,
        broken=broken,
        today=today,
        tomorrow=today + timedelta(days=1),
        previous=day - timedelta(days=1),
        next=day + timedelta(days=1),
    )


@bp.get("/einsaetze/woche")
def week_view() -> str:
    """Show a week, Monday to Sunday, with each day's assignments."""
    today = local_now().date()
    start, broken = _day_param("ab", today)
    monday = day_lists.monday_of(start)
    db = get_session()
    return render_template(
        "coordination/week_view.html",
        monday=monday,
        days=day_lists.week(db, pool_id=current_pool_id(db), monday=monday),
        day_long=day_long,
        broken=broken,
        today=today,
        previous=monday - timedelta(days=7),
        next=monday + timedelta(days=7),
    )


@bp.get("/angebote")
def pending_offers() -> str:
    """List the offers waiting for an answer, the one lapsing first on top, and those withdrawn lately and why."""
    db = get_session()
    return render_template(
        "coordination/offers.html",
        rows=day_lists.pending_offers(db, pool_id=current_pool_id(db)),
        mail_status=day_lists.MAIL_STATUS_DE,
        withdrawn=day_lists.recently_withdrawn(
            db, pool_id=current_pool_id(db), since=local_now() - timedelta(days=WITHDRAWN_SHOWN_DAYS)
        ),
        withdrawn_days=WITHDRAWN_SHOWN_DAYS,
    )
