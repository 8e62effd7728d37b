"""The offer state machine: pending → accepted | declined | expired | withdrawn, answered once.

Every change is a compare-and-set (`UPDATE … WHERE status = 'pending'`, one row or a conflict)
inside one transaction that first locks the request, then the volunteer (a fixed order, so two
transactions never wait for each other in a circle). SQLite serialises writers with BEGIN IMMEDIATE;
PostgreSQL re-checks the WHERE under READ COMMITTED. The database's backstops (one accepted offer per
request, no overlapping assignments of a volunteer) turn a slipped-through race into a Conflict.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from email.utils import parseaddr
from importlib import import_module
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from babel.dates import format_date
from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, func, select

from notifications.compose import Attachment
from sprachmittlerpool import ics, links
from sprachmittlerpool.config import cutoff_hours
from sprachmittlerpool.models import (
    Assignment,
    AssignmentStatus,
    Institution,
    InterpretingRequest,
    Language,
    Loan,
    LoanStatus,
    Municipality,
    Offer,
    OfferStatus,
    RequestMode,
    RequestStatus,
    Volunteer,
    VolunteerLanguage,
)
from sprachmittlerpool.pools import base_url_of
from sprachmittlerpool.security import new_token, token_hash
from sprachmittlerpool.services import audit
from sprachmittlerpool.services.mail import mail_identity, queue_mail
from sprachmittlerpool.services.qualifications import due_words, place_words

log = logging.getLogger(__name__)
_jitter = random.SystemRandom()

P = ParamSpec("P")
T = TypeVar("T")

RETRY_ATTEMPTS = 4
RETRY_BASE_SECONDS = 0.05  # 50, 100, 200 ms (each ±50 %) between the four attempts
BUSY_MESSAGE = (
    "Gerade wird gleichzeitig an diesem Termin gearbeitet. Bitte versuchen Sie es gleich noch einmal."
)
RETRY_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected
OPEN_STATES = (RequestStatus.OPEN, RequestStatus.OFFERED)


class Conflict(Exception):
    """The action does not fit the current state; `code` names why, the message says it in German."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def retrying(func: Callable[P, T]) -> Callable[P, T]:
    """Retry a service when PostgreSQL aborts it for a serialization failure or deadlock, a bounded number of times.

    Each retry is logged and waits a short, growing pause with jitter, so two transactions that just
    deadlocked do not collide again in lockstep. When the attempts are used up the caller gets a
    Conflict (409, in German) instead of a database error: nothing was committed and trying again
    later is the right advice. Other database errors (a lost connection) pass through unchanged.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        session: Session = kwargs.get("session") or args[0]  # type: ignore[assignment]
        for attempt in range(1, RETRY_ATTEMPTS + 1):
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                session.rollback()
                sqlstate = _sqlstate(exc)
                if sqlstate not in RETRY_SQLSTATES:
                    raise
                if attempt == RETRY_ATTEMPTS:
                    log.warning(
                        "%s gave up after %d attempts (SQLSTATE %s)", func.__name__, attempt, sqlstate
                    )
                    raise Conflict("busy", BUSY_MESSAGE) from exc
                pause = retry_pause(attempt)
                log.warning(
                    "%s attempt %d of %d aborted (SQLSTATE %s); retrying in %.0f ms",
                    func.__name__, attempt, RETRY_ATTEMPTS, sqlstate, pause * 1000,
                )  # fmt: skip
                time.sleep(pause)
        raise AssertionError("unreachable")

    return wrapper


def retry_pause(attempt: int) -> float:
    """Return the pause before retry `attempt` + 1: doubling from RETRY_BASE_SECONDS, with ±50 % jitter."""
    return RETRY_BASE_SECONDS * 2 ** (attempt - 1) * _jitter.uniform(0.5, 1.5)


def _sqlstate(exc: OperationalError) -> str | None:
    return getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)


# --- loading and locking -------------------------------------------------------------------------


def lock_request(session: Session, request_id: int) -> InterpretingRequest | None:
    """Load a request with a row lock (first in the lock order), fresh from the database."""
    return session.exec(
        select(InterpretingRequest)
        .where(InterpretingRequest.id == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def lock_volunteer(session: Session, volunteer_id: int) -> Volunteer | None:
    """Load a volunteer with a row lock (second in the lock order), so one person's bookings serialise."""
    return session.exec(
        select(Volunteer)
        .where(Volunteer.id == volunteer_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def fresh(session: Session, model: type[T], row_id: int) -> T | None:
    """Load a row as the database has it now (not the session's possibly stale copy)."""
    return session.get(model, row_id, populate_existing=True)


def offer_for_token(session: Session, token: str) -> Offer | None:
    """Find the offer a link token belongs to; unknown or tampered tokens find nothing."""
    if not token or len(token) > 200:
        return None
    return session.exec(select(Offer).where(Offer.token_hash == token_hash(token))).first()


def set_status(
    session: Session, model: Any, row_id: int, *, from_states: Iterable[str], **values: Any
) -> bool:
    """Compare-and-set a row's status; tell whether exactly this transaction changed it."""
    result = session.exec(
        update(model)
        .where(model.id == row_id, col(model.status).in_(list(from_states)))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    changed = result.rowcount == 1
    if changed:
        session.expire_all()  # later reads see the new state
    return changed


def overlaps_assignment(session: Session, *, volunteer_id: int, start: datetime, end: datetime) -> bool:
    """Tell whether the volunteer already holds a non-cancelled assignment overlapping [start, end).

    A written translation holds no hour of its due day: callers skip the check for one, and it is no clash here.
    """
    clash = session.exec(
        select(Assignment.id).where(
            Assignment.volunteer_id == volunteer_id,
            Assignment.status != AssignmentStatus.CANCELLED,
            col(Assignment.written).is_(False),
            Assignment.start < end,
            start < Assignment.end,
        )
    ).first()
    return clash is not None


def _written(request: InterpretingRequest) -> bool:
    return request.mode == RequestMode.WRITTEN


def has_live_offer(session: Session, request_id: int) -> bool:
    """Tell whether a request still has a pending or accepted offer."""
    count = session.exec(
        select(func.count())
        .select_from(Offer)
        .where(
            Offer.request_id == request_id,
            col(Offer.status).in_([OfferStatus.PENDING, OfferStatus.ACCEPTED]),
        )
    ).one()
    return count > 0


def set_request_status(
    session: Session,
    request: InterpretingRequest,
    to: RequestStatus,
    *,
    from_states: Iterable[str],
    now: datetime,
    actor: str,
    action: str,
    **values: Any,
) -> bool:
    """Move a request between states by compare-and-set, with its audit row."""
    before = request.status
    if not set_status(
        session, InterpretingRequest, request.id, from_states=from_states, status=to, updated_at=now, **values
    ):
        return False
    audit.record(
        session,
        actor=actor,
        entity="request",
        entity_id=str(request.id),
        action=action,
        from_state=str(before),
        to_state=str(to),
    )
    return True


def close_pending_offer(
    session: Session,
    offer_id: int,
    to: OfferStatus,
    *,
    now: datetime,
    actor: str,
    action: str,
    detail: dict[str, Any] | None = None,
    **values: Any,
) -> bool:
    """Move a pending offer to its answer (accepted, declined, withdrawn, expired) by compare-and-set, with its audit row.

    Returns False, changing nothing, when the offer was no longer pending: someone else answered first.
    """
    if not set_status(
        session, Offer, offer_id, from_states=[OfferStatus.PENDING], status=to, answered_at=now, **values
    ):
        return False
    audit.record(
        session, actor=actor, entity="offer", entity_id=str(offer_id), action=action,
        from_state=OfferStatus.PENDING, to_state=to, detail=detail,
    )  # fmt: skip
    return True


def reopen_if_unanswered(
    session: Session, request: InterpretingRequest, *, now: datetime, actor: str
) -> None:
    """Put an offered request back to open when no pending or accepted offer is left."""
    if request.status == RequestStatus.OFFERED and not has_live_offer(session, request.id):
        set_request_status(
            session,
            request,
            RequestStatus.OPEN,
            from_states=[RequestStatus.OFFERED],
            now=now,
            actor=actor,
            action="reopen",
        )


# --- mail context --------------------------------------------------------------------------------


def format_day(moment: datetime) -> str:
    """Return a German long date, e.g. "Dienstag, 14. Oktober 2025"."""
    return format_date(moment.date(), format="full", locale="de_DE")


def appointment(session: Session, request: InterpretingRequest) -> dict[str, Any]:
    """Return what a volunteer may know before accepting: when, where, which language, which institution.

    Deliberately without topic, appointment type, contact person or anything about the client.
    """
    municipality = session.get(Municipality, (request.pool_id, request.municipality_id))
    language = session.get(Language, (request.pool_id, request.language_code))
    institution = session.get(Institution, request.institution_id)
    place_name = municipality.name if municipality else request.municipality_id
    return {
        "day": format_day(request.start),
        "time": due_words(request) if _written(request) else f"{request.start:%H:%M}–{request.end:%H:%M} Uhr",
        "municipality": place_name,
        "address": request.address,
        "place": place_words(request, place_name),
        "language": language.name_de if language else request.language_code,
        "dialect": request.dialect,
        "institution": institution.name if institution else "",
    }


def calendar_attachment(
    session: Session,
    assignment: Assignment,
    request: InterpretingRequest,
    *,
    now: datetime,
    cancel: bool = False,
    for_institution: bool = False,
) -> Attachment:
    """Render the assignment's calendar entry (or its cancellation) for the volunteer or the institution.

    Both get the same UID and SEQUENCE, so a later update or cancellation replaces the entry in either
    calendar; only the attendee (and the other side's name in the title) differ.
    """
    details = appointment(session, request)
    volunteer = session.get(Volunteer, assignment.volunteer_id)
    assert volunteer is not None
    if for_institution:
        title = f"Sprachmittlung {details['language']} – {volunteer.first_name}"
        attendee = ics.Party(request.contact_name, request.contact_email)
    else:
        title = f"Sprachmittlung {details['language']} – {details['institution']}"
        attendee = ics.Party(volunteer.name, volunteer.email)
    content = ics.assignment_calendar(
        assignment,
        summary=title,
        location=details["place"],
        organizer=pool_contact(session, pool_id=request.pool_id),
        attendee=attendee,
        domain=installation_domain(current_app.config),
        now=now,
        cancel=cancel,
    )
    return ics.attachment(content, cancel=cancel)


def pool_contact(session: Session, *, pool_id: int) -> ics.Party:
    """Return the pool's name and contact address for calendar entries (else the sender's address)."""
    identity = mail_identity(session, pool_id=pool_id)
    sender = parseaddr(str(current_app.config.get("MAIL_DEFAULT_SENDER") or ""))[1]
    return ics.Party(identity.name, identity.email or sender or "sprachmittlerpool@localhost")


def installation_domain(config: Mapping[str, Any]) -> str:
    """Return the host of BASE_URL: what makes this installation's calendar UIDs its own."""
    return urlsplit(str(config["BASE_URL"])).hostname or "localhost"


# --- the verbs -----------------------------------------------------------------------------------


def offer_expiry(request: InterpretingRequest, *, now: datetime) -> datetime:
    """Return when an offer made now runs out: after OFFER_VALID_HOURS, at the latest at the cut-off."""
    config = current_app.config
    return min(
        now + timedelta(hours=int(config["OFFER_VALID_HOURS"])),
        request.start - timedelta(hours=cutoff_hours()),
    )


@retrying
def make_offer(
    session: Session,
    *,
    request_id: int,
    volunteer_id: int,
    now: datetime,
    actor: str,
    user_id: int | None = None,
    loan_id: int | None = None,
) -> tuple[Offer, str]:
    """Offer a request to a volunteer and mail them the link; commit, or raise Conflict and change nothing.

    A volunteer of another pool only through `loan_id`, a loan of this request and person the lending
    pool has agreed to (services/sharing.py).
    """
    try:
        return _make_offer(
            session,
            request_id=request_id,
            volunteer_id=volunteer_id,
            now=now,
            actor=actor,
            user_id=user_id,
            loan_id=loan_id,
        )
    except (Conflict, IntegrityError) as exc:
        session.rollback()
        if isinstance(exc, IntegrityError):
            raise Conflict("conflict", "Das Angebot passt nicht mehr zum aktuellen Stand.") from exc
        raise


def _make_offer(
    session: Session,
    *,
    request_id: int,
    volunteer_id: int,
    now: datetime,
    actor: str,
    user_id: int | None,
    loan_id: int | None,
) -> tuple[Offer, str]:
    request = lock_request(session, request_id)
    if request is None:
        raise Conflict("not_found", "Diese Anfrage gibt es nicht.")
    volunteer = lock_volunteer(session, volunteer_id)
    if volunteer is None or not volunteer.active or volunteer.anonymised_at is not None:
        raise Conflict("volunteer_inactive", "Diese Sprachmittlerin / dieser Sprachmittler ist nicht aktiv.")
    if volunteer.pool_id != request.pool_id and not _agreed_loan(session, loan_id, request, volunteer):
        raise Conflict(
            "other_pool", "Diese Sprachmittlerin / dieser Sprachmittler gehört zu einem anderen Pool."
        )
    if request.status not in OPEN_STATES:
        raise Conflict("request_not_open", "Die Anfrage ist nicht (mehr) offen.")
    expires_at = offer_expiry(request, now=now)
    if expires_at <= now:
        raise Conflict("too_late", "Für diesen Termin ist die Frist für Angebote vorbei.")
    speaks = session.exec(
        select(VolunteerLanguage).where(
            VolunteerLanguage.volunteer_id == volunteer_id,
            VolunteerLanguage.language_code == request.language_code,
        )
    ).first()
    if speaks is None:
        raise Conflict("language", "Die Person spricht die angefragte Sprache nicht.")
    already = session.exec(
        select(Offer.id).where(
            Offer.request_id == request_id,
            Offer.volunteer_id == volunteer_id,
            col(Offer.status).in_([OfferStatus.PENDING, OfferStatus.ACCEPTED, OfferStatus.DECLINED]),
        )
    ).first()
    if already is not None:
        raise Conflict("already_offered", "Diese Person hat zu dieser Anfrage schon ein Angebot bekommen.")
    if not _written(request) and overlaps_assignment(
        session, volunteer_id=volunteer_id, start=request.start, end=request.end
    ):
        raise Conflict("volunteer_busy", "Die Person hat zu dieser Zeit schon einen Einsatz.")
    token = new_token()
    offer = Offer(
        pool_id=request.pool_id,
        request_id=request_id,
        volunteer_id=volunteer_id,
        volunteer_pool_id=volunteer.pool_id,
        loan_id=loan_id if volunteer.pool_id != request.pool_id else None,
        status=OfferStatus.PENDING,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=expires_at,
        created_by_id=user_id,
    )
    session.add(offer)
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity="offer",
        entity_id=str(offer.id),
        action="make",
        from_state=None,
        to_state=OfferStatus.PENDING,
        detail={"request": request_id, "volunteer": volunteer_id, **({"loan": loan_id} if loan_id else {})},
    )
    if request.status == RequestStatus.OPEN:
        set_request_status(
            session,
            request,
            RequestStatus.OFFERED,
            from_states=[RequestStatus.OPEN],
            now=now,
            actor=actor,
            action="offer",
        )
    queue_mail(
        session,
        "offer",
        pool_id=request.pool_id,
        recipient=volunteer.email,
        dedupe_key=f"offer:{offer.id}",
        context={
            **appointment(session, request),
            "first_name": volunteer.first_name,
            "url": links.offer_url(base_url_of(session, request.pool_id), token),
            "expires": f"{format_day(expires_at)}, {expires_at:%H:%M} Uhr",
        },
        now=now,
    )
    session.commit()
    return offer, token


def _agreed_loan(
    session: Session, loan_id: int | None, request: InterpretingRequest, volunteer: Volunteer
) -> bool:
    """Tell whether the volunteer's pool agreed to lend them for exactly this request."""
    loan = session.get(Loan, loan_id) if loan_id is not None else None
    return (
        loan is not None
        and loan.status == LoanStatus.AGREED
        and (loan.pool_id, loan.request_id) == (request.pool_id, request.id)
        and (loan.lender_pool_id, loan.volunteer_id) == (volunteer.pool_id, volunteer.id)
    )


@retrying
def accept_offer(session: Session, *, offer_id: int, now: datetime, actor: str = "volunteer") -> Assignment:
    """Accept a pending offer: exactly one winner per request and per volunteer's time; commit or Conflict."""
    try:
        return _accept(session, offer_id=offer_id, now=now, actor=actor)
    except (Conflict, IntegrityError) as exc:
        session.rollback()
        if isinstance(exc, IntegrityError):
            raise Conflict(
                "taken", "Dieser Einsatz ist inzwischen vergeben oder die Zeit ist schon belegt."
            ) from exc
        raise


def _accept(session: Session, *, offer_id: int, now: datetime, actor: str) -> Assignment:
    offer = session.get(Offer, offer_id)
    if offer is None:
        raise Conflict("not_found", "Dieses Angebot gibt es nicht.")
    request = lock_request(session, offer.request_id)
    volunteer = lock_volunteer(session, offer.volunteer_id)
    offer = fresh(session, Offer, offer_id)
    assert request is not None and volunteer is not None and offer is not None
    check_answerable(offer, now=now)
    if request.status not in OPEN_STATES:
        raise Conflict("request_closed", "Dieser Termin wird nicht mehr gebraucht.")
    import_module("sprachmittlerpool.services.volunteer_availability").check_can_accept(
        session, volunteer, request
    )
    if not _written(request) and overlaps_assignment(
        session, volunteer_id=volunteer.id, start=request.start, end=request.end
    ):
        raise Conflict("volunteer_busy", "Sie haben zu dieser Zeit schon einen anderen Einsatz.")
    if not close_pending_offer(
        session, offer_id, OfferStatus.ACCEPTED, now=now, actor=actor, action="accept"
    ):
        raise Conflict("answered", "Dieses Angebot wurde schon beantwortet.")
    if not set_request_status(
        session,
        request,
        RequestStatus.CONFIRMED,
        from_states=OPEN_STATES,
        now=now,
        actor=actor,
        action="confirm",
    ):
        raise Conflict("request_closed", "Dieser Termin wird nicht mehr gebraucht.")
    assignment = Assignment(
        pool_id=request.pool_id,
        request_id=request.id,
        offer_id=offer_id,
        volunteer_id=volunteer.id,
        volunteer_pool_id=offer.volunteer_pool_id,
        start=request.start,
        end=request.end,
        status=AssignmentStatus.CONFIRMED,
        written=_written(request),
        created_at=now,
    )
    session.add(assignment)
    session.flush()  # the backstops speak here
    audit.record(
        session, actor=actor, entity="assignment", entity_id=str(assignment.id), action="create",
        from_state=None, to_state=AssignmentStatus.CONFIRMED, detail={"offer": offer_id},
    )  # fmt: skip
    for other in _pending_offers(session, request.id):
        _withdraw(session, other, now=now, actor="system", reason="vergeben")
    details = appointment(session, request)
    queue_mail(
        session,
        "assignment_confirmed",
        pool_id=request.pool_id,
        recipient=volunteer.email,
        dedupe_key=f"assignment_confirmed:{assignment.id}",
        context={**details, "first_name": volunteer.first_name},
        attachments=(calendar_attachment(session, assignment, request, now=now),),
        now=now,
    )
    queue_mail(
        session,
        "assignment_confirmed_institution",
        pool_id=request.pool_id,
        recipient=request.contact_email,
        dedupe_key=f"assignment_confirmed_institution:{assignment.id}",
        context={
            **details,
            "volunteer_first_name": volunteer.first_name,
            "contact_route": volunteer.contact_route,
        },
        attachments=(calendar_attachment(session, assignment, request, now=now, for_institution=True),),
        now=now,
    )
    session.commit()
    return assignment


def check_answerable(offer: Offer, *, now: datetime) -> None:
    """Raise Conflict unless the offer can still be answered."""
    if offer.status == OfferStatus.PENDING and offer.expires_at <= now:
        raise Conflict("expired", "Dieses Angebot ist nicht mehr verfügbar: die Antwortfrist ist abgelaufen.")
    messages = {
        OfferStatus.ACCEPTED: ("answered", "Sie haben dieses Angebot schon angenommen."),
        OfferStatus.DECLINED: ("answered", "Sie haben dieses Angebot schon abgelehnt."),
        OfferStatus.EXPIRED: (
            "expired",
            "Dieses Angebot ist nicht mehr verfügbar: die Antwortfrist ist abgelaufen.",
        ),
        OfferStatus.WITHDRAWN: (
            "withdrawn",
            "Dieses Angebot ist nicht mehr verfügbar: es wurde zurückgezogen.",
        ),
    }
    if offer.status in messages:
        raise Conflict(*messages[OfferStatus(offer.status)])


def _pending_offers(session: Session, request_id: int) -> list[Offer]:
    return list(
        session.exec(
            select(Offer).where(Offer.request_id == request_id, Offer.status == OfferStatus.PENDING)
        ).all()
    )


@retrying
def decline_offer(
    session: Session, *, offer_id: int, reason: str = "", now: datetime, actor: str = "volunteer"
) -> Offer:
    """Decline a pending offer (with an optional reason); the request opens again if nobody else holds it."""
    try:
        offer = session.get(Offer, offer_id)
        if offer is None:
            raise Conflict("not_found", "Dieses Angebot gibt es nicht.")
        request = lock_request(session, offer.request_id)
        offer = fresh(session, Offer, offer_id)
        assert request is not None and offer is not None
        check_answerable(offer, now=now)
        if not close_pending_offer(
            session,
            offer_id,
            OfferStatus.DECLINED,
            now=now,
            actor=actor,
            action="decline",
            decline_reason=reason.strip()[:500],
        ):
            raise Conflict("answered", "Dieses Angebot wurde schon beantwortet.")
        reopen_if_unanswered(session, fresh(session, InterpretingRequest, request.id), now=now, actor=actor)
        session.commit()
    except Conflict:
        session.rollback()
        raise
    return fresh(session, Offer, offer_id)


@retrying
def withdraw_offer(session: Session, *, offer_id: int, now: datetime, actor: str) -> Offer:
    """Let a coordinator take back a pending offer; the volunteer is told and the request opens again."""
    try:
        offer = session.get(Offer, offer_id)
        if offer is None:
            raise Conflict("not_found", "Dieses Angebot gibt es nicht.")
        request = lock_request(session, offer.request_id)
        offer = fresh(session, Offer, offer_id)
        assert request is not None and offer is not None
        if offer.status != OfferStatus.PENDING:
            raise Conflict(
                "answered", "Dieses Angebot ist nicht mehr offen und kann nicht zurückgezogen werden."
            )
        _withdraw(session, offer, now=now, actor=actor, reason="koordination")
        reopen_if_unanswered(session, fresh(session, InterpretingRequest, request.id), now=now, actor=actor)
        session.commit()
    except Conflict:
        session.rollback()
        raise
    return fresh(session, Offer, offer_id)


def _withdraw(session: Session, offer: Offer, *, now: datetime, actor: str, reason: str) -> bool:
    """Withdraw a pending offer in the caller's transaction and tell the volunteer."""
    if not close_pending_offer(
        session,
        offer.id,
        OfferStatus.WITHDRAWN,
        now=now,
        actor=actor,
        action="withdraw",
        detail={"reason": reason},
    ):
        return False
    request = session.get(InterpretingRequest, offer.request_id)
    volunteer = session.get(Volunteer, offer.volunteer_id)
    if request is not None and volunteer is not None:
        queue_mail(
            session,
            "offer_withdrawn",
            pool_id=request.pool_id,
            recipient=volunteer.email,
            dedupe_key=f"offer_withdrawn:{offer.id}",
            context={**appointment(session, request), "first_name": volunteer.first_name, "reason": reason},
            now=now,
        )
    return True


def withdraw_pending(session: Session, request_id: int, *, now: datetime, actor: str, reason: str) -> int:
    """Withdraw every pending offer of a request in the caller's transaction; return how many."""
    return sum(
        _withdraw(session, offer, now=now, actor=actor, reason=reason)
        for offer in _pending_offers(session, request_id)
    )


def expire(session: Session, offer: Offer, *, now: datetime, actor: str = "system") -> bool:
    """Expire one pending offer past its time in the caller's transaction; tell whether it changed."""
    request = lock_request(session, offer.request_id)
    if request is None or not close_pending_offer(
        session, offer.id, OfferStatus.EXPIRED, now=now, actor=actor, action="expire"
    ):
        return False
    reopen_if_unanswered(session, fresh(session, InterpretingRequest, request.id), now=now, actor=actor)
    return True
