"""Tariff versions: list them in German words, add a version from a day with a live preview, never touch closed months."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sprachmittlerpool import german, tariff_form
from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import local_now
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import settings_history, tariff_versions
from sprachmittlerpool.settings import SECTIONS, bp
from sprachmittlerpool.tariff import EPOCH, Tariff

SECTIONS.append(
    (
        "settings.tariffs",
        "Aufwandsentschädigung",
        "Tariffassungen mit Gültigkeit, neue Fassung mit Vorschau; abgeschlossene Monate bleiben unverändert.",
    )
)
AUDIT_ACTIONS = ("version_added", "version_replaced")


@bp.context_processor
def _german_formats() -> dict[str, object]:
    return {"money": german.money, "date_long": german.date_long, "minutes_words": german.minutes_words}


def _suggested_start(today: date, closed: date | None) -> date:
    """Suggest the first of the next month, and never a day inside a closed month."""
    first_of_next = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return max(first_of_next, closed + timedelta(days=1)) if closed else first_of_next


def _initial_values(pool_id: int, preset: str | None) -> dict[str, str]:
    """Fill the form from a chosen preset, else from the version in force today."""
    db = get_session()
    today = local_now().date()
    start = _suggested_start(today, tariff_versions.last_closed_day(db, pool_id=pool_id))
    in_force = tariff_versions.version_in_force(db, today, pool_id=pool_id)
    base = tariff_form.PRESETS.get(preset or "") or (
        in_force.tariff if in_force else tariff_form.PRESETS["heinsberg"]
    )
    return tariff_form.form_values(
        base, name=f"Tarif ab {german.date_long(start)}", valid_from=start.isoformat()
    )


def _preview(
    pool_id: int, values: Mapping[str, str]
) -> tuple[list[tariff_form.PreviewRow], Tariff | None, tariff_versions.Version | None]:
    """Compute the preview of the form's version against the version in force on its first day."""
    new, errors = tariff_form.parse_form(values)
    if new is None or errors:
        return [], None, None
    current = tariff_versions.version_in_force(get_session(), new.valid_from, pool_id=pool_id)
    return tariff_form.preview(new, current.tariff if current else None), new, current


def _page(values: Mapping[str, str], errors: Mapping[str, str], status: int = 200) -> tuple[str, int]:
    db = get_session()
    pool_id = current_pool_id(db)
    versions = list(reversed(tariff_versions.versions(db, pool_id=pool_id)))
    ids = [str(v.id) for v in versions if v.id is not None]
    created = {
        change.entity_id: change
        for change in reversed(
            settings_history.changes(db, entity="tariff", entity_ids=ids, actions=AUDIT_ACTIONS)
        )
    }
    rows, new, current = _preview(pool_id, values)
    closed = tariff_versions.last_closed_day(db, pool_id=pool_id)
    page = render_template(
        "settings/tariffs.html",
        versions=versions,
        created=created,
        describe=tariff_form.describe,
        values=values,
        errors=errors,
        kinds=tariff_form.KINDS,
        travel=tariff_form.TRAVEL,
        cancellation=tariff_form.CANCELLATION,
        steps=tariff_form.STEPS,
        presets=tariff_form.PRESETS,
        preview=rows,
        new=new,
        current=current,
        closed=closed,
        earliest=closed + timedelta(days=1) if closed else None,
        epoch=EPOCH,
        today=local_now().date(),
    )
    return page, status


@bp.get("/tarife")
def tariffs() -> tuple[str, int]:
    """Show the pool's tariff versions and the form for a new one, filled from the version in force."""
    pool_id = current_pool_id(get_session())
    return _page(_initial_values(pool_id, request.args.get("vorlage")), {})


@bp.get("/tarife/vorschau")
def tariff_preview() -> str:
    """Answer the live preview (an HTML fragment) for the values typed so far."""
    rows, new, current = _preview(current_pool_id(get_session()), request.args.to_dict())
    return render_template("settings/_tariff_preview.html", preview=rows, new=new, current=current)


@bp.post("/tarife")
def tariff_check() -> tuple[str, int]:
    """Show the preview again, or check the version and ask for confirmation before anything is stored."""
    values = request.form.to_dict()
    tariff, errors = tariff_form.parse_form(values)
    if tariff is None or errors or request.form.get("step") != "check":
        return _page(values, errors, 422 if errors else 200)
    db = get_session()
    pool_id = current_pool_id(db)
    try:
        change = tariff_versions.plan(db, tariff, pool_id=pool_id, today=local_now().date())
    except tariff_versions.TariffChangeRefused as refused:
        return _page(values, {refused.field: refused.message}, 422)
    rows, _, current = _preview(pool_id, values)
    return render_template(
        "settings/tariff_confirm.html",
        change=change,
        values=values,
        describe=tariff_form.describe,
        preview=rows,
        new=change.tariff,
        current=current,
        one_day=timedelta(days=1),
    ), 200


@bp.post("/tarife/speichern")
def tariff_save() -> Response | tuple[str, int]:
    """Store the confirmed version, end the one before it and rebook open months; closed months stay."""
    values = request.form.to_dict()
    tariff, errors = tariff_form.parse_form(values)
    if tariff is None or errors:
        return _page(values, errors, 422)
    db = get_session()
    try:
        change = tariff_versions.add_version(
            db,
            tariff,
            pool_id=current_pool_id(db),
            today=local_now().date(),
            now=local_now(),
            actor=settings_history.actor_for(current_user.id),
        )
    except tariff_versions.TariffChangeRefused as refused:
        return _page(values, {refused.field: refused.message}, 409)
    flash(
        f"Die Fassung „{change.tariff.name}“ gilt ab dem {german.date_long(change.tariff.valid_from)}."
        + (f" {len(change.changed)} erfasste Einsätze wurden neu berechnet." if change.changed else ""),
        "success",
    )
    return redirect(url_for("settings.tariffs"))
