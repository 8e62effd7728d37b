"""The institution's confirmation page `/bestaetigung/<token>` (Einsatzbestätigung): GET shows, POST records."""

from __future__ import annotations

from flask import abort, request
from werkzeug.wrappers import Response

from sprachmittlerpool import links
from sprachmittlerpool.config import cutoff_hours
from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import Assignment, AssignmentStatus, InterpretingRequest, Volunteer, local_now
from sprachmittlerpool.pools import use_pool
from sprachmittlerpool.services import offers
from sprachmittlerpool.services.completion import (
    InvalidCompletion,
    approval_message,
    awaits_approval,
    record_completion,
)
from sprachmittlerpool.services.offers import Conflict
from sprachmittlerpool.volunteer import bp
from sprachmittlerpool.volunteer.views import link_page

CHOICES = ("took_place", "no_show", "late", "early")


def choices() -> dict[str, str]:
    """Name the answers in German; "late" names the configured cut-off, which decides what it pays."""
    return {
        "took_place": "Der Termin hat stattgefunden.",
        "no_show": "Die Sprachmittlerin / der Sprachmittler war da, aber die Klientin / der Klient kam nicht.",
        "late": f"Wir haben den Termin weniger als {cutoff_hours()} Stunden vorher abgesagt.",
        "early": "Wir haben den Termin früher abgesagt.",
    }


def _load(token: str) -> Assignment | Response:
    try:
        assignment_id = links.assignment_id_from(token)
    except links.LinkExpired:
        return link_page(
            "volunteer/completion_done.html",
            status=410,
            message="Dieser Link ist abgelaufen. Bitte wenden Sie sich an die Koordination.",
        )
    if assignment_id is None:
        abort(404)
    assignment = get_session().get(Assignment, assignment_id)
    if assignment is None:
        abort(404)
    use_pool(assignment.pool_id)  # the signed link works for its assignment's pool under any address
    return assignment


def _form(
    token: str, assignment: Assignment, *, status: int = 200, errors: dict[str, str] | None = None
) -> Response:
    session = get_session()
    req = session.get(InterpretingRequest, assignment.request_id)
    volunteer = session.get(Volunteer, assignment.volunteer_id)
    assert req is not None
    if assignment.status != AssignmentStatus.CONFIRMED or assignment.outcome is not None:
        return link_page(
            "volunteer/completion_done.html",
            status=409 if request.method == "POST" else 200,
            message="Für diesen Einsatz liegt die Bestätigung schon vor. Vielen Dank!",
        )
    planned = int((assignment.end - assignment.start).total_seconds() // 60)
    return link_page(
        "volunteer/completion.html",
        status=status,
        token=token,
        details=offers.appointment(session, req),
        volunteer_first_name=volunteer.first_name if volunteer else "",
        choices=choices(),
        form=request.form,
        planned=planned,
        errors=errors or {},
    )


@bp.get("/bestaetigung/<token>")
def show_completion(token: str) -> Response:
    """Show the confirmation form; change nothing."""
    loaded = _load(token)
    if isinstance(loaded, Response):
        return loaded
    return _form(token, loaded)


@bp.post("/bestaetigung/<token>")
def submit_completion(token: str) -> Response:
    """Record what happened and the allowance it earns."""
    loaded = _load(token)
    if isinstance(loaded, Response):
        return loaded
    choice = request.form.get("outcome", "")
    if choice not in CHOICES:
        return _form(token, loaded, status=422, errors={"outcome": "Bitte wählen Sie aus, was geschah."})
    duration: int | None = None
    if choice == "took_place":
        raw = (request.form.get("duration_minutes") or "").strip()
        duration = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else -1
    try:
        done = record_completion(
            get_session(),
            assignment=loaded,
            took_place=choice == "took_place",
            duration_minutes=duration,
            travel_km=request.form.get("travel_km"),
            cancelled=None if choice == "took_place" else choice,
            now=local_now(),
            actor="institution",
        )
    except InvalidCompletion as exc:
        return _form(token, loaded, status=422, errors=exc.fields)
    except Conflict as exc:
        return link_page("volunteer/completion_done.html", status=409, message=exc.message)
    if awaits_approval(done):
        message = approval_message(done)
        return link_page("volunteer/completion_done.html", message=f"Vielen Dank! {message}")
    return link_page(
        "volunteer/completion_done.html", message="Vielen Dank! Ihre Bestätigung ist gespeichert."
    )
