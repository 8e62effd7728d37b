"""Whether a volunteer can take work now, and what happens to their open offers when they cannot.

An offer is a promise that the person may say yes; once they are deactivated, erased or away on the
appointment's day that promise is void. The accept path asks `check_can_accept`, and every change that
makes a volunteer unavailable calls `withdraw_offers_of` in its own transaction, so no pending offer
outlives the reason it was made.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlmodel import Session, col, select

from sprachmittlerpool.models import Absence, InterpretingRequest, Offer, OfferStatus, Volunteer
from sprachmittlerpool.services.offers import (
    Conflict,
    _withdraw,
    close_pending_offer,
    fresh,
    reopen_if_unanswered,
)

INACTIVE_MESSAGE = (
    "Sie sind zurzeit nicht als aktiv eingetragen und können dieses Angebot nicht annehmen. "
    "Bitte wenden Sie sich an die Koordination."
)
ABSENT_MESSAGE = (
    "Sie haben sich für den Tag dieses Termins als abwesend eingetragen und können ihn nicht annehmen."
)


def absent_during(session: Session, volunteer_id: int, start: datetime, end: datetime) -> bool:
    """Tell whether a recorded absence (whole days, both ends inclusive) touches [start, end]."""
    hit = session.exec(
        select(Absence.id).where(
            Absence.volunteer_id == volunteer_id,
            col(Absence.start) <= end.date(),
            col(Absence.end) >= start.date(),
        )
    ).first()
    return hit is not None


def check_can_accept(session: Session, volunteer: Volunteer, request: InterpretingRequest) -> None:
    """Raise Conflict when the volunteer may not take this appointment (inactive, erased or away)."""
    if not volunteer.active or volunteer.anonymised_at is not None:
        raise Conflict("volunteer_inactive", INACTIVE_MESSAGE)
    if absent_during(session, volunteer.id, request.start, request.end):
        raise Conflict("volunteer_absent", ABSENT_MESSAGE)


def withdraw_offers_of(
    session: Session,
    volunteer_id: int,
    *,
    now: datetime,
    actor: str,
    reason: str,
    days: tuple[date, date] | None = None,
    tell_volunteer: bool = True,
) -> int:
    """Withdraw the volunteer's pending offers (only those on `days`, if given) in the caller's transaction.

    Each request opens again when no other offer is live. `tell_volunteer=False` is for erasure: the
    person is gone, and a mail would keep their address in the outbox.
    """
    query = (
        select(Offer, InterpretingRequest)
        .join(InterpretingRequest, col(InterpretingRequest.id) == Offer.request_id)
        .where(Offer.volunteer_id == volunteer_id, Offer.status == OfferStatus.PENDING)
    )
    if days is not None:
        query = query.where(
            col(InterpretingRequest.start) <= datetime.combine(days[1], time.max),
            col(InterpretingRequest.end) >= datetime.combine(days[0], time()),
        )
    withdrawn = 0
    for offer, request in session.exec(query).all():
        if tell_volunteer:
            changed = _withdraw(session, offer, now=now, actor=actor, reason=reason)
        else:
            changed = _withdraw_silently(session, offer, now=now, actor=actor, reason=reason)
        if changed:
            withdrawn += 1
            reopen_if_unanswered(
                session, fresh(session, InterpretingRequest, request.id), now=now, actor=actor
            )
    return withdrawn


def _withdraw_silently(session: Session, offer: Offer, *, now: datetime, actor: str, reason: str) -> bool:
    return close_pending_offer(
        session,
        offer.id,
        OfferStatus.WITHDRAWN,
        now=now,
        actor=actor,
        action="withdraw",
        detail={"reason": reason},
    )
