"""The outbox and the .eml files are personal data: find a person's mails, list them, forget them.

A mail row keeps for the audit what happened (id, dedupe key made of row ids, dates, status, attempts);
recipient, Reply-To, subject, bodies, attachments and the last SMTP answer are blanked, and the .eml
file the relay wrote for the row (named `…-<id>.eml`) is deleted. A mail still waiting is stopped,
since it has nowhere left to go.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import String, cast, func, literal, or_, union_all
from sqlmodel import Session, col, select

from sprachmittlerpool.models import Assignment, MailStatus, Offer, OutboxMail

FORGOTTEN = "Inhalt gelöscht (Datenschutz)"
_OFFER_KINDS = ("offer", "offer_withdrawn")
_ASSIGNMENT_KINDS = (
    "assignment_cancelled",
    "assignment_released",
    "assignment_confirmed",
    "assignment_confirmed_institution",
    "assignment_withdrawn_institution",
    "completion_request",
    "reminder",
    "feedback_volunteer",
    "feedback_institution",
)
_REQUEST_KINDS = ("unfilled", "unfilled_warning")
_REQUEST_SUFFIXES = ("accepted", "cancelled", "received", "rejected")
# A request can change many times, so these mails' keys end in the change's number: "<kind>:<row id>:<n>".
_OFFER_CHANGES = "offer_changed"
_ASSIGNMENT_CHANGES = "assignment_changed"
_REQUEST_CHANGES = "request_changed"


def _keys_of_offers(offer_ids: Iterable[int]) -> list[str]:
    return [f"{kind}:{offer_id}" for offer_id in offer_ids for kind in _OFFER_KINDS]


def _keys_of_assignments(assignment_ids: Iterable[int]) -> list[str]:
    return [f"{kind}:{assignment_id}" for assignment_id in assignment_ids for kind in _ASSIGNMENT_KINDS]


def _keys_of_request(request_id: int) -> list[str]:
    keys = [f"{kind}:{request_id}" for kind in _REQUEST_KINDS]
    return keys + [f"request:{request_id}:{suffix}" for suffix in _REQUEST_SUFFIXES]


def _changes_of(kind: str, row_ids: Iterable[int]) -> list[Any]:
    """Match the mails of every change of these rows (keys "<kind>:<id>:<n>")."""
    return [col(OutboxMail.dedupe_key).startswith(f"{kind}:{row_id}:", autoescape=True) for row_id in row_ids]


def mails_of_volunteer(
    session: Session, volunteer_id: int, *, email: str, names: Iterable[str]
) -> list[OutboxMail]:
    """Return every mail to or about the volunteer: to their address, about their offers and assignments, or naming them."""
    offers = (Offer.id, Offer.volunteer_id == volunteer_id)
    assignments = (Assignment.id, Assignment.volunteer_id == volunteer_id)
    needles = [text for text in (email, *names) if len(text.strip()) >= 3]
    mentions = [
        or_(
            *(
                col(column).contains(text)
                for column in (OutboxMail.subject, OutboxMail.body_text, OutboxMail.body_html)
            )
        )
        for text in needles
    ]
    where = [
        func.lower(OutboxMail.recipient) == email.lower(),
        _keyed(_OFFER_KINDS, *offers),
        _keyed(_ASSIGNMENT_KINDS, *assignments),
        _keyed((_OFFER_CHANGES,), *offers, numbered=True),
        _keyed((_ASSIGNMENT_CHANGES,), *assignments, numbered=True),
        # the personal links (services/volunteer_self.py), a confirmation also to an address never saved
        col(OutboxMail.dedupe_key).startswith(f"volunteer:{volunteer_id}:"),
        *mentions,
    ]
    return list(session.exec(select(OutboxMail).where(or_(*where)).order_by(col(OutboxMail.id))).all())


def _keyed(kinds: Iterable[str], row_id: Any, of_rows: Any, *, numbered: bool = False) -> Any:
    """Match the mails keyed "<kind>:<id>" (numbered: "<kind>:<id>:<n>") of every row `of_rows` selects.

    The ids stay in the database as a subquery: a volunteer with years of offers and assignments made a
    statement of thousands of terms, slower to build and to plan than to run. A numbered key loses its
    trailing number (rtrim of the digits, on SQLite and PostgreSQL) and is compared up to its last colon.
    """
    end = ":" if numbered else ""
    keys = union_all(
        *(select(literal(f"{kind}:") + cast(row_id, String) + literal(end)).where(of_rows) for kind in kinds)
    )
    key = func.rtrim(OutboxMail.dedupe_key, "0123456789") if numbered else col(OutboxMail.dedupe_key)
    return key.in_(keys)


def mails_of_request(session: Session, request_id: int) -> list[OutboxMail]:
    """Return every mail about a request: to its contact, and to volunteers about its offers and assignment."""
    offer_ids = session.exec(select(Offer.id).where(Offer.request_id == request_id)).all()
    assignment_ids = session.exec(select(Assignment.id).where(Assignment.request_id == request_id)).all()
    keys = _keys_of_request(request_id) + _keys_of_offers(offer_ids) + _keys_of_assignments(assignment_ids)
    where = [
        col(OutboxMail.dedupe_key).in_(keys),
        *_changes_of(_REQUEST_CHANGES, [request_id]),
        *_changes_of(_OFFER_CHANGES, offer_ids),
        *_changes_of(_ASSIGNMENT_CHANGES, assignment_ids),
    ]
    return list(session.exec(select(OutboxMail).where(or_(*where)).order_by(col(OutboxMail.id))).all())


def describe(mails: Iterable[OutboxMail]) -> list[dict[str, Any]]:
    """List mails for an Art. 15 export: what was sent when, with its subject as the person received it."""
    return [
        {
            "id": str(mail.id),
            "subject": mail.subject,
            "status": mail.status,
            "queued": f"{mail.created_at:%Y-%m-%dT%H:%M}",
            "sent": None if mail.sent_at is None else f"{mail.sent_at:%Y-%m-%dT%H:%M}",
        }
        for mail in mails
    ]


def forget(session: Session, mails: Iterable[OutboxMail], *, now: datetime) -> int:
    """Blank the mails' personal content in the caller's transaction and delete their .eml files; return how many."""
    count = 0
    for mail in mails:
        if mail.status == MailStatus.PENDING:
            mail.status = MailStatus.FAILED
            mail.next_attempt_at = now
        mail.recipient = ""
        mail.reply_to = ""
        mail.subject = FORGOTTEN
        mail.body_text = ""
        mail.body_html = ""
        mail.attachments = []
        mail.last_error = ""
        session.add(mail)
        _delete_eml(mail.id)
        count += 1
    return count


def _delete_eml(mail_id: int | None) -> None:
    """Delete the relay's file for this row; the name ends in the row id, so no other mail is touched."""
    if mail_id is None or not has_app_context():
        return
    directory = Path(current_app.config["MAIL_DIR"])
    if directory.is_dir():
        for path in directory.glob(f"*-{mail_id}.eml"):
            path.unlink(missing_ok=True)
