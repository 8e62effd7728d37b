"""The transactional outbox: a mail is a row written in the same transaction as the change that causes it."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, func, select

from notifications.compose import Mail
from sprachmittlerpool.db import find_or_insert
from sprachmittlerpool.models import MailStatus, OutboxMail


def message_id(domain: str = "sprachmittlerpool.local") -> str:
    """Return a stable Message-ID for a row, so a resend after a crash is recognisably the same mail."""
    return f"<{secrets.token_hex(16)}@{domain}>"


def enqueue(session: Session, mail: Mail, *, now: datetime, pool_id: int | None = None) -> OutboxMail:
    """Queue a pool's mail in the caller's transaction; a second mail with the same dedupe key is not queued
    again, even when two transactions queue it at once (the unique key decides, see find_or_insert).

    The public intake writes its first mail itself, together with the request (`intake._store`), with
    `row_values`.
    """
    values = row_values(mail, now=now, pool_id=pool_id)
    return find_or_insert(session, lambda: _by_key(session, mail.dedupe_key), lambda: OutboxMail(**values))


def row_values(mail: Mail, *, now: datetime, pool_id: int | None) -> dict[str, Any]:
    """The outbox row of a mail, as `enqueue` inserts it."""
    return {
        "pool_id": pool_id,
        "dedupe_key": mail.dedupe_key,
        "message_id": message_id(),
        "recipient": mail.recipient,
        "reply_to": mail.reply_to,
        "subject": mail.subject,
        "body_text": mail.body_text,
        "body_html": mail.body_html,
        "attachments": [
            {"filename": a.filename, "content_type": a.content_type, "content": a.content}
            for a in mail.attachments
        ],
        "status": MailStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def _by_key(session: Session, dedupe_key: str) -> OutboxMail | None:
    return session.exec(select(OutboxMail).where(OutboxMail.dedupe_key == dedupe_key)).first()


def failed_count(session: Session, *, pool_id: int) -> int:
    """Count a pool's mails that failed for good, for its coordinators' dashboard."""
    return _count(session, MailStatus.FAILED, pool_id)


def pending_count(session: Session, *, pool_id: int) -> int:
    """Count a pool's mails still waiting to leave."""
    return _count(session, MailStatus.PENDING, pool_id)


def own_mail(pool_id: int) -> ColumnElement[bool]:
    """Select a pool's mails and the installation's own (without a pool): what its coordinators may see."""
    return or_(col(OutboxMail.pool_id) == pool_id, col(OutboxMail.pool_id).is_(None))


def _count(session: Session, status: MailStatus, pool_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(OutboxMail).where(OutboxMail.status == status, own_mail(pool_id))
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
