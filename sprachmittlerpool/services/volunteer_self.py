"""A volunteer's own page without an account: the personal link, and what the volunteer may change there.

The link is random (256 bits), mailed on request and stored only as its SHA-256, like an offer link; it
opens the page for PAGE_LINK_DAYS days. Asking for it answers the same whether the address is known or
not, and is throttled in the database like the forgotten password. A new e-mail address takes effect only
when the link sent to it is confirmed, so a typo never cuts the volunteer off from their mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlmodel import Session, col, func, select

from sprachmittlerpool import links, security
from sprachmittlerpool.email_address import checked_email
from sprachmittlerpool.german import date_long
from sprachmittlerpool.links import LinkExpired
from sprachmittlerpool.models import (
    Absence,
    Assignment,
    AssignmentStatus,
    Institution,
    InterpretingRequest,
    Language,
    Municipality,
    Offer,
    OfferStatus,
    Volunteer,
    VolunteerLink,
    VolunteerLinkPurpose,
    request_language_join,
    request_municipality_join,
)
from sprachmittlerpool.pools import base_url_of
from sprachmittlerpool.services import offers
from sprachmittlerpool.services import volunteers as volunteer_service
from sprachmittlerpool.services.audit import record
from sprachmittlerpool.services.mail import queue_mail
from sprachmittlerpool.text_check import text_problem
from sprachmittlerpool.volunteer_import import format_availability, parse_availability

PAGE_LINK_DAYS = 7
EMAIL_LINK_DAYS = 2
LONGEST_ABSENCE_DAYS = 366  # a pause of more than a year is a deactivation, which the coordination decides
PAST_ASSIGNMENTS_SHOWN = 50


class SelfServiceError(Exception):
    """A change the volunteer asked for that cannot be made; the message is a German sentence for them."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class AppointmentRow:
    """An assignment or an offer as the volunteer's page lists it."""

    id: int
    start: datetime
    end: datetime
    language: str
    place: str
    institution: str
    status: str = ""
    expires_at: datetime | None = None
    allowance_cents: int | None = None


@dataclass(frozen=True)
class Overview:
    """What the volunteer's page shows."""

    upcoming: list[AppointmentRow]
    past: list[AppointmentRow]
    offers: list[AppointmentRow]
    availability: str
    absences: list[Absence]


@dataclass(frozen=True)
class AbsencePreview:
    """What entering an absence or pause will do: the offers it withdraws and the assignments it leaves."""

    start: date
    end: date
    pause: bool
    withdrawn: list[AppointmentRow]
    kept: list[AppointmentRow]


# ---------------------------------------------------------------- the link


def request_page_link(
    session: Session, *, pool_id: int, email: str, remote_addr: str | None, now: datetime
) -> bool:
    """Mail a personal link if an active volunteer of the pool has this address; say nothing either way.

    Return False when the address or the client asked too often (the forgotten-password limits, kept in
    the database so they hold across workers); every request counts, whether the address is known or not.
    """
    config = current_app.config
    window = int(config["LOGIN_WINDOW_MINUTES"])
    keys = [f"volunteer-link:{key}" for key in security.throttle_keys(email, remote_addr)]
    if security.is_throttled(
        session, keys, now=now, limit=int(config["LOGIN_MAX_FAILURES"]), window_minutes=window
    ):
        return False
    security.record_failure(session, keys, now=now, window_minutes=window)  # commits
    volunteer = session.exec(
        select(Volunteer).where(
            Volunteer.pool_id == pool_id, func.lower(Volunteer.email) == email.strip().lower()
        )
    ).first()
    if volunteer is None or not _reachable(volunteer):
        return True
    token, link = _new_link(session, volunteer, VolunteerLinkPurpose.PAGE, now=now, days=PAGE_LINK_DAYS)
    record(
        session, actor="anonymous", entity="volunteer", entity_id=str(volunteer.id), action="page_link_sent"
    )
    queue_mail(
        session,
        "volunteer_page_link",
        pool_id=volunteer.pool_id,
        recipient=volunteer.email,
        dedupe_key=f"volunteer:{volunteer.id}:page_link:{link.id}",
        context={
            "first_name": volunteer.first_name,
            "link": links.volunteer_page_url(base_url_of(session, volunteer.pool_id), token),
            "valid_until": date_long(link.expires_at.date()),
        },
        now=now,
    )
    session.commit()
    return True


