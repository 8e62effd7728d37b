"""The review queue: requests the rules could not decide alone, settled by a coordinator."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from matching.eligibility import APPOINTMENT_TYPES, INSTITUTION_TYPES
from sprachmittlerpool.confirmation import Confirmation, confirmation_page, confirmed
from sprachmittlerpool.coordination import bp
from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import InterpretingRequest, local_now
from sprachmittlerpool.pools import current_pool_id, get_in_pool
from sprachmittlerpool.services import intake
from sprachmittlerpool.services.qualifications import call_words


def highlight(topic: str, triggers: Iterable[str]) -> Markup:
    """Mark the words that sent a topic to review; everything else stays escaped text."""
    words = sorted({t for t in triggers if t}, key=len, reverse=True)
    if not words:
        return escape(topic)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)")
    parts: list[Markup] = []
    last = 0
    for match in pattern.finditer(topic):
        parts += [
            escape(topic[last : match.start()]),
            Markup('<mark class="trigger">%s</mark>') % match.group(1),
        ]
        last = match.end()
    parts.append(escape(topic[last:]))
    return Markup("").join(parts)


def _triggers(row: InterpretingRequest) -> list[str]:
    return [word for reason in row.reasons for word in reason.get("triggers", [])]


@bp.get("/pruefung")
def review_queue() -> str:
    """List the requests in review, urgent first, with the reasons and the triggering words marked."""
    db = get_session()
    pool_id = current_pool_id(db)
    return render_template(
        "coordination/review.html",
        items=intake.review_queue(db, pool_id=pool_id),
        highlight=highlight,
        triggers=_triggers,
        institution_types=INSTITUTION_TYPES,
        appointment_types=APPOINTMENT_TYPES,
        call_words=call_words,
    )


@bp.post("/pruefung/<int:request_id>")
def review_decide(request_id: int) -> Response | str:
    """Accept or reject a request in review; the requester is told by mail. A rejection is confirmed first."""
    db = get_session()
    found = get_in_pool(db, InterpretingRequest, request_id)
    if found is None:
        abort(404)
    asks_rejection = request.form.get("decision") == "reject" and found.status == "review"
    if asks_rejection and not confirmed():
        return confirmation_page(_reject_confirmation(found, request.form.get("note", "")))
    try:
        note = intake.check_note(request.form.get("note", ""))
        intake.decide_review(
            db,
            request=found,
            decision=request.form.get("decision", ""),
            note=note,
            now=local_now(),
            actor=f"user:{current_user.id}",
        )
    except intake.InvalidRequest as exc:
        flash(" ".join(exc.fields.values()), "error")
    except intake.StateConflict:
        flash("Diese Anfrage wurde schon entschieden.", "error")
    else:
        flash(_done_message(found), "success")
    return redirect(url_for("coordination.review_queue"))


def _done_message(found: InterpretingRequest) -> str:
    if found.status == "open":
        return "Die Anfrage ist angenommen; die Einrichtung bekommt eine E-Mail."
    return "Die Anfrage ist abgelehnt; die Einrichtung bekommt eine E-Mail mit den Gründen."


def _reject_confirmation(found: InterpretingRequest, note: str) -> Confirmation:
    """Say what a rejection does and who is told, carrying the note to the second POST."""
    when = f"{found.start:%d.%m.%Y, %H:%M}–{found.end:%H:%M} Uhr"
    told = f"mit den Gründen und Ihrem Hinweis „{note.strip()}“" if note.strip() else "mit den Gründen"
    return Confirmation(
        question="Anfrage wirklich ablehnen?",
        happens=(
            f"Die Anfrage für den {when} wird abgelehnt und nicht vermittelt.",
            "Das lässt sich nicht rückgängig machen; die Einrichtung müsste neu anfragen.",
        ),
        mail=(f"Die Ansprechperson der Einrichtung ({found.contact_email}) bekommt eine E-Mail {told}.",),
        button="Ja, Anfrage ablehnen",
        action=url_for("coordination.review_decide", request_id=found.id),
        back_url=url_for("coordination.review_queue", _anchor=f"anfrage-{found.id}"),
        back_label="Zurück zur Prüfung",
        fields={"decision": "reject", "note": note},
    )
