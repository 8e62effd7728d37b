"""The institutions register for coordinators: search, correct, verify, block, merge duplicates."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from matching.eligibility import INSTITUTION_TYPES
from sprachmittlerpool.coordination import bp
from sprachmittlerpool.db import get_session
from sprachmittlerpool.german import requests_words
from sprachmittlerpool.models import Institution, local_now
from sprachmittlerpool.pools import current_pool_id, get_in_pool
from sprachmittlerpool.services import institutions as service
from sprachmittlerpool.text_check import whole_number

# Each action: the service's verb, its value, the confirm page's question, explanation and button, the result.
ACTIONS = {
    "verifizieren": (
        service.set_verified,
        True,
        "Einrichtung als verifiziert markieren?",
        "Markieren Sie eine Einrichtung erst nach einem ersten Kontakt, wenn klar ist, dass sie vermitteln "
        "darf. Ihre neuen Anfragen gehen dann ohne Prüfung als Einrichtung in die Vermittlung.",
        "Ja, als verifiziert markieren",
        "Die Einrichtung ist als verifiziert markiert.",
    ),
    "verifizierung-aufheben": (
        service.set_verified,
        False,
        "Verifizierung aufheben?",
        "Neue Anfragen der Einrichtung werden dann wieder geprüft, wenn ihre Art nicht als öffentlich gilt.",
        "Ja, Verifizierung aufheben",
        "Die Verifizierung ist aufgehoben.",
    ),
    "sperren": (
        service.set_blocked,
        True,
        "Einrichtung sperren?",
        "Neue Anfragen der Einrichtung werden dann abgelehnt; sie erhält die Begründung „Anfragen "
        "gesperrter Einrichtungen“ per E-Mail. Schon eingegangene Anfragen bleiben, wie sie sind.",
        "Ja, Einrichtung sperren",
        "Die Einrichtung ist gesperrt; neue Anfragen von ihr werden abgelehnt.",
    ),
    "entsperren": (
        service.set_blocked,
        False,
        "Sperre aufheben?",
        "Neue Anfragen der Einrichtung werden dann wieder nach den üblichen Regeln entschieden.",
        "Ja, Sperre aufheben",
        "Die Sperre ist aufgehoben.",
    ),
}


def _actor() -> str:
    return f"user:{current_user.id}"


def _load(institution_id: int) -> Institution:
    return get_in_pool(get_session(), Institution, institution_id) or abort(404)


def _page_number() -> int:
    value = request.args.get("seite", "1")
    return whole_number(value, max_digits=6) or 1


@bp.get("/einrichtungen")
def institution_list() -> str:
    """List the register with search by name or e-mail, type and state filters, request counts, pages."""
    db = get_session()
    pool_id = current_pool_id(db)
    query = {key: request.args.get(key, "") for key in ("suche", "art", "status")}
    found = service.search(
        db,
        pool_id=pool_id,
        text=query["suche"],
        type_=query["art"],
        state=query["status"],
        page=_page_number(),
    )
    return render_template(
        "coordination/institutions.html",
        found=found,
        query=query,
        counts=service.state_counts(db, pool_id=pool_id),
        types=INSTITUTION_TYPES,
        states=service.STATE_LABELS,
        state_of=service.state_of,
    )


def _render_detail(institution: Institution, values: dict | None = None, errors: dict | None = None):
    db = get_session()
    page = render_template(
        "coordination/institution_detail.html",
        institution=institution,
        state=service.state_of(institution),
        states=service.STATE_LABELS,
        values=values or {k: getattr(institution, k) for k in ("name", "type", "email", "note")},
        errors=errors or {},
        types=INSTITUTION_TYPES,
        requests=service.requests_of(db, institution),
        candidates=service.merge_candidates(db, institution),
    )
    return page, 422 if errors else 200


@bp.get("/einrichtungen/<int:institution_id>")
def institution_detail(institution_id: int):
    """Show an institution as an editable form, with its requests and the register's actions."""
    return _render_detail(_load(institution_id))


@bp.post("/einrichtungen/<int:institution_id>")
def institution_update(institution_id: int):
    """Save corrected name, type, e-mail and note."""
    institution = _load(institution_id)
    try:
        values = service.check_fields(request.form.to_dict())
        service.update_fields(get_session(), institution, values, actor=_actor())
    except service.InvalidInstitution as exc:
        return _render_detail(_load(institution_id), request.form.to_dict(), exc.fields)
    flash("Die Angaben wurden gespeichert.", "success")
    return redirect(url_for("coordination.institution_detail", institution_id=institution_id))


@bp.get("/einrichtungen/<int:institution_id>/<action>")
def institution_confirm(institution_id: int, action: str) -> str:
    """Ask before verifying, unverifying, blocking or unblocking."""
    if action not in ACTIONS:
        abort(404)
    _, _, question, explanation, button, _ = ACTIONS[action]
    return render_template(
        "coordination/institution_confirm.html",
        institution=_load(institution_id),
        action=action,
        question=question,
        explanation=explanation,
        button=button,
    )


@bp.post("/einrichtungen/<int:institution_id>/<action>")
def institution_act(institution_id: int, action: str) -> Response:
    """Verify, unverify, block or unblock after the confirm page; audited by the service."""
    if action not in ACTIONS:
        abort(404)
    verb, value, *_, done = ACTIONS[action]
    institution = _load(institution_id)
    key = "verified" if verb is service.set_verified else "blocked"
    verb(get_session(), institution, now=local_now(), actor=_actor(), **{key: value})
    flash(done, "success")
    return redirect(url_for("coordination.institution_detail", institution_id=institution_id))


@bp.post("/einrichtungen/<int:institution_id>/zusammenfuehren")
def institution_merge(institution_id: int):
    """Show what a merge will do, then merge once confirmed; the kept one is chosen on the detail page."""
    db = get_session()
    institution = _load(institution_id)
    other_id = request.form.get("other", "")
    number = whole_number(other_id)
    other = _load(number) if number is not None else None
    if other is None or other.id == institution.id:
        flash("Bitte wählen Sie eine andere Einrichtung zum Zusammenführen aus.", "error")
        return redirect(url_for("coordination.institution_detail", institution_id=institution_id))
    keep, duplicate = (other, institution) if request.form.get("keep") == "other" else (institution, other)
    if request.form.get("confirmed") != "1":
        return render_template(
            "coordination/institution_merge.html",
            institution=institution,
            other=other,
            keep=keep,
            duplicate=duplicate,
            keep_choice=request.form.get("keep", "this"),
            counts={row.id: service.request_count(db, row) for row in (keep, duplicate)},
            types=INSTITUTION_TYPES,
            states=service.STATE_LABELS,
            state_of=service.state_of,
        )
    keep_id = keep.id
    try:
        moved = service.merge(db, keep=keep, duplicate=duplicate, actor=_actor())
    except service.MergeRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("coordination.institution_detail", institution_id=institution_id))
    flash(f"Zusammengeführt: {requests_words(moved)} gehören jetzt zu dieser Einrichtung.", "success")
    return redirect(url_for("coordination.institution_detail", institution_id=keep_id))
