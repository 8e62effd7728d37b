"""The feedback page `/rueckmeldung/<token>` after an assignment: GET shows the form, POST (CSRF) stores it once.

One page for both sides: the volunteer also sees the wish for a debriefing talk. Mail scanners open links,
so GET changes nothing; a second POST says kindly that the feedback already arrived.
"""

from __future__ import annotations

from flask import abort, request
from werkzeug.wrappers import Response

from sprachmittlerpool.db import get_session
from sprachmittlerpool.links import LinkExpired
from sprachmittlerpool.models import (
    Assignment,
    Feedback,
    FeedbackSide,
    InterpretingRequest,
    Volunteer,
    local_now,
)
from sprachmittlerpool.pools import use_pool
from sprachmittlerpool.services import feedback as feedback_service
from sprachmittlerpool.services.offers import Conflict, appointment
from sprachmittlerpool.volunteer import bp
from sprachmittlerpool.volunteer.views import link_page

DONE_TEMPLATE = "volunteer/feedback_done.html"


def _load(token: str) -> Feedback:
    """Find the link's row; an old unanswered link is a 410 page, an unknown one a 404."""
    try:
        row = feedback_service.feedback_for_token(get_session(), token, now=local_now())
    except LinkExpired:
        abort(link_page(DONE_TEMPLATE, status=410, message=(
            "Dieser Link ist abgelaufen. Wenn Sie uns trotzdem etwas sagen möchten, "
            "wenden Sie sich gern an die Koordination."
        )))  # fmt: skip
    if row is None:
        abort(404)
    use_pool(row.pool_id)  # the page speaks for the assignment's pool (footer, contact)
    return row


def _form(token: str, row: Feedback, *, status: int = 200, errors: dict[str, str] | None = None) -> Response:
    session = get_session()
    assignment = session.get(Assignment, row.assignment_id)
    assert assignment is not None
    req = session.get(InterpretingRequest, assignment.request_id)
    volunteer = session.get(Volunteer, assignment.volunteer_id)
    assert req is not None
    return link_page(
        "volunteer/feedback.html",
        status=status,
        token=token,
        details=appointment(session, req),
        for_volunteer=row.side == FeedbackSide.VOLUNTEER,
        volunteer_first_name=volunteer.first_name if volunteer else "",
        ratings=feedback_service.RATING_WORDS,
        form=request.form,
        errors=errors or {},
        max_comment=feedback_service.MAX_COMMENT_CHARS,
    )


@bp.get("/rueckmeldung/<token>")
def show_feedback(token: str) -> Response:
    """Show the feedback form, or say that the feedback already arrived; change nothing."""
    row = _load(token)
    if row.submitted_at is not None:
        return link_page(DONE_TEMPLATE, message=feedback_service.ALREADY_RECEIVED)
    return _form(token, row)


@bp.post("/rueckmeldung/<token>")
def submit_feedback(token: str) -> Response:
    """Store the rating, the comment and the debriefing wish once."""
    row = _load(token)
    if row.submitted_at is not None:
        return link_page(DONE_TEMPLATE, status=409, message=feedback_service.ALREADY_RECEIVED)
    try:
        answer = feedback_service.check_answer(row.side, request.form.to_dict())
        feedback_service.submit(get_session(), row, answer, now=local_now())
    except feedback_service.InvalidFeedback as exc:
        return _form(token, row, status=422, errors=exc.fields)
    except Conflict as exc:
        return link_page(DONE_TEMPLATE, status=409, message=exc.message)
    message = "Vielen Dank für Ihre Rückmeldung!"
    if answer.debriefing:
        message += " Die Koordination meldet sich bei Ihnen, um ein Nachgespräch zu vereinbaren."
    return link_page(DONE_TEMPLATE, message=message)
