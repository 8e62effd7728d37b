"""Aftercare (Nachsorge): a short optional feedback after an assignment, and debriefing requests.

After an outcome is recorded, the `ask_feedback` job mails each side that was there one link (random,
stored hashed, valid FEEDBACK_LINK_DAYS days): the volunteer and the institution's contact rate how it
went (1–5) and may add a comment; the volunteer may ask for a debriefing talk (Nachgespräch), which a
coordinator sees at once on the dashboard and marks handled. Who is asked follows WHO_IS_ASKED: nobody
is asked about an appointment that did not happen or by the party that was absent.

The job is safe with two schedulers: the job runner's (job, period) row, a compare-and-set on
`assignment.feedback_requested_at`, the unique (assignment, side) row and the mails' dedupe keys each stop
a second round. Only outcomes recorded in the last ASK_WITHIN_DAYS days are asked about, so switching the
feature on never mails about old assignments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from sprachmittlerpool import links, security
from sprachmittlerpool.german import date_long
from sprachmittlerpool.links import LinkExpired
from sprachmittlerpool.models import (
    Assignment,
    Feedback,
    FeedbackSide,
    InterpretingRequest,
    Outcome,
    Volunteer,
)
from sprachmittlerpool.pools import base_url_of
from sprachmittlerpool.services import audit
from sprachmittlerpool.services.mail import queue_mail
from sprachmittlerpool.services.offers import Conflict, appointment
from sprachmittlerpool.text_check import text_problem

FEEDBACK_LINK_DAYS = 30
ASK_WITHIN_DAYS = 14
MAX_COMMENT_CHARS = 2000
# Who is asked after which outcome: those who were there. A cancelled appointment asks nobody; when the
# client stayed away the volunteer was there (and may want to talk), when the volunteer stayed away only
# the institution can say how that went.
WHO_IS_ASKED: dict[str, tuple[FeedbackSide, ...]] = {
    Outcome.TOOK_PLACE: (FeedbackSide.VOLUNTEER, FeedbackSide.INSTITUTION),
    Outcome.NO_SHOW: (FeedbackSide.VOLUNTEER,),
    Outcome.VOLUNTEER_NO_SHOW: (FeedbackSide.INSTITUTION,),
    Outcome.LATE: (),
    Outcome.EARLY: (),
}
RATING_WORDS = {1: "schlecht", 2: "eher schlecht", 3: "mittel", 4: "gut", 5: "sehr gut"}
ALREADY_RECEIVED = "Ihre Rückmeldung zu diesem Einsatz haben wir schon erhalten. Vielen Dank!"


class InvalidFeedback(ValueError):
    """The form's values cannot be stored; `fields` says which and why (German)."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


@dataclass(frozen=True)
class Answer:
    """A checked feedback: the rating, the comment and (the volunteer's) wish for a debriefing talk."""

    rating: int
    comment: str
    debriefing: bool


# ---------------------------------------------------------------- the job


def ask_feedback(session: Session, *, now: datetime) -> str:
    """Mail the feedback links once per assignment whose outcome was recorded lately; mark it asked."""
    due = session.exec(
        select(Assignment, InterpretingRequest)
        .join(InterpretingRequest, col(InterpretingRequest.id) == Assignment.request_id)
        .where(
            col(Assignment.completed_at).is_not(None),
            col(Assignment.completed_at) >= now - timedelta(days=ASK_WITHIN_DAYS),
            col(Assignment.feedback_requested_at).is_(None),
            col(Assignment.outcome).is_not(None),
            col(InterpretingRequest.anonymised_at).is_(None),
        )
        .order_by(col(Assignment.id))
    ).all()
    mails = 0
    for assignment, request in due:
        if _claim(session, assignment.id, now=now):
            mails += _ask(session, assignment, request, now=now)
    session.flush()
    return f"{mails} Rückmeldungen erbeten"


