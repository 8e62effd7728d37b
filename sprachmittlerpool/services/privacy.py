"""GDPR: a volunteer's data export (Art. 15), erasure (Art. 17), and retention of finished requests.

Erasure and retention keep what the books and the reports need (assignments, amounts, dates,
language, municipality, status, rule ids) under the anonymous row id; the rest is blanked, including
the free-text reasons volunteers gave when declining an offer and the comments of feedback after an
assignment (ratings stay for the reports). The export lists the volunteer's own feedback with its comment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, has_app_context
from sqlmodel import Session, col, select

from sprachmittlerpool.models import (
    Absence,
    Assignment,
    Availability,
    Feedback,
    FeedbackSide,
    Institution,
    InterpretingRequest,
    Language,
    Municipality,
    Offer,
    PayoutEntry,
    PayoutMonth,
    Qualification,
    RequestStatus,
    Volunteer,
    VolunteerLanguage,
    VolunteerLink,
    request_municipality_join,
)
from sprachmittlerpool.services import mail_privacy
from sprachmittlerpool.services import volunteers as volunteer_service
from sprachmittlerpool.services.assignments import release_future_assignments
from sprachmittlerpool.services.audit import record
from sprachmittlerpool.services.volunteer_availability import withdraw_offers_of

FINISHED = (
    RequestStatus.COMPLETED,
    RequestStatus.CANCELLED,
    RequestStatus.UNFILLED,
    RequestStatus.NO_SHOW,
    RequestStatus.REJECTED,
    RequestStatus.SETTLED,
)
DEFAULT_RETENTION_MONTHS = 24


class VolunteerNotFound(LookupError):
    """No volunteer has this id."""


def _cents(amount: int | None) -> str | None:
    return None if amount is None else f"{amount // 100}.{amount % 100:02d}"


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else f"{moment:%Y-%m-%dT%H:%M}"


def export_volunteer(session: Session, volunteer_id: int) -> dict[str, Any]:
    """Return everything stored about a volunteer (Art. 15); the IBAN only masked."""
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None:
        raise VolunteerNotFound(volunteer_id)
    data = volunteer_service.describe(session, volunteer)
    home = session.get(Municipality, (volunteer.pool_id, volunteer.home_id))
    language_names = dict(
        session.exec(
            select(Language.code, Language.name_de).where(Language.pool_id == volunteer.pool_id)
        ).all()
    )
    data["home_name"] = home.name if home else volunteer.home_id
    data["language_names"] = [language_names.get(code, code) for code in data["languages"]]
    data["contact_route"] = volunteer.contact_route
    data["remote"] = volunteer.remote
    data["written"] = volunteer.written
    data["sharing"] = {  # what other pools of the installation may ask for (services/sharing.py)
        "remote": volunteer.shared_remote,
        "in_person_km": volunteer.shared_in_person_km,
        "consent_on": volunteer.shared_consent_on.isoformat() if volunteer.shared_consent_on else None,
    }
    data["qualifications"] = [
        {
            "kind": row.kind,
            "issued_on": row.issued_on.isoformat() if row.issued_on else None,
            "valid_until": row.valid_until.isoformat() if row.valid_until else None,
            # the end date the volunteer was reminded of (the mail itself is listed under "mails")
            "expiry_reminded_for": row.expiry_notice_for.isoformat() if row.expiry_notice_for else None,
        }
        for row in session.exec(
            select(Qualification)
            .where(Qualification.volunteer_id == volunteer_id)
            .order_by(col(Qualification.kind))
        )
    ]
    data["anonymised_at"] = _stamp(volunteer.anonymised_at)
    data["assignments"] = _assignments(session, volunteer_id)
    data["offers"] = _offers(session, volunteer_id)
    data["payouts"] = _payouts(session, volunteer_id)
    data["feedback"] = _feedback(session, volunteer_id)
    data["mails"] = mail_privacy.describe(_mails_of(session, volunteer))
    return {"format": "sprachmittlerpool-export/1", "volunteer": data}


def _assignments(session: Session, volunteer_id: int) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Assignment, InterpretingRequest, Institution, Municipality)
        .join(InterpretingRequest, col(InterpretingRequest.id) == Assignment.request_id)
        .join(Institution, col(Institution.id) == InterpretingRequest.institution_id)
        .join(Municipality, request_municipality_join())
        .where(Assignment.volunteer_id == volunteer_id)
        .order_by(col(Assignment.start))
    ).all()
    return [
        {
            "id": str(assignment.id),
            "request": str(request.id),
            "start": _stamp(assignment.start),
            "end": _stamp(assignment.end),
            "status": assignment.status,
            "outcome": assignment.outcome,
            "language": request.language_code,
            "municipality": municipality.name,
            "address": request.address,
            "institution": institution.name,
            "duration_minutes": assignment.duration_minutes,
            "travel_km": assignment.travel_km,
            "amount": _cents(assignment.allowance_cents),
        }
        for assignment, request, institution, municipality in rows
    ]


def _offers(session: Session, volunteer_id: int) -> list[dict[str, Any]]:
    """List the offers made to the volunteer with their answers; a decline reason is their own words."""
    rows = session.exec(select(Offer).where(Offer.volunteer_id == volunteer_id).order_by(col(Offer.id))).all()
    return [
        {
            "id": str(offer.id),
            "request": str(offer.request_id),
            "status": offer.status,
            "sent": _stamp(offer.created_at),
            "answered": _stamp(offer.answered_at),
            "decline_reason": offer.decline_reason,
        }
        for offer in rows
    ]


def _feedback(session: Session, volunteer_id: int) -> list[dict[str, Any]]:
    """List the feedback the volunteer gave after their assignments: rating, own words, debriefing wish."""
    rows = session.exec(
        select(Feedback)
        .join(Assignment, col(Assignment.id) == Feedback.assignment_id)
        .where(
            Assignment.volunteer_id == volunteer_id,
            Feedback.side == FeedbackSide.VOLUNTEER,
            col(Feedback.submitted_at).is_not(None),
        )
        .order_by(col(Feedback.id))
    ).all()
    return [
        {
            "assignment": str(row.assignment_id),
            "submitted": _stamp(row.submitted_at),
            "rating": row.rating,
            "comment": row.comment,
            "debriefing_wanted": row.debriefing_wanted,
            "debriefing_done": _stamp(row.debriefing_done_at),
        }
        for row in rows
    ]


def _clear_feedback(session: Session, assignment_ids: list[int]) -> None:
    """Blank feedback comments about these assignments (both sides may name people) and drop unused links."""
    if not assignment_ids:
        return
    for row in session.exec(select(Feedback).where(col(Feedback.assignment_id).in_(assignment_ids))).all():
        if row.submitted_at is None:
            session.delete(row)
        elif row.comment:
            row.comment = ""
            session.add(row)


def _mails_of(session: Session, volunteer: Volunteer) -> list[Any]:
    assert volunteer.id is not None
    return mail_privacy.mails_of_volunteer(
        session, volunteer.id, email=volunteer.email, names=(volunteer.name, volunteer.phone)
    )


def _clear_decline_reasons(session: Session, where: Any) -> None:
    """Blank the free-text reasons of declined offers: volunteers may name people or health in them."""
    for offer in session.exec(select(Offer).where(where).where(Offer.decline_reason != "")).all():
        offer.decline_reason = ""
        session.add(offer)


def _payouts(session: Session, volunteer_id: int) -> list[dict[str, Any]]:
    rows = session.exec(
        select(PayoutEntry, PayoutMonth)
        .join(PayoutMonth, col(PayoutMonth.id) == PayoutEntry.payout_month_id)
        .where(PayoutEntry.volunteer_id == volunteer_id)
        .order_by(col(PayoutMonth.month), col(PayoutEntry.id))
    ).all()
    return [
        {
            "month": month.month,
            "assignment": str(entry.assignment_id),
            "amount": _cents(entry.amount_cents),
            "note": entry.note,
            "closed": month.closed_at is not None,
        }
        for entry, month in rows
    ]


def erase_volunteer(session: Session, volunteer_id: int, *, now: datetime, actor: str) -> Volunteer:
    """Anonymise a volunteer (Art. 17), keeping assignments and amounts under the id; commit."""
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None:
        raise VolunteerNotFound(volunteer_id)
    if volunteer.anonymised_at is not None:
        return volunteer
    withdraw_offers_of(session, volunteer_id, now=now, actor=actor, reason="geloescht", tell_volunteer=False)
    release_future_assignments(session, volunteer_id, now=now, actor=actor)
    mail_privacy.forget(session, _mails_of(session, volunteer), now=now)
    volunteer.name = f"Gelöscht #{volunteer_id}"
    volunteer.email = f"geloescht-{volunteer_id}@anonym.invalid"
    volunteer.phone = ""
    volunteer.gender = None
    volunteer.iban_encrypted = None
    volunteer.iban_masked = None
    volunteer.contact_route = ""
    volunteer.active = False
    volunteer.anonymised_at = now
    volunteer.remote = False
    volunteer.written = False
    volunteer.shared_remote, volunteer.shared_in_person_km, volunteer.shared_consent_on = False, None, None
    for table in (VolunteerLanguage, Availability, Absence, Qualification, VolunteerLink):
        for row in session.exec(select(table).where(table.volunteer_id == volunteer_id)).all():
            session.delete(row)
    _clear_decline_reasons(session, Offer.volunteer_id == volunteer_id)
    _clear_feedback(
        session,
        list(session.exec(select(Assignment.id).where(Assignment.volunteer_id == volunteer_id)).all()),
    )
    session.add(volunteer)
    record(
        session,
        actor=actor,
        entity="volunteer",
        entity_id=str(volunteer_id),
        action="erased",
        to_state="anonymised",
        detail={"kept": ["assignments", "payouts", "mail dates"]},
    )
    session.commit()
    return volunteer


# ---------------------------------------------------------------- retention


def months_before(moment: datetime, months: int) -> datetime:
    """Return the same wall-clock time `months` calendar months earlier (clamped to the month's end)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for day in range(moment.day, 0, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _retention_months() -> int:
    if has_app_context():
        return int(current_app.config.get("RETENTION_MONTHS", DEFAULT_RETENTION_MONTHS))
    return DEFAULT_RETENTION_MONTHS


def due_for_anonymisation(session: Session, *, now: datetime, months: int) -> list[InterpretingRequest]:
    """Return finished, not yet anonymised requests whose retention period has passed."""
    cutoff = months_before(now, months)
    candidates = session.exec(
        select(InterpretingRequest)
        .where(col(InterpretingRequest.status).in_(FINISHED))
        .where(col(InterpretingRequest.anonymised_at).is_(None))
        .order_by(col(InterpretingRequest.id))
    ).all()
    closings = _payout_closings(session, [row.id for row in candidates if row.id is not None])
    due = []
    for row in candidates:
        months_of_row = closings.get(row.id)
        if months_of_row is None:
            if row.end < cutoff:
                due.append(row)
        elif all(closed is not None and closed < cutoff for closed in months_of_row):
            due.append(row)
    return due


def _payout_closings(session: Session, request_ids: list[int]) -> dict[int, list[datetime | None]]:
    """Map each request with payout entries to the closing times of their months (None = still open)."""
    closings: dict[int, list[datetime | None]] = {}
    for chunk_start in range(0, len(request_ids), 500):
        chunk = request_ids[chunk_start : chunk_start + 500]
        rows = session.exec(
            select(Assignment.request_id, PayoutMonth.closed_at)
            .join(PayoutEntry, col(PayoutEntry.assignment_id) == Assignment.id)
            .join(PayoutMonth, col(PayoutMonth.id) == PayoutEntry.payout_month_id)
            .where(col(Assignment.request_id).in_(chunk))
        ).all()
        for request_id, closed_at in rows:
            closings.setdefault(request_id, []).append(closed_at)
    return closings


def anonymise_request(session: Session, request: InterpretingRequest, *, now: datetime, actor: str) -> None:
    """Blank a request's personal data in the caller's transaction, keeping the figures."""
    request.contact_name = ""
    request.contact_email = ""
    request.contact_phone = ""
    request.topic = ""
    request.address = ""
    request.dialect = ""
    request.decision_note = ""
    request.reasons = [{"rule": reason.get("rule")} for reason in request.reasons if isinstance(reason, dict)]
    _clear_decline_reasons(session, Offer.request_id == request.id)
    _clear_feedback(
        session, list(session.exec(select(Assignment.id).where(Assignment.request_id == request.id)).all())
    )
    mail_privacy.forget(session, mail_privacy.mails_of_request(session, request.id), now=now)
    request.anonymised_at = now
    request.updated_at = now
    session.add(request)
    record(
        session,
        actor=actor,
        entity="request",
        entity_id=str(request.id),
        action="anonymised",
        from_state=request.status,
        to_state=request.status,
        detail={"reason": "retention"},
    )


def anonymise_finished(session: Session, *, now: datetime) -> str:
    """Anonymise finished requests past the retention period; a second run finds nothing more."""
    months = _retention_months()
    due = due_for_anonymisation(session, now=now, months=months)
    for request in due:
        anonymise_request(session, request, now=now, actor="job:retention")
    session.commit()
    if not due:
        return "Keine Anfragen zu anonymisieren."
    return f"{len(due)} Anfrage(n) nach {months} Monaten anonymisiert."
