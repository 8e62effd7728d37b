"""An assignment's life after acceptance: the volunteer withdraws, or the institution cancels.

Both lock the request first (the same order as accepting), so a cancellation racing an acceptance
ends in one of two consistent states: cancelled before (the offer is withdrawn, accepting fails) or
after (the new assignment is cancelled and the volunteer gets the calendar cancellation).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from notifications.compose import Attachment
from sprachmittlerpool.config import cutoff_hours
from sprachmittlerpool.models import (
    Assignment,
    AssignmentStatus,
    InterpretingRequest,
    Offer,
    OfferStatus,
    Outcome,
    RequestStatus,
    Volunteer,
)
from sprachmittlerpool.services import audit
from sprachmittlerpool.services.mail import queue_mail
from sprachmittlerpool.services.offers import (
    OPEN_STATES,
    Conflict,
    appointment,
    calendar_attachment,
    fresh,
    lock_request,
    lock_volunteer,
    retrying,
    set_request_status,
    set_status,
    withdraw_pending,
)


def withdraw_cutoff(assignment: Assignment) -> datetime:
    """Return until when the volunteer may still give an accepted assignment back."""
    return assignment.start - timedelta(hours=cutoff_hours())


def active_assignment(session: Session, request_id: int) -> Assignment | None:
    """Return the request's confirmed assignment, if any."""
    return session.exec(
        select(Assignment).where(
            Assignment.request_id == request_id, Assignment.status == AssignmentStatus.CONFIRMED
        )
    ).first()


def assignment_for_offer(session: Session, offer_id: int) -> Assignment | None:
    """Return the assignment an accepted offer created."""
    return session.exec(select(Assignment).where(Assignment.offer_id == offer_id)).first()


def _cancel_assignment(
    session: Session, assignment: Assignment, *, now: datetime, actor: str, action: str
) -> Assignment:
    """Cancel a confirmed assignment in the caller's transaction and raise its calendar sequence."""
    if not set_status(
        session,
        Assignment,
        assignment.id,
        from_states=[AssignmentStatus.CONFIRMED],
        status=AssignmentStatus.CANCELLED,
        calendar_sequence=assignment.calendar_sequence + 1,
    ):
        raise Conflict("assignment_closed", "Dieser Einsatz ist nicht mehr bestätigt.")
    audit.record(
        session, actor=actor, entity="assignment", entity_id=str(assignment.id), action=action,
        from_state=AssignmentStatus.CONFIRMED, to_state=AssignmentStatus.CANCELLED,
    )  # fmt: skip
    cancelled = fresh(session, Assignment, assignment.id)
    assert cancelled is not None
    return cancelled


def _tell_volunteer_cancelled(
    session: Session,
    assignment: Assignment,
    request: InterpretingRequest,
    *,
    now: datetime,
    by_volunteer: bool,
) -> None:
    volunteer = session.get(Volunteer, assignment.volunteer_id)
    if volunteer is None:
        return
    queue_mail(
        session,
        "assignment_cancelled",
        pool_id=request.pool_id,
        recipient=volunteer.email,
        dedupe_key=f"assignment_cancelled:{assignment.id}",
        context={
            **appointment(session, request),
            "first_name": volunteer.first_name,
            "by_volunteer": by_volunteer,
        },
        attachments=(calendar_attachment(session, assignment, request, now=now, cancel=True),),
        now=now,
    )


@retrying
def withdraw_refusal(offer: Offer, assignment: Assignment | None, *, now: datetime) -> Conflict | None:
    """Say why the volunteer may not give the assignment back now, or None when they may (page and action agree)."""
    if (
        offer.status != OfferStatus.ACCEPTED
        or assignment is None
        or assignment.status != AssignmentStatus.CONFIRMED
    ):
        return Conflict("not_confirmed", "Dieser Einsatz ist nicht (mehr) bestätigt.")
    if now >= withdraw_cutoff(assignment):
        return Conflict(
            "too_late",
            f"Eine Absage über den Link ist nur bis {cutoff_hours()} Stunden vor dem Termin möglich. "
            "Bitte rufen Sie die Koordination an.",
        )
    return None


def withdraw_acceptance(
    session: Session, *, offer_id: int, now: datetime, actor: str = "volunteer"
) -> Assignment:
    """Let the volunteer give an accepted assignment back until the cut-off; the request opens again."""
    try:
        offer = session.get(Offer, offer_id)
        if offer is None:
            raise Conflict("not_found", "Dieses Angebot gibt es nicht.")
        request = lock_request(session, offer.request_id)
        lock_volunteer(session, offer.volunteer_id)
        offer = fresh(session, Offer, offer_id)
        assignment = assignment_for_offer(session, offer_id)
        assert request is not None and offer is not None
        refusal = withdraw_refusal(offer, assignment, now=now)
        if refusal is not None:
            raise refusal
        assert assignment is not None
        assignment = _cancel_assignment(session, assignment, now=now, actor=actor, action="withdraw")
        set_status(session, Offer, offer_id, from_states=[OfferStatus.ACCEPTED], status=OfferStatus.WITHDRAWN)
        audit.record(
            session, actor=actor, entity="offer", entity_id=str(offer_id), action="withdraw_acceptance",
            from_state=OfferStatus.ACCEPTED, to_state=OfferStatus.WITHDRAWN,
        )  # fmt: skip
        request = fresh(session, InterpretingRequest, request.id)
        if not set_request_status(
            session, request, RequestStatus.OPEN, from_states=[RequestStatus.CONFIRMED], now=now, actor=actor,
            action="reopen",
        ):  # fmt: skip
            raise Conflict("request_state", "Die Anfrage ist nicht mehr bestätigt.")
        _tell_volunteer_cancelled(session, assignment, request, now=now, by_volunteer=True)
        queue_mail(
            session,
            "assignment_withdrawn_institution",
            pool_id=request.pool_id,
            recipient=request.contact_email,
            dedupe_key=f"assignment_withdrawn_institution:{assignment.id}",
            context=appointment(session, request),
            attachments=(_institution_cancellation(session, assignment, request, now=now),),
            now=now,
        )
        session.commit()
    except Conflict:
        session.rollback()
        raise
    return assignment


