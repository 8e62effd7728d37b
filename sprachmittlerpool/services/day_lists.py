"""Who goes where: a pool's confirmed assignments by day and week, its offers still waiting for an answer,
and the offers withdrawn lately with the reason (a volunteer's absence or pause among them).

The coordinator prints the day list the evening before and phones from it, so each row carries every
name and number needed on the road; the queries live here so the pages stay thin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import String, cast
from sqlmodel import Session, col, select

from sprachmittlerpool.models import (
    Assignment,
    AssignmentStatus,
    AuditEvent,
    Institution,
    InterpretingRequest,
    Language,
    MailStatus,
    Municipality,
    Offer,
    OfferStatus,
    OutboxMail,
    RequestMode,
    Volunteer,
    request_language_join,
    request_municipality_join,
)
from sprachmittlerpool.services.qualifications import call_words


@dataclass(frozen=True)
class DayRow:
    """One confirmed assignment with the names and numbers a person needs on the day."""

    request_id: int
    start: datetime
    end: datetime
    language: str
    municipality: str
    address: str
    institution: str
    contact_name: str
    contact_phone: str
    volunteer: str
    volunteer_phone: str
    reminded_at: datetime | None  # the day-before reminder mail (coordination_jobs.send_reminders)
    written: bool = False  # a written translation due that day: no hours to show


@dataclass(frozen=True)
class OfferRow:
    """A pending offer: when it went out, whether its mail arrived, when it lapses, and for what."""

    request_id: int
    sent_at: datetime
    mail_status: str | None
    expires_at: datetime
    volunteer: str
    request_start: datetime
    language: str
    municipality: str


def monday_of(day: date) -> date:
    """Return the Monday that starts the week of `day`."""
    return day - timedelta(days=day.weekday())


def assignments_between(session: Session, *, pool_id: int, first: date, last: date) -> list[DayRow]:
    """Return the pool's confirmed assignments starting on a day from `first` to `last` (both included), by time."""
    since = datetime.combine(first, datetime.min.time())
    until = datetime.combine(last + timedelta(days=1), datetime.min.time())
    rows = session.exec(
        select(
            Assignment, InterpretingRequest, Language.name_de, Municipality.name, Institution.name, Volunteer
        )
        .join(
            InterpretingRequest,
            (InterpretingRequest.pool_id == Assignment.pool_id)
            & (col(InterpretingRequest.id) == Assignment.request_id),
        )
        .join(Language, request_language_join())
        .join(Municipality, request_municipality_join())
        .join(Institution, col(Institution.id) == InterpretingRequest.institution_id)
        .join(Volunteer, col(Volunteer.id) == Assignment.volunteer_id)
        .where(
            Assignment.pool_id == pool_id,
            Assignment.status == AssignmentStatus.CONFIRMED,
            Assignment.start >= since,
            Assignment.start < until,
        )
        .order_by(col(Assignment.start), col(Assignment.id))
    )
    return [
        DayRow(
            request_id=request.id,
            start=assignment.start,
            end=assignment.end,
            language=language,
            municipality=municipality,
            address=request.address if request.mode == RequestMode.IN_PERSON else call_words(request),
            institution=institution,
            contact_name=request.contact_name,
            contact_phone=request.contact_phone,
            volunteer=volunteer.name,
            volunteer_phone=volunteer.phone,
            reminded_at=assignment.reminder_sent_at,
            written=assignment.written,
        )
        for assignment, request, language, municipality, institution, volunteer in rows.all()
    ]


def week(session: Session, *, pool_id: int, monday: date) -> list[tuple[date, list[DayRow]]]:
    """Return the seven days from `monday`, each with its confirmed assignments (an empty day stays listed)."""
    rows = assignments_between(session, pool_id=pool_id, first=monday, last=monday + timedelta(days=6))
    days = [monday + timedelta(days=n) for n in range(7)]
    return [(day, [row for row in rows if row.start.date() == day]) for day in days]


