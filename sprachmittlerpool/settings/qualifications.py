"""Matching settings: which qualifications each institution type requires, and whether the pool brokers calls."""

from __future__ import annotations

import math

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from matching.eligibility import INSTITUTION_TYPES
from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import MAX_CLEARANCE_NOTICE_WEEKS, Pool
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import qualifications as service
from sprachmittlerpool.services import settings_history
from sprachmittlerpool.settings import SECTIONS, bp
from sprachmittlerpool.volunteer_import import parse_number

SECTIONS.append(
    (
        "settings.matching_rules",
        "Nachweise und Telefon/Video",
        "Welche Nachweise (z. B. erweitertes Führungszeugnis) welche Einrichtungsart verlangt, "
        "wie früh ablaufende Führungszeugnisse angekündigt werden, "
        "und ob der Pool Termine am Telefon oder per Video und schriftliche Übersetzungen vermittelt.",
    )
)


def _pool() -> Pool:
    db = get_session()
    pool = db.get(Pool, current_pool_id(db))
    assert pool is not None
    return pool


@bp.get("/nachweise")
def matching_rules() -> str:
    """Show the call modes, a grid of institution types and the qualifications each requires, and the notice."""
    return _page()


def _page(errors: dict[str, str] | None = None, weeks: str | None = None) -> str:
    pool = _pool()
    return render_template(
        "settings/qualifications.html",
        pool=pool,
        rows=[(service.ALL_TYPES, "Alle Einrichtungen"), *INSTITUTION_TYPES.items()],
        kinds=service.KIND_LABELS,
        modes={mode.value: service.MODE_LABELS[mode] for mode in service.REMOTE_MODES},
        history=settings_history.changes(
            get_session(), entity="pool", entity_ids=[str(pool.id)], actions=[service.SETTINGS_ACTION]
        ),
        describe=service.describe_settings_change,
        errors=errors or {},
        weeks=weeks if weeks is not None else str(pool.clearance_notice_weeks),
        max_weeks=MAX_CLEARANCE_NOTICE_WEEKS,
    )


def _notice_weeks(text: str | None) -> int | None:
    """Read the notice in weeks; a form without the field keeps the stored value (None)."""
    if text is None:
        return None
    try:
        weeks = parse_number(text, what="Vorlauf", integer=True, default=math.nan)
    except ValueError:
        weeks = math.nan
    if not 1 <= weeks <= MAX_CLEARANCE_NOTICE_WEEKS:
        raise ValueError(f"Bitte eine ganze Zahl von 1 bis {MAX_CLEARANCE_NOTICE_WEEKS} Wochen angeben.")
    return int(weeks)


@bp.post("/nachweise")
def matching_rules_save() -> Response | tuple[str, int]:
    """Save all; they apply to new requests, the next computation of proposals and the next reminders."""
    rows = [service.ALL_TYPES, *INSTITUTION_TYPES]
    try:
        weeks = _notice_weeks(request.form.get("clearance_notice_weeks"))
    except ValueError as error:
        return _page({"clearance_notice_weeks": str(error)}, request.form["clearance_notice_weeks"]), 422
    changed = service.save_pool_settings(
        get_session(),
        _pool(),
        remote_modes=request.form.getlist("remote_modes"),
        brokers_written=request.form.get("brokers_written") == "1",
        required={row: request.form.getlist(f"require-{row}") for row in rows},
        actor=settings_history.actor_for(current_user.id),
        notice_weeks=weeks,
    )
    flash(
        "Gespeichert. Das gilt für neue Anfragen und die nächste Berechnung der Vorschläge."
        if changed
        else "Nichts geändert.",
        "success",
    )
    return redirect(url_for("settings.matching_rules"))