def volunteer_for_page(session: Session, token: str, *, now: datetime) -> Volunteer | None:
    """Return the active volunteer a page link belongs to, None if unknown; raise LinkExpired when it is old."""
    link = _link(session, token, VolunteerLinkPurpose.PAGE, now=now)
    if link is None:
        return None
    volunteer = session.get(Volunteer, link.volunteer_id)
    return volunteer if volunteer is not None and _reachable(volunteer) else None


def _reachable(volunteer: Volunteer) -> bool:
    """Tell whether the volunteer may use a personal link: active and not erased."""
    return volunteer.active and volunteer.anonymised_at is None


def _new_link(
    session: Session, volunteer: Volunteer, purpose: VolunteerLinkPurpose, *, now: datetime, days: int,
    new_email: str = "",
) -> tuple[str, VolunteerLink]:  # fmt: skip
    token = security.new_token()
    link = VolunteerLink(
        pool_id=volunteer.pool_id,
        volunteer_id=volunteer.id,
        purpose=purpose,
        token_hash=security.token_hash(token),
        new_email=new_email,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(link)
    session.flush()
    return token, link


def _link(
    session: Session, token: str, purpose: VolunteerLinkPurpose, *, now: datetime
) -> VolunteerLink | None:
    """Find a link by its token's hash; a forged token finds nothing, an old one raises LinkExpired."""
    if not token or len(token) > 200:
        return None
    link = session.exec(
        select(VolunteerLink).where(
            VolunteerLink.token_hash == security.token_hash(token), VolunteerLink.purpose == purpose
        )
    ).first()
    if link is not None and link.expires_at <= now:
        raise LinkExpired
    return link


# ---------------------------------------------------------------- the page


def overview(session: Session, volunteer: Volunteer, *, now: datetime) -> Overview:
    """Return the volunteer's assignments ahead and behind, open offers, weekly times and absences."""
    assert volunteer.id is not None
    assignments = _assignments(session, volunteer.id)
    return Overview(
        upcoming=[row for row in assignments if row.end >= now and row.status == AssignmentStatus.CONFIRMED],
        past=[row for row in reversed(assignments) if row.end < now][:PAST_ASSIGNMENTS_SHOWN],
        offers=_pending_offers(session, volunteer.id, now=now),
        availability=format_availability(volunteer_service.availability_of(session, volunteer.id)),
        absences=[a for a in volunteer_service.absences_of(session, volunteer.id) if a.end >= now.date()],
    )


def _with_places(statement: Any, request_id: Any) -> Any:
    """Join the request a row points to, with its language, municipality and institution (the page's columns)."""
    return (
        statement.join(InterpretingRequest, col(InterpretingRequest.id) == request_id)
        .join(Language, request_language_join())
        .join(Municipality, request_municipality_join())
        .join(Institution, col(Institution.id) == InterpretingRequest.institution_id)
    )


def _assignments(session: Session, volunteer_id: int) -> list[AppointmentRow]:
    rows = session.exec(
        _with_places(
            select(Assignment, InterpretingRequest, Language.name_de, Municipality.name, Institution.name),
            Assignment.request_id,
        )
        .where(Assignment.volunteer_id == volunteer_id, Assignment.status != AssignmentStatus.CANCELLED)
        .order_by(col(Assignment.start))
    ).all()
    return [
        AppointmentRow(
            id=assignment.id,
            start=assignment.start,
            end=assignment.end,
            language=language,
            place=_place(request.address, municipality),
            institution=institution,
            status=assignment.status,
            allowance_cents=assignment.allowance_cents,
        )
        for assignment, request, language, municipality, institution in rows
    ]


def _pending_offers(
    session: Session, volunteer_id: int, *, now: datetime, days: tuple[date, date] | None = None
) -> list[AppointmentRow]:
    statement = (
        _with_places(
            select(Offer, InterpretingRequest, Language.name_de, Municipality.name, Institution.name),
            Offer.request_id,
        )
        .where(
            Offer.volunteer_id == volunteer_id, Offer.status == OfferStatus.PENDING, Offer.expires_at > now
        )
        .order_by(col(InterpretingRequest.start))
    )
    if days is not None:
        statement = statement.where(*_within(days))
    return [
        AppointmentRow(
            id=offer.id,
            start=request.start,
            end=request.end,
            language=language,
            place=_place(request.address, municipality),
            institution=institution,
            expires_at=offer.expires_at,
        )
        for offer, request, language, municipality, institution in session.exec(statement).all()
    ]


def _within(days: tuple[date, date]) -> tuple[Any, Any]:
    """Say that an appointment touches the days (both ends inclusive), as withdraw_offers_of reads them."""
    return (
        col(InterpretingRequest.start) <= datetime.combine(days[1], time.max),
        col(InterpretingRequest.end) >= datetime.combine(days[0], time()),
    )


def _place(address: str, municipality: str) -> str:
    return f"{address}, {municipality}" if address else municipality


# ---------------------------------------------------------------- changes


def set_availability(session: Session, volunteer: Volunteer, text: str) -> None:
    """Replace the weekly times from the text the page shows ("Mo 08:00-13:00; Mi 14-18"), and commit."""
    try:
        windows = parse_availability(text[:2000])
    except ValueError as error:
        raise SelfServiceError(str(error), "availability") from None
    volunteer_service.update_volunteer(session, volunteer, {"availability": windows}, actor=_actor(volunteer))


def absence_preview(
    session: Session, volunteer: Volunteer, *, start: date, end: date, pause: bool, now: datetime
) -> AbsencePreview:
    """Check the days and say what entering them will do; change nothing."""
    today = now.date()
    if start < today:
        raise SelfServiceError("Bitte wählen Sie einen Beginn ab heute.", "start")
    if end < start:
        raise SelfServiceError("Das Ende darf nicht vor dem Beginn liegen.", "end")
    if (end - start).days >= LONGEST_ABSENCE_DAYS:
        raise SelfServiceError(
            "Bitte tragen Sie höchstens ein Jahr ein. Für eine längere Pause sprechen Sie bitte mit der Koordination.",
            "end",
        )
    assert volunteer.id is not None
    kept = [
        row
        for row in _assignments(session, volunteer.id)
        if row.status == AssignmentStatus.CONFIRMED and row.start.date() <= end and row.end.date() >= start
    ]
    withdrawn = _pending_offers(session, volunteer.id, now=now, days=(start, end))
    return AbsencePreview(start=start, end=end, pause=pause, withdrawn=withdrawn, kept=kept)


def add_absence(
    session: Session, volunteer: Volunteer, *, start: date, end: date, pause: bool, now: datetime
) -> Absence:
    """Enter an absence or a pause: pending offers on those days are withdrawn with the reason, and commit."""
    absence_preview(session, volunteer, start=start, end=end, pause=pause, now=now)
    return volunteer_service.add_absence(
        session,
        volunteer,
        start=start,
        end=end,
        actor=_actor(volunteer),
        reason="pause" if pause else "abwesend",
    )


def remove_absence(session: Session, volunteer: Volunteer, absence_id: int) -> None:
    """Delete one of the volunteer's own absences, and commit; another person's is as good as absent."""
    absence = session.get(Absence, absence_id)
    if absence is None or absence.volunteer_id != volunteer.id:
        raise SelfServiceError("Diese Abwesenheit gibt es nicht (mehr).")
    volunteer_service.delete_absence(session, absence, actor=_actor(volunteer))


def change_contact(session: Session, volunteer: Volunteer, *, phone: str, email: str, now: datetime) -> bool:
    """Save the phone number at once; mail a confirmation link to a new address. Tell whether one was sent."""
    phone = " ".join(phone.split())
    if problem := text_problem(phone):
        raise SelfServiceError(problem, "phone")
    if len(phone) > 60:
        raise SelfServiceError("Bitte geben Sie höchstens 60 Zeichen ein.", "phone")
    try:
        email = checked_email(email)
    except ValueError as error:
        raise SelfServiceError(str(error), "email") from None
    new_address = email != volunteer.email.lower()
    if new_address and volunteer_service.email_taken(
        session, email, pool_id=volunteer.pool_id, except_id=volunteer.id
    ):
        raise SelfServiceError(
            "Diese Adresse ist schon für eine andere Person eingetragen. Bitte wenden Sie sich an die Koordination.",
            "email",
        )
    if new_address:
        _send_confirmation(session, volunteer, email, now=now)
    if phone != volunteer.phone:
        volunteer_service.update_volunteer(session, volunteer, {"phone": phone}, actor=_actor(volunteer))
    session.commit()
    return new_address


def _send_confirmation(session: Session, volunteer: Volunteer, email: str, *, now: datetime) -> None:
    token, link = _new_link(
        session, volunteer, VolunteerLinkPurpose.EMAIL, now=now, days=EMAIL_LINK_DAYS, new_email=email
    )
    record(
        session, actor=_actor(volunteer), entity="volunteer", entity_id=str(volunteer.id),
        action="email_change_requested",
    )  # fmt: skip
    queue_mail(
        session,
        "volunteer_email_confirm",
        pool_id=volunteer.pool_id,
        recipient=email,
        dedupe_key=f"volunteer:{volunteer.id}:email_confirm:{link.id}",
        context={
            "first_name": volunteer.first_name,
            "link": links.volunteer_email_url(base_url_of(session, volunteer.pool_id), token),
            "valid_until": date_long(link.expires_at.date()),
        },
        now=now,
    )


def email_change(session: Session, token: str, *, now: datetime) -> tuple[VolunteerLink, Volunteer] | None:
    """Return the unused confirmation link and its active volunteer, None if unknown; raise LinkExpired if old."""
    link = _link(session, token, VolunteerLinkPurpose.EMAIL, now=now)
    if link is None:
        return None
    volunteer = session.get(Volunteer, link.volunteer_id)
    if volunteer is None or not _reachable(volunteer):
        return None
    return link, volunteer


def confirm_email(session: Session, link: VolunteerLink, volunteer: Volunteer, *, now: datetime) -> None:
    """Make the confirmed address the volunteer's, once, and tell the old address; commit.

    The old address hears of the change, so someone who got hold of a page link cannot take over the
    volunteer's mail unnoticed.
    """
    if link.used_at is not None:
        raise SelfServiceError("Diese Adresse ist schon bestätigt.")
    link.used_at = now
    session.add(link)
    queue_mail(
        session,
        "volunteer_email_changed",
        pool_id=volunteer.pool_id,
        recipient=volunteer.email,
        dedupe_key=f"volunteer:{volunteer.id}:email_changed:{link.id}",
        context={"first_name": volunteer.first_name, "new_email": link.new_email},
        now=now,
    )
    try:
        volunteer_service.update_volunteer(
            session, volunteer, {"email": link.new_email}, actor=_actor(volunteer)
        )
    except volunteer_service.DuplicateEmail:
        raise SelfServiceError(
            "Diese Adresse ist inzwischen für eine andere Person eingetragen. Bitte wenden Sie sich an die Koordination."
        ) from None


# ---------------------------------------------------------------- offers


def answer_offer(
    session: Session, volunteer: Volunteer, offer_id: int, *, accept: bool, now: datetime
) -> None:
    """Accept or decline one of the volunteer's own pending offers; another person's is as good as absent."""
    offer = session.get(Offer, offer_id)
    if offer is None or offer.volunteer_id != volunteer.id:
        raise offers.Conflict("not_found", "Dieses Angebot gibt es nicht.")
    if accept:
        offers.accept_offer(session, offer_id=offer_id, now=now, actor=_actor(volunteer))
    else:
        offers.decline_offer(session, offer_id=offer_id, now=now, actor=_actor(volunteer))


def _actor(volunteer: Volunteer) -> str:
    return f"volunteer:{volunteer.id}"