def pending_offers(session: Session, *, pool_id: int) -> list[OfferRow]:
    """Return the pool's offers still waiting for an answer, the one lapsing first on top."""
    rows = session.exec(
        select(
            Offer,
            OutboxMail.status,
            Volunteer.name,
            InterpretingRequest.start,
            Language.name_de,
            Municipality.name,
        )
        .join(
            InterpretingRequest,
            (InterpretingRequest.pool_id == Offer.pool_id)
            & (col(InterpretingRequest.id) == Offer.request_id),
        )
        .join(Language, request_language_join())
        .join(Municipality, request_municipality_join())
        .join(Volunteer, col(Volunteer.id) == Offer.volunteer_id)
        # the offer's mail carries the per-fact dedupe key "offer:<id>" (services/offers.py)
        .outerjoin(OutboxMail, col(OutboxMail.dedupe_key) == "offer:" + cast(Offer.id, String))
        .where(Offer.pool_id == pool_id, Offer.status == OfferStatus.PENDING)
        .order_by(col(Offer.expires_at), col(Offer.id))
    )
    return [
        OfferRow(
            request_id=offer.request_id,
            sent_at=offer.created_at,
            mail_status=mail_status,
            expires_at=offer.expires_at,
            volunteer=volunteer,
            request_start=start,
            language=language,
            municipality=municipality,
        )
        for offer, mail_status, volunteer, start, language, municipality in rows.all()
    ]


MAIL_STATUS_DE = {
    MailStatus.PENDING: "wird verschickt",
    MailStatus.SENT: "zugestellt",
    MailStatus.FAILED: "fehlgeschlagen",
    None: "keine E-Mail",
}


@dataclass(frozen=True)
class WithdrawnRow:
    """An offer taken back: when, from whom, for which appointment, and why in words."""

    withdrawn_at: datetime
    volunteer: str
    request_start: datetime
    language: str
    municipality: str
    reason: str


# The reasons services pass when they withdraw an offer (services/offers.py, volunteer_availability.py …).
WITHDRAWAL_REASONS_DE = {
    "abwesend": "Die Sprachmittlerin / der Sprachmittler hat sich für diesen Tag abwesend gemeldet.",
    "pause": "Die Sprachmittlerin / der Sprachmittler hat eine Pause eingetragen und nimmt zurzeit nichts an.",
    "deaktiviert": "Die Sprachmittlerin / der Sprachmittler wurde deaktiviert.",
    "geloescht": "Die Daten der Sprachmittlerin / des Sprachmittlers wurden gelöscht.",
    "vergeben": "Der Einsatz ging an jemand anderen.",
    "abgesagt": "Die Einrichtung hat den Termin abgesagt.",
    "koordination": "Von der Koordination zurückgezogen.",
    "frist": "Die Anfrage wurde nicht rechtzeitig besetzt.",
    "geaendert": "Der geänderte Termin passt nicht mehr zu der Sprachmittlerin / dem Sprachmittler.",
}


def recently_withdrawn(session: Session, *, pool_id: int, since: datetime) -> list[WithdrawnRow]:
    """Return the pool's offers withdrawn since `since`, newest first, each with the reason the audit row names."""
    rows = session.exec(
        select(Offer, Volunteer.name, InterpretingRequest.start, Language.name_de, Municipality.name)
        .join(
            InterpretingRequest,
            (InterpretingRequest.pool_id == Offer.pool_id)
            & (col(InterpretingRequest.id) == Offer.request_id),
        )
        .join(Language, request_language_join())
        .join(Municipality, request_municipality_join())
        .join(Volunteer, col(Volunteer.id) == Offer.volunteer_id)
        .where(Offer.pool_id == pool_id, Offer.status == OfferStatus.WITHDRAWN)
        .where(col(Offer.answered_at) >= since)
        .order_by(col(Offer.answered_at).desc(), col(Offer.id).desc())
    ).all()
    reasons = _withdrawal_reasons(session, [offer.id for offer, *_ in rows if offer.id is not None])
    return [
        WithdrawnRow(
            withdrawn_at=offer.answered_at or offer.created_at,
            volunteer=volunteer,
            request_start=start,
            language=language,
            municipality=municipality,
            reason=WITHDRAWAL_REASONS_DE.get(reasons.get(offer.id, ""), "Ohne Angabe eines Grundes."),
        )
        for offer, volunteer, start, language, municipality in rows
    ]


def _withdrawal_reasons(session: Session, offer_ids: list[int]) -> dict[int | None, str]:
    """Read each offer's withdrawal reason from its audit row (the offer row keeps only the state)."""
    if not offer_ids:
        return {}
    events = session.exec(
        select(AuditEvent.entity_id, AuditEvent.detail).where(
            AuditEvent.entity == "offer",
            AuditEvent.action == "withdraw",
            col(AuditEvent.entity_id).in_([str(offer_id) for offer_id in offer_ids]),
        )
    ).all()
    return {int(entity_id): str((detail or {}).get("reason", "")) for entity_id, detail in events}
