"""Aftercare on the coordinators' side: marking a volunteer's debriefing wish handled, after a confirmation step.

The wish stays on the dashboard until a coordinator marks it; the mark is audited and shows in the
request's history, so the next person sees who took care of it and when.
"""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sprachmittlerpool.confirmation import Confirmation, confirmation_page, confirmed
from sprachmittlerpool.coordination import bp
from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import Assignment, Feedback, Volunteer, local_now
from sprachmittlerpool.pools import get_in_pool
from sprachmittlerpool.services import feedback as feedback_service
from sprachmittlerpool.services.offers import Conflict


@bp.post("/rueckmeldungen/<int:feedback_id>/nachgespraech")
def debriefing_done(feedback_id: int) -> Response | str:
    """Ask first, then mark the debriefing wish handled and go back to the request page."""
    db = get_session()
    row = get_in_pool(db, Feedback, feedback_id)
    if row is None or not row.debriefing_wanted:
        abort(404)
    assignment = db.get(Assignment, row.assignment_id)
    assert assignment is not None
    back = url_for("coordination.request_detail", request_id=assignment.request_id) + "#rueckmeldungen"
    if not confirmed():
        return confirmation_page(_confirmation(row, assignment, back))
    try:
        feedback_service.mark_debriefing_done(db, feedback_id, user_id=int(current_user.id), now=local_now())
    except Conflict as exc:
        flash(exc.message, "error")
    else:
        flash("Das Nachgespräch ist als erledigt vermerkt.", "success")
    return redirect(back)


def _confirmation(row: Feedback, assignment: Assignment, back: str) -> Confirmation:
    volunteer = get_session().get(Volunteer, assignment.volunteer_id)
    name = volunteer.name if volunteer else "die Sprachmittlerin oder der Sprachmittler"
    return Confirmation(
        question=f"Nachgespräch mit {name} als erledigt vermerken?",
        happens=(
            "Der Wunsch verschwindet aus der Übersicht.",
            "Im Verlauf der Anfrage steht, wer das Nachgespräch wann als erledigt vermerkt hat.",
            "Das lässt sich nicht rückgängig machen.",
        ),
        mail=("Niemand bekommt eine E-Mail.",),
        button="Ja, als erledigt vermerken",
        action=url_for("coordination.debriefing_done", feedback_id=row.id),
        back_url=back,
        back_label="Zurück zur Anfrage",
    )
