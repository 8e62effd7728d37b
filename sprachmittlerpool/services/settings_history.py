"""Who changed a pool's settings and when, read from the audit trail for the settings pages."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from sprachmittlerpool.models import AuditEvent, User

USER_PREFIX = "user:"
OTHER_ACTORS = {"cli": "Kommandozeile", "system": "automatisch", "seed-demo": "Demodaten"}


@dataclass(frozen=True)
class Change:
    """One audited change with the person who made it, by name."""

    at: datetime
    who: str
    action: str
    entity_id: str
    from_state: str | None
    to_state: str | None
    detail: dict[str, Any]


def actor_for(user_id: int) -> str:
    """Return how the audit trail names an account."""
    return f"{USER_PREFIX}{user_id}"


def changes(
    session: Session,
    *,
    entity: str,
    entity_ids: Collection[str],
    actions: Collection[str] | None = None,
    limit: int = 50,
) -> list[Change]:
    """Return the latest audited changes of some rows, newest first, naming people instead of ids."""
    if not entity_ids:
        return []
    statement = select(AuditEvent).where(
        AuditEvent.entity == entity, col(AuditEvent.entity_id).in_(list(entity_ids))
    )
    if actions is not None:
        statement = statement.where(col(AuditEvent.action).in_(list(actions)))
    order = (col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    events = session.exec(statement.order_by(*order).limit(limit)).all()
    names = OTHER_ACTORS | _names(session, {event.actor for event in events})
    return [
        Change(
            e.at, names.get(e.actor, "unbekannt"), e.action, e.entity_id, e.from_state, e.to_state, e.detail
        )
        for e in events
    ]


def _names(session: Session, actors: set[str]) -> dict[str, str]:
    """Map 'user:7' to 'Kim Koordination (kim@…)'; other actors (cli, system) stay as they are."""
    ids = [int(a.removeprefix(USER_PREFIX)) for a in actors if a.startswith(USER_PREFIX) and a[5:].isdigit()]
    users = session.exec(select(User).where(col(User.id).in_(ids))).all() if ids else []
    return {actor_for(u.id): f"{u.name} ({u.email})" if u.name else u.email for u in users if u.id}
