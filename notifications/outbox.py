"""The transactional outbox: a mail is a row written in the same transaction as the change that causes it."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from notifications.compose import Mail
from sprachmittlerpool.models import MailStatus, OutboxMail


def message_id(domain: str = "sprachmittlerpool.local") -> str:
    """Return a stable Message-ID for a row, so a resend after a crash is recognisably the same mail."""
    return f"<{secrets.token_hex(16)}@{domain}>"


def enqueue(session: Session, mail: Mail, *, now: datetime) -> OutboxMail:
    """Queue a mail in the caller's transaction; a second mail with the same dedupe key is not queued again.

    Two transactions can both find no row (PostgreSQL; SQLite's write lock serialises them). The unique
    index then refuses the later insert: a savepoint undoes only that insert, and the caller gets the
    winner's row and keeps the rest of its transaction instead of an IntegrityError.
    """
    existing = _by_key(session, mail.dedupe_key)
    if existing is not None:
        return existing
    row = OutboxMail(
        dedupe_key=mail.dedupe_key,
        message_id=message_id(),
        recipient=mail.recipient,
        subject=mail.subject,
        body_text=mail.body_text,
        body_html=mail.body_html,
        attachments=[
            {"filename": a.filename, "content_type": a.content_type, "content": a.content}
            for a in mail.attachments
        ],
        next_attempt_at=now,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        winner = _by_key(session, mail.dedupe_key)
        if winner is None:
            raise  # another constraint failed: not a duplicate
        return winner
    return row


def _by_key(session: Session, dedupe_key: str) -> OutboxMail | None:
    return session.exec(select(OutboxMail).where(OutboxMail.dedupe_key == dedupe_key)).first()


def failed_count(session: Session) -> int:
    """Count mails that failed for good, for the coordinators' dashboard."""
    return session.exec(
        select(func.count()).select_from(OutboxMail).where(OutboxMail.status == MailStatus.FAILED)
    ).one()


def pending_count(session: Session) -> int:
    """Count mails still waiting to leave."""
    return session.exec(
        select(func.count()).select_from(OutboxMail).where(OutboxMail.status == MailStatus.PENDING)
    ).one()


def retry_failed(session: Session, mail_id: int, *, now: datetime) -> bool:
    """Put a failed mail back in the queue (after a coordinator fixed the cause); tell whether it was failed."""
    row = session.get(OutboxMail, mail_id)
    if row is None or row.status != MailStatus.FAILED:
        return False
    row.status = MailStatus.PENDING
    row.attempts = 0
    row.next_attempt_at = now
    row.created_at = now  # the retry deadline starts again from the coordinator's decision
    session.add(row)
    return True
