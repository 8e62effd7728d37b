"""The append-only audit trail: who changed what, when, from which state to which."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
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
    event = AuditEvent(**_values(actor, entity, entity_id, action, from_state, to_state, detail))
    session.add(event)
    return event


def append(
    session: Session,
    *,
    actor: str,
    entity: str,
    entity_id: str,
    action: str,
    from_state: str | None = None,
    to_state: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Insert an audit row in the caller's transaction at once, without a row object.

    For the public intake, which never reads the row back: building and flushing a model object costs
    several times the insert itself there.
    """
    session.execute(INSERT, _values(actor, entity, entity_id, action, from_state, to_state, detail))


INSERT = insert(AuditEvent.__table__)  # type: ignore[attr-defined]  # built once: its compiled form is cached


def _values(
    actor: str,
    entity: str,
    entity_id: str,
    action: str,
    from_state: str | None,
    to_state: str | None,
    detail: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "at": local_now(), "actor": actor, "entity": entity, "entity_id": entity_id, "action": action,
        "from_state": from_state, "to_state": to_state, "detail": detail or {},
    }  # fmt: skip