def _claim(session: Session, assignment_id: int | None, *, now: datetime) -> bool:
    """Set feedback_requested_at only if still unset: a second scheduler's transaction finds it taken."""
    result = session.exec(
        update(Assignment)
        .where(col(Assignment.id) == assignment_id, col(Assignment.feedback_requested_at).is_(None))
        .values(feedback_requested_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _ask(session: Session, assignment: Assignment, request: InterpretingRequest, *, now: datetime) -> int:
    volunteer = session.get(Volunteer, assignment.volunteer_id)
    context = appointment(session, request)
    sent = 0
    for side in WHO_IS_ASKED.get(str(assignment.outcome), ()):
        if side is FeedbackSide.VOLUNTEER:
            if volunteer is None or volunteer.anonymised_at is not None or not volunteer.email:
                continue
            recipient, extra = volunteer.email, {"first_name": volunteer.first_name}
        else:
            if not request.contact_email:
                continue
            recipient = request.contact_email
            extra = {"volunteer_first_name": volunteer.first_name if volunteer else ""}
        token, row = new_link(session, assignment, side, now=now)
        queue_mail(
            session,
            f"feedback_{side}",
            pool_id=assignment.pool_id,
            recipient=recipient,
            dedupe_key=f"feedback_{side}:{assignment.id}",
            context={
                **context,
                **extra,
                "url": links.feedback_url(base_url_of(session, assignment.pool_id), token),
                "valid_until": date_long(row.expires_at.date()),
            },
            now=now,
        )
        sent += 1
    return sent


def new_link(
    session: Session, assignment: Assignment, side: FeedbackSide, *, now: datetime
) -> tuple[str, Feedback]:
    """Make the feedback row of one side with a fresh link; return the token (only mailed, never stored)."""
    token = security.new_token()
    row = Feedback(
        pool_id=assignment.pool_id,
        assignment_id=assignment.id,
        side=side,
        token_hash=security.token_hash(token),
        created_at=now,
        expires_at=now + timedelta(days=FEEDBACK_LINK_DAYS),
    )
    session.add(row)
    session.flush()
    return token, row


# ---------------------------------------------------------------- the form


def feedback_for_token(session: Session, token: str, *, now: datetime) -> Feedback | None:
    """Find a feedback link; None for a forged token, LinkExpired when it is old and still unanswered."""
    if not token or len(token) > 200:
        return None
    row = session.exec(select(Feedback).where(Feedback.token_hash == security.token_hash(token))).first()
    if row is not None and row.submitted_at is None and row.expires_at <= now:
        raise LinkExpired
    return row


def check_answer(side: str, form: dict[str, str]) -> Answer:
    """Read the form: a rating 1–5 is needed, the comment is optional; raise InvalidFeedback in German."""
    fields: dict[str, str] = {}
    raw = (form.get("rating") or "").strip()
    rating = int(raw) if raw in {"1", "2", "3", "4", "5"} else 0
    if not rating:
        fields["rating"] = "Bitte wählen Sie eine Bewertung von 1 bis 5."
    comment = (form.get("comment") or "").strip()
    if len(comment) > MAX_COMMENT_CHARS:
        fields["comment"] = f"Bitte höchstens {MAX_COMMENT_CHARS} Zeichen."
    elif problem := text_problem(comment, multiline=True):
        fields["comment"] = problem
    if fields:
        raise InvalidFeedback(fields)
    wants_talk = side == FeedbackSide.VOLUNTEER and form.get("debriefing") == "ja"
    return Answer(rating=rating, comment=comment, debriefing=wants_talk)


def submit(session: Session, row: Feedback, answer: Answer, *, now: datetime) -> None:
    """Store the answer once and commit; a second submit raises Conflict with a kind German sentence."""
    result = session.exec(
        update(Feedback)
        .where(col(Feedback.id) == row.id, col(Feedback.submitted_at).is_(None))
        .values(
            submitted_at=now,
            rating=answer.rating,
            comment=answer.comment,
            debriefing_wanted=answer.debriefing,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        raise Conflict("already_received", ALREADY_RECEIVED)
    audit.record(
        session, actor=str(row.side), entity="assignment", entity_id=str(row.assignment_id),
        action="feedback_received", detail={"side": row.side, "debriefing": answer.debriefing},
    )  # fmt: skip
    session.commit()


# ---------------------------------------------------------------- the coordination


def open_debriefings(
    session: Session, *, pool_id: int
) -> list[tuple[Feedback, Assignment, Volunteer | None]]:
    """Return the debriefing talks asked for and not yet marked handled, oldest wish first."""
    rows = session.exec(
        select(Feedback, Assignment)
        .join(Assignment, col(Assignment.id) == Feedback.assignment_id)
        .where(
            Feedback.pool_id == pool_id,
            col(Feedback.debriefing_wanted).is_(True),
            col(Feedback.debriefing_done_at).is_(None),
        )
        .order_by(col(Feedback.submitted_at), col(Feedback.id))
    ).all()
    return [
        (feedback, assignment, session.get(Volunteer, assignment.volunteer_id))
        for feedback, assignment in rows
    ]


def mark_debriefing_done(session: Session, feedback_id: int, *, user_id: int, now: datetime) -> None:
    """Mark a debriefing wish handled (once) and audit it; commit, or raise Conflict in German."""
    result = session.exec(
        update(Feedback)
        .where(
            col(Feedback.id) == feedback_id,
            col(Feedback.debriefing_wanted).is_(True),
            col(Feedback.debriefing_done_at).is_(None),
        )
        .values(debriefing_done_at=now, debriefing_done_by_id=user_id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        raise Conflict("no_debriefing", "Dieses Nachgespräch ist schon als erledigt vermerkt.")
    row = session.get(Feedback, feedback_id)
    assert row is not None
    audit.record(
        session, actor=f"user:{user_id}", entity="assignment", entity_id=str(row.assignment_id),
        action="debriefing_done", detail={"feedback": str(feedback_id)},
    )  # fmt: skip
    session.commit()


def feedback_of_request(session: Session, request_id: int) -> list[tuple[Feedback, Assignment]]:
    """Return the feedback received for a request's assignments (cancelled ones too), in order."""
    return list(
        session.exec(
            select(Feedback, Assignment)
            .join(Assignment, col(Assignment.id) == Feedback.assignment_id)
            .where(Assignment.request_id == request_id, col(Feedback.submitted_at).is_not(None))
            .order_by(col(Feedback.submitted_at), col(Feedback.id))
        ).all()
    )
