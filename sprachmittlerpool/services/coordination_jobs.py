"""Scheduled coordination jobs: level-triggered, so each run handles everything due and a rerun does nothing.

Each job runs in the job runner's transaction (which commits it with its job_run row); a "done"
mark (reminder_sent_at, unfilled_warned_at, followup_sent_at, the offer's state) is set in that
same transaction, and mails carry per-fact dedupe keys, so no mail goes out twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlmodel import Session, col, select

from sprachmittlerpool import links
from sprachmittlerpool.models import (
    Assignment,
    AssignmentStatus,
    InterpretingRequest,
    Offer,
    OfferStatus,
    RequestStatus,
    Volunteer,
)
from sprachmittlerpool.pools import base_url_of
from sprachmittlerpool.services import offers
from sprachmittlerpool.services.mail import queue_mail
from sprachmittlerpool.services.offers import (
    OPEN_STATES,
    appointment,
    fresh,
    lock_request,
    set_request_status,
)

UNFILLED_REASON_TEXTS = {
    "capacity": "Alle passenden Sprachmittler/innen waren zu diesem Termin schon verplant oder haben abgesagt.",
    "no_candidate": "Im Pool gibt es für diese Sprache, diesen Ort und diese Zeit niemanden.",
    "no_language": "Im Pool gibt es niemanden für diese Sprache.",
    "too_far": "Alle Sprachmittler/innen für diese Sprache wohnen zu weit entfernt.",
    "not_available": "Zu dieser Zeit ist niemand für diese Sprache verfügbar.",
    "no_remote": "Für Termine am Telefon oder per Video in dieser Sprache steht niemand zur Verfügung.",
    "no_written": "Für schriftliche Übersetzungen in dieser Sprache steht niemand zur Verfügung.",
    "no_qualified": "Niemand für diese Sprache hat zu diesem Termin alle Nachweise, die Ihre Einrichtungsart verlangt "
    "(z. B. ein erweitertes Führungszeugnis).",
}


def expire_offers(session: Session, *, now: datetime) -> str:
    """Expire every pending offer past its time; requests without another offer open again."""
    due = session.exec(
        select(Offer)
        .where(Offer.status == OfferStatus.PENDING, Offer.expires_at <= now)
        .order_by(col(Offer.id))
    ).all()
    count = sum(offers.expire(session, offer, now=now) for offer in due)
    return f"{count} Angebote abgelaufen"


def send_reminders(session: Session, *, now: datetime) -> str:
    """Remind each volunteer once, the day before (or on catch-up, before the start) of a confirmed assignment."""
    tomorrow_end = datetime.combine(now.date() + timedelta(days=2), datetime.min.time())
    due = session.exec(
        select(Assignment).where(
            Assignment.status == AssignmentStatus.CONFIRMED,
            col(Assignment.reminder_sent_at).is_(None),
            Assignment.start > now,
            Assignment.start < tomorrow_end,
        )
    ).all()
    for assignment in due:
        request = session.get(InterpretingRequest, assignment.request_id)
        volunteer = session.get(Volunteer, assignment.volunteer_id)
        assert request is not None and volunteer is not None
        queue_mail(
            session,
            "reminder",
            pool_id=request.pool_id,
            recipient=volunteer.email,
            dedupe_key=f"reminder:{assignment.id}",
            context={**appointment(session, request), "first_name": volunteer.first_name},
            now=now,
        )
        assignment.reminder_sent_at = now
        session.add(assignment)
    session.flush()
    return f"{len(due)} Erinnerungen"


def warn_unfilled(session: Session, *, now: datetime) -> str:
    """Warn institutions early about requests still without an interpreter; at the cut-off mark them unfilled."""
    config = current_app.config
    cutoff = timedelta(hours=int(config["OFFER_CUTOFF_HOURS"]))
    warn_before = timedelta(days=int(config["UNFILLED_WARN_DAYS"]))
    unfilled = 0
    for request in session.exec(
        select(InterpretingRequest).where(
            col(InterpretingRequest.status).in_(list(OPEN_STATES)), InterpretingRequest.start <= now + cutoff
        )
    ).all():
        unfilled += _mark_unfilled(session, request.id, now=now)
    warned = 0
    for request in session.exec(
        select(InterpretingRequest).where(
            col(InterpretingRequest.status).in_(list(OPEN_STATES)),
            col(InterpretingRequest.unfilled_warned_at).is_(None),
            InterpretingRequest.start <= now + warn_before,
        )
    ).all():
        queue_mail(
            session,
            "unfilled_warning",
            pool_id=request.pool_id,
            recipient=request.contact_email,
            dedupe_key=f"unfilled_warning:{request.id}",
            context=appointment(session, request),
            now=now,
        )
        request.unfilled_warned_at = now
        session.add(request)
        warned += 1
    session.flush()
    return f"{warned} Vorwarnungen, {unfilled} nicht besetzt"


def _mark_unfilled(session: Session, request_id: int, *, now: datetime) -> int:
    request = lock_request(session, request_id)
    if request is None or request.status not in OPEN_STATES:
        return 0
    had_offers = session.exec(select(Offer.id).where(Offer.request_id == request_id)).first() is not None
    reason = request.unfilled_reason or ("capacity" if had_offers else "no_candidate")
    offers.withdraw_pending(session, request_id, now=now, actor="system", reason="frist")
    request = fresh(session, InterpretingRequest, request_id)
    if not set_request_status(
        session, request, RequestStatus.UNFILLED, from_states=OPEN_STATES, now=now, actor="system",
        action="unfilled", unfilled_reason=reason,
    ):  # fmt: skip
        return 0
    queue_mail(
        session,
        "unfilled",
        pool_id=request.pool_id,
        recipient=request.contact_email,
        dedupe_key=f"unfilled:{request_id}",
        context={
            **appointment(session, request),
            "reason": UNFILLED_REASON_TEXTS.get(reason, "Es wurde niemand gefunden."),
        },
        now=now,
    )
    return 1


def ask_completion(session: Session, *, now: datetime) -> str:
    """After an appointment, ask the institution once to confirm what happened (a signed link)."""
    due = session.exec(
        select(Assignment, InterpretingRequest)
        .join(InterpretingRequest, col(InterpretingRequest.id) == Assignment.request_id)
        .where(
            Assignment.status == AssignmentStatus.CONFIRMED,
            Assignment.end <= now,
            col(InterpretingRequest.followup_sent_at).is_(None),
        )
    ).all()
    for assignment, request in due:
        volunteer = session.get(Volunteer, assignment.volunteer_id)
        queue_mail(
            session,
            "completion_request",
            pool_id=request.pool_id,
            recipient=request.contact_email,
            dedupe_key=f"completion_request:{assignment.id}",
            context={
                **appointment(session, request),
                "volunteer_first_name": volunteer.first_name if volunteer else "",
                "url": links.completion_url(base_url_of(session, request.pool_id), assignment.id),
            },
            now=now,
        )
        request.followup_sent_at = now
        session.add(request)
    session.flush()
    return f"{len(due)} Bestätigungen angefragt"


__all__ = ["ask_completion", "expire_offers", "send_reminders", "warn_unfilled"]
