"""The append-only audit trail: who changed what, when, from which state to which."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from sprachmittlerpool.models import AuditEvent, local_now


def record(
    session: Session,
    *,
    actor: str,
    entity: str,
    entity_id: str,
    action: str,
    from_state: str | None = None,
    to_state: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit row to the caller's transaction (it commits with the change it describes)."""
    event = AuditEvent(
        at=local_now(),
        actor=actor,
        entity=entity,
        entity_id=entity_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        detail=detail or {},
    )
    session.add(event)
    return event
