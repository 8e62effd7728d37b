"""Queue a pool's mail: the one place that gives every mail the pool's identity (footer, Reply-To)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from notifications.compose import Attachment, Mail, compose
from notifications.outbox import enqueue
from sprachmittlerpool.config import cutoff_hours
from sprachmittlerpool.identity import PoolIdentity
from sprachmittlerpool.pools import base_url_of
from sprachmittlerpool.services.identity import identity_of


def mail_identity(session: Session, *, pool_id: int) -> PoolIdentity:
    """Return the pool's identity with absolute links under its own address, as mails need them."""
    return identity_of(session, pool_id=pool_id, base_url=base_url_of(session, pool_id))


def queue_mail(
    session: Session,
    template: str,
    *,
    pool_id: int,
    recipient: str,
    dedupe_key: str,
    context: dict[str, Any],
    now: datetime,
    attachments: tuple[Attachment, ...] = (),
) -> None:
    """Compose a pool's mail and put it in the outbox of the caller's transaction."""
    mail = compose_mail(
        session, template, pool_id=pool_id, recipient=recipient, dedupe_key=dedupe_key, context=context,
        attachments=attachments,
    )  # fmt: skip
    enqueue(session, mail, now=now, pool_id=pool_id)


def compose_mail(
    session: Session,
    template: str,
    *,
    pool_id: int,
    recipient: str,
    dedupe_key: str,
    context: dict[str, Any],
    attachments: tuple[Attachment, ...] = (),
) -> Mail:
    """Compose a pool's mail without queueing it, for a caller that writes the outbox row itself."""
    return compose(
        template,
        recipient=recipient,
        dedupe_key=dedupe_key,
        pool=mail_identity(session, pool_id=pool_id),
        context={"cutoff_hours": cutoff_hours(), **context},
        attachments=attachments,
    )
