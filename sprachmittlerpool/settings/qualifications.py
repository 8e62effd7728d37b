"""Matching settings: which qualifications each institution type requires, and whether the pool brokers calls."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from matching.eligibility import INSTITUTION_TYPES
from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import Pool
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import qualifications as service
from sprachmittlerpool.services import settings_history
from sprachmittlerpool.settings import SECTIONS, bp

SECTIONS.append(
    (
        "settings.matching_rules",
        "Nachweise und Telefon/Video",
        "Welche Nachweise (z. B. erweitertes Führungszeugnis) welche Einrichtungsart verlangt, "
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
    """Show the call modes and a grid of institution types and the qualifications each requires."""
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
    )


@bp.post("/nachweise")
def matching_rules_save() -> Response:
    """Save both; they apply to new requests and to the next computation of proposals."""
    rows = [service.ALL_TYPES, *INSTITUTION_TYPES]
    changed = service.save_pool_settings(
        get_session(),
        _pool(),
        remote_modes=request.form.getlist("remote_modes"),
        brokers_written=request.form.get("brokers_written") == "1",
        required={row: request.form.getlist(f"require-{row}") for row in rows},
        actor=settings_history.actor_for(current_user.id),
    )
    flash(
        "Gespeichert. Das gilt für neue Anfragen und die nächste Berechnung der Vorschläge."
        if changed
        else "Nichts geändert.",
        "success",
    )
    return redirect(url_for("settings.matching_rules"))
