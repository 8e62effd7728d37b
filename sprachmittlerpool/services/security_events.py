"""Security events in the audit trail: refused CSRF tokens, rate-limit refusals and failed logins.

Each row is written in its own short transaction, after the refused request's own session is
ended, so the refused request's rollback cannot take the record with it and a SQLite write lock
held by that request cannot block it. Rows name the address, the endpoint and its URL rule,
never the concrete path (offer and status links carry their token in it), the form or a password.
Refusals repeat in floods, so one address writes at most one row a minute per action.
"""

from __future__ import annotations

import zlib
from datetime import timedelta

from flask import current_app, request
from sqlalchemy import func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from sprachmittlerpool.db import end_session, write_session
from sprachmittlerpool.models import AuditEvent, local_now
from sprachmittlerpool.services import audit

CSRF_FAILED = "csrf_failed"
RATE_LIMITED = "rate_limited"
LOGIN_FAILED = "login_failed"
FLOOD_WINDOW = timedelta(minutes=1)


def record_refusal(action: str) -> None:
    """Record a refused request (CSRF_FAILED, RATE_LIMITED) once a minute per address; end its session first."""
    end_session()
    _write(action, entity="endpoint", entity_id=(request.endpoint or "")[:40], once_a_minute=True)


UNKNOWN_ACCOUNT = "unbekannt"


def record_login_failure(account: str | None) -> None:
    """Record a failed login with the address and the existing account tried, never what was typed.

    For a name no account has, the row says only "unbekannt": people type their password into the
    e-mail field by mistake, and that text must not land in an append-only trail.
    """
    _write(LOGIN_FAILED, entity="user", entity_id=(account or UNKNOWN_ACCOUNT)[:40], once_a_minute=False)


def _write(action: str, *, entity: str, entity_id: str, once_a_minute: bool) -> None:
    actor = f"ip:{request.remote_addr or 'unknown'}"
    rule = request.url_rule.rule if request.url_rule is not None else None
    try:
        with write_session() as session:
            if once_a_minute and _recorded_lately(session, actor, action):
                return
            audit.record(
                session,
                actor=actor,
                entity=entity,
                entity_id=entity_id,
                action=action,
                detail={"method": request.method, "rule": rule},
            )
    except SQLAlchemyError:
        # The refusal itself must still answer; a lost record is logged instead of turning into a 500.
        current_app.logger.warning("Sicherheitsereignis %s konnte nicht gespeichert werden.", action)


def _recorded_lately(session: Session, actor: str, action: str) -> bool:
    """Tell whether this address has a row for this action within the window (serialised per key)."""
    if session.get_bind().dialect.name == "postgresql":
        # SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL needs a lock per key.
        session.execute(select(func.pg_advisory_xact_lock(zlib.crc32(f"{actor}|{action}".encode()))))
    since = local_now() - FLOOD_WINDOW
    statement = select(AuditEvent.id).where(
        AuditEvent.actor == actor, AuditEvent.action == action, col(AuditEvent.at) > since
    )
    return session.exec(statement.limit(1)).first() is not None
