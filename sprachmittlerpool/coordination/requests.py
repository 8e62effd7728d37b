"""The request page: one request with its whole history, and the coordinator's actions on it.

Changing time, place or language and cancelling for the institution each show first what will happen
and who gets mail; only the confirming POST changes anything.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import col, select
from werkzeug.wrappers import Response

from matching.eligibility import APPOINTMENT_TYPES, INSTITUTION_TYPES
from sprachmittlerpool.coordination import bp
from sprachmittlerpool.db import get_session
from sprachmittlerpool.german import day_long
from sprachmittlerpool.models import InterpretingRequest, Language, Municipality, RequestMode, local_now
from sprachmittlerpool.pools import current_pool_id, get_in_pool
from sprachmittlerpool.services import intake, request_changes, sharing
from sprachmittlerpool.services.offers import Conflict
from sprachmittlerpool.services.pool_rules import rule_titles
from sprachmittlerpool.services.request_history import request_page


def _actor() -> str:
    return f"user:{current_user.id}"


def _load(request_id: int) -> InterpretingRequest:
    return get_in_pool(get_session(), InterpretingRequest, request_id) or abort(404)


def _rule_titles() -> dict[str, str]:
    db = get_session()
    return rule_titles(db, pool_id=current_pool_id(db), instance_path=current_app.instance_path)


def _back(request_id: int) -> Response:
    return redirect(url_for("coordination.request_detail", request_id=request_id))


@bp.get("/anfragen/<int:request_id>")
def request_detail(request_id: int) -> str:
    """Show a request, its screening, its assignment and everything that happened to it."""
    found = _load(request_id)
    now = local_now()
    page = request_page(get_session(), found, rule_titles=_rule_titles())
    return render_template(
        "coordination/request_detail.html",
        page=page,
        request_row=found,
        assignment=page.assignment,
        day_long=day_long,
        institution_types=INSTITUTION_TYPES,
        appointment_types=APPOINTMENT_TYPES,
        editable=found.status in request_changes.EDITABLE
        and now < found.start
        and found.mode != RequestMode.WRITTEN,
        cancellable=intake.is_cancellable(found, now=now),
        loans=sharing.loans_of_request(get_session(), found),
        loan_states=sharing.STATUS_DE,
        can_ask_others=found.status == "open"
        and now < found.start
        and sharing.open_ask(get_session(), found.id) is None,
    )


# --- change time, place or language ----------------------------------------------------------------


def _form_values(found: InterpretingRequest) -> dict[str, str]:
    return {
        "datum": found.start.date().isoformat(),
        "beginn": f"{found.start:%H:%M}",
        "ende": f"{found.end:%H:%M}",
        "municipality": found.municipality_id,
        "address": found.address,
        "language": found.language_code,
    }


def _submitted(form: Any) -> dict[str, str]:
    """Read the form: a date and two clock times become the start and end the service checks."""
    day, begin, end = (form.get(name, "").strip() for name in ("datum", "beginn", "ende"))
    return {
        "start": f"{day}T{begin}" if day and begin else "",
        "end": f"{day}T{end}" if day and end else "",
        **{name: form.get(name, "") for name in ("municipality", "address", "language")},
    }


def _edit_form(found: InterpretingRequest, values: dict[str, str], errors: dict[str, str]):
    db = get_session()
    pool_id = current_pool_id(db)
    municipalities = db.exec(
        select(Municipality)
        .where(Municipality.pool_id == pool_id)
        .where(col(Municipality.retired_at).is_(None) | (Municipality.id == found.municipality_id))
        .order_by(col(Municipality.name))
    ).all()
    languages = db.exec(
        select(Language)
        .where(Language.pool_id == pool_id)
        .where(col(Language.retired_at).is_(None) | (Language.code == found.language_code))
        .order_by(col(Language.name_de))
    ).all()
    page = render_template(
        "coordination/request_edit.html",
        request_row=found,
        values=values,
        errors=errors,
        municipalities=municipalities,
        languages=languages,
    )
    return page, 422 if errors else 200


@bp.get("/anfragen/<int:request_id>/aendern")
def request_edit(request_id: int):
    """Offer a form for a new time, place or language."""
    found = _load(request_id)
    try:
        request_changes.check_editable(found, now=local_now())
    except Conflict as exc:
        flash(exc.message, "error")
        return _back(request_id)
    return _edit_form(found, _form_values(found), {})


@bp.post("/anfragen/<int:request_id>/aendern")
def request_change(request_id: int):
    """Check the new values and show what will happen; change the request once that page is confirmed."""
    found = _load(request_id)
    db = get_session()
    now = local_now()
    try:
        request_changes.check_editable(found, now=now)
        values = request_changes.check(db, found, _submitted(request.form), now=now)
        if request.form.get("bestaetigt") != "1":
            return _confirm_change(found, values, now)
        request_changes.apply(db, request_id=request_id, values=values, now=now, actor=_actor())
    except request_changes.InvalidChange as exc:
        return _edit_form(found, request.form.to_dict(), _form_errors(exc.fields))
    except Conflict as exc:
        flash(exc.message, "error")
        return _back(request_id)
    flash("Die Anfrage ist geändert; alle Beteiligten bekommen eine E-Mail.", "success")
    return _back(request_id)


def _form_errors(fields: dict[str, str]) -> dict[str, str]:
    """Show a start error at the date and an end error at the end time, where the form asks for them."""
    renamed = {"start": "datum", "end": "ende"}
    return {renamed.get(name, name): message for name, message in fields.items()}


def _confirm_change(found: InterpretingRequest, values: request_changes.NewValues, now):
    plan = request_changes.plan(get_session(), found, values, now=now)
    if not plan.changes:
        flash("Es wurde nichts geändert: die Angaben sind schon so.", "error")
        return _back(found.id)
    return render_template(
        "coordination/request_change_confirm.html",
        request_row=found,
        plan=plan,
        form=request.form.to_dict(),
    )


# --- cancel for the institution --------------------------------------------------------------------


@bp.get("/anfragen/<int:request_id>/stornieren")
def request_cancel_confirm(request_id: int):
    """Say what cancelling for the institution will do and who gets mail, before anything happens."""
    found = _load(request_id)
    now = local_now()
    if not intake.is_cancellable(found, now=now):
        flash("Diese Anfrage lässt sich nicht mehr stornieren.", "error")
        return _back(request_id)
    return render_template(
        "coordination/request_cancel_confirm.html",
        request_row=found,
        consequences=request_changes.cancel_consequences(get_session(), found, now=now),
    )


@bp.post("/anfragen/<int:request_id>/stornieren")
def request_cancel(request_id: int) -> Response:
    """Cancel the request on the institution's behalf (e.g. after its phone call); everyone concerned is told."""
    found = _load(request_id)
    try:
        intake.cancel_request(get_session(), request=found, now=local_now(), actor=_actor())
    except intake.StateConflict as exc:
        flash(str(exc) if exc.shown else "Diese Anfrage lässt sich nicht mehr stornieren.", "error")
        return _back(request_id)
    flash("Die Anfrage ist storniert; die Einrichtung bekommt eine E-Mail.", "success")
    return _back(request_id)
