"""Closure days and intake limits: the days the pool takes no appointments, the lead time, the longest assignment."""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sprachmittlerpool.db import get_session
from sprachmittlerpool.german import minutes_words, working_days_words
from sprachmittlerpool.models import Pool, local_now
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import closures, pool_rules, settings_history
from sprachmittlerpool.settings import SECTIONS, bp

SECTIONS.append(
    (
        "settings.calendar",
        "Schließtage und Fristen",
        "Tage ohne Einsätze (z. B. Ferien), Vorlauf in Werktagen und längste Einsatzdauer.",
    )
)


def _year() -> int:
    """Return the year asked for in ?jahr=, else this year."""
    text = request.args.get("jahr", "")
    year = int(text) if text.isascii() and text.isdigit() and len(text) == 4 else local_now().year
    return min(max(year, 2000), 2100)


def _page(
    values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None, status: int = 200
) -> tuple[str, int]:
    db = get_session()
    pool_id = current_pool_id(db)
    pool = db.get(Pool, pool_id)
    today = local_now().date()
    year = _year()
    lead, longest = pool_rules.rule_set_limits(current_app.instance_path)
    page = render_template(
        "settings/calendar.html",
        pool=pool,
        year=year,
        years=closures.years(db, pool_id=pool_id, today=today),
        periods=closures.periods_in(db, pool_id=pool_id, year=year),
        today=today,
        values=values or {},
        errors=errors or {},
        rule_set_lead=working_days_words(lead),
        rule_set_longest=minutes_words(longest),
        history=settings_history.changes(
            db, entity=closures.AUDIT_ENTITY, entity_ids=[str(pool_id)], actions=closures.AUDIT_ACTIONS
        ),
        describe=closures.describe_change,
    )
    return page, status


@bp.get("/kalender")
def calendar() -> tuple[str, int]:
    """Show the limits, the closure days of a year and who changed them."""
    return _page()


@bp.post("/kalender/grenzen")
def calendar_limits() -> Response | tuple[str, int]:
    """Set the lead time and the longest assignment; empty fields take the rule set's values."""
    db = get_session()
    try:
        closures.save_limits(
            db,
            pool_id=current_pool_id(db),
            lead_working_days=request.form.get("lead_working_days"),
            max_duration_minutes=request.form.get("max_duration_minutes"),
            actor=settings_history.actor_for(current_user.id),
        )
    except closures.InvalidSetting as invalid:
        return _page(request.form.to_dict(), invalid.fields, 422)
    flash("Vorlauf und längste Einsatzdauer sind gespeichert. Sie gelten für neue Anfragen.", "success")
    return redirect(url_for("settings.calendar"))


@bp.post("/kalender/schliesstage")
def closure_add() -> Response | tuple[str, int]:
    """Close the pool on a day or a span of days, with a note such as 'Sommerferien'."""
    db = get_session()
    try:
        period = closures.add_period(
            db,
            pool_id=current_pool_id(db),
            first=request.form.get("first"),
            last=request.form.get("last"),
            note=request.form.get("note"),
            today=local_now().date(),
            actor=settings_history.actor_for(current_user.id),
        )
    except closures.InvalidSetting as invalid:
        return _page(request.form.to_dict(), invalid.fields, 422)
    flash(f"Geschlossen: {period.label}.", "success")
    return redirect(url_for("settings.calendar", jahr=period.first.year))


@bp.post("/kalender/schliesstage/entfernen")
def closure_remove() -> Response | tuple[str, int]:
    """Ask which closure days will open again, then open them on confirmation; past days stay."""
    db = get_session()
    arguments = {
        "pool_id": current_pool_id(db),
        "first": request.form.get("first"),
        "last": request.form.get("last"),
        "today": local_now().date(),
    }
    try:
        if request.form.get("confirmed") != "1":
            days = closures.removable(db, **arguments)
            return render_template("settings/closure_confirm.html", days=days, form=request.form), 200
        count = closures.remove_period(db, **arguments, actor=settings_history.actor_for(current_user.id))
    except closures.InvalidSetting as invalid:
        flash(" ".join(invalid.fields.values()), "error")
        return redirect(url_for("settings.calendar"))
    flash(f"{count} Schließtage entfernt; an diesen Tagen nimmt der Pool wieder Anfragen an.", "success")
    return redirect(url_for("settings.calendar"))
