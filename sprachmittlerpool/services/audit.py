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
    event = AuditEvent(**row_values(actor, entity, entity_id, action, from_state, to_state, detail))
    session.add(event)
    return event


def row_values(
    actor: str,
    entity: str,
    entity_id: str,
    action: str,
    from_state: str | None,
    to_state: str | None,
    detail: dict[str, Any] | None,
) -> dict[str, Any]:
    """An audit row's columns, stamped now; the public intake writes its first row with them itself."""
    return {
        "at": local_now(), "actor": actor, "entity": entity, "entity_id": entity_id, "action": action,
        "from_state": from_state, "to_state": to_state, "detail": detail or {},
    }  # fmt: skip