@retrying
def cancel_confirmed(
    session: Session,
    *,
    request: InterpretingRequest,
    now: datetime,
    actor: str,
    also: Callable[[Session], None] | None = None,
) -> Assignment | None:
    """Cancel a request for the institution: late (inside the cut-off) still earns the tariff's cancellation amount.

    Works for confirmed requests and for open or offered ones (pending offers are withdrawn), so a
    cancellation racing an acceptance always ends consistent. Returns the cancelled assignment, if any.
    `also` adds the caller's part (e.g. queueing its mail) inside every attempt's transaction: work done
    before the call would be rolled back with an attempt PostgreSQL aborts, and be lost on the retry.
    """
    try:
        locked = lock_request(session, request.id)
        if locked is None:
            raise Conflict("not_found", "Diese Anfrage gibt es nicht.")
        if also is not None:
            also(session)
        if locked.status in OPEN_STATES:
            withdraw_pending(session, locked.id, now=now, actor=actor, reason="abgesagt")
            locked = fresh(session, InterpretingRequest, locked.id)
            set_request_status(
                session, locked, RequestStatus.CANCELLED, from_states=OPEN_STATES, now=now, actor=actor,
                action="cancel",
            )  # fmt: skip
            session.commit()
            return None
        if locked.status != RequestStatus.CONFIRMED:
            raise Conflict("request_state", "Diese Anfrage kann nicht mehr abgesagt werden.")
        assignment = active_assignment(session, locked.id)
        if assignment is None:
            raise Conflict("request_state", "Zu dieser Anfrage gibt es keinen bestätigten Einsatz.")
        lock_volunteer(session, assignment.volunteer_id)
        late = locked.start - now < timedelta(hours=cutoff_hours())
        assignment = _cancel_assignment(session, assignment, now=now, actor=actor, action="cancel")
        from sprachmittlerpool.services.completion import apply_outcome

        apply_outcome(
            session,
            assignment,
            outcome=Outcome.LATE if late else Outcome.EARLY,
            duration_minutes=0,
            travel_km=Decimal(0),
            now=now,
            actor=actor,
        )
        locked = fresh(session, InterpretingRequest, locked.id)
        set_request_status(
            session, locked, RequestStatus.CANCELLED, from_states=[RequestStatus.CONFIRMED], now=now, actor=actor,
            action="cancel_late" if late else "cancel",
        )  # fmt: skip
        _tell_volunteer_cancelled(session, assignment, locked, now=now, by_volunteer=False)
        session.commit()
    except Conflict:
        session.rollback()
        raise
    return fresh(session, Assignment, assignment.id)


cancel_request = cancel_confirmed


def release_future_assignments(session: Session, volunteer_id: int, *, now: datetime, actor: str) -> int:
    """Give back an erased volunteer's confirmed future assignments in the caller's transaction; return how many.

    Each request opens again for matching and its institution gets the withdrawal mail, as when a
    volunteer withdraws; the volunteer gets no mail, because erasure must leave no address behind.
    """
    future = session.exec(
        select(Assignment).where(
            Assignment.volunteer_id == volunteer_id,
            Assignment.status == AssignmentStatus.CONFIRMED,
            Assignment.start > now,
        )
    ).all()
    for assignment in future:
        request = lock_request(session, assignment.request_id)
        assert request is not None
        _cancel_assignment(session, assignment, now=now, actor=actor, action="release_erased")
        set_status(
            session,
            Offer,
            assignment.offer_id,
            from_states=[OfferStatus.ACCEPTED],
            status=OfferStatus.WITHDRAWN,
        )
        request = fresh(session, InterpretingRequest, request.id)
        set_request_status(
            session, request, RequestStatus.OPEN, from_states=[RequestStatus.CONFIRMED], now=now, actor=actor,
            action="reopen",
        )  # fmt: skip
        queue_mail(
            session,
            "assignment_withdrawn_institution",
            pool_id=request.pool_id,
            recipient=request.contact_email,
            dedupe_key=f"assignment_withdrawn_institution:{assignment.id}",
            context=appointment(session, request),
            attachments=(_institution_cancellation(session, assignment, request, now=now),),
            now=now,
        )
    return len(future)


def _institution_cancellation(
    session: Session, assignment: Assignment, request: InterpretingRequest, *, now: datetime
) -> Attachment:
    """The cancellation of the institution's calendar entry for a cancelled assignment (same UID, its new SEQUENCE)."""
    cancelled = fresh(session, Assignment, assignment.id)
    assert cancelled is not None
    return calendar_attachment(session, cancelled, request, now=now, cancel=True, for_institution=True)
