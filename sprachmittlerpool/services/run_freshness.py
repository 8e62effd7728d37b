"""Tell whether a matching run still reflects the data: has anything that matters changed since?

The signal is the audit trail, which every change to volunteers (absences, deactivation,
languages), offers, assignments and requests already writes. A run keeps the id of the
newest audit row it saw (``audit_mark`` in its result); a later row of those kinds, in the
run's pool, makes its proposals stale. Ids, not clock times: times are kept to the second,
so a change in the same second as the run would otherwise be missed.

The offers sent from the run's own proposals are not a change the coordinator must react to,
so they (and the request moving to "offered" with them) do not count.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from sprachmittlerpool.models import (
    Assignment,
    AuditEvent,
    InterpretingRequest,
    MatchingRun,
    Offer,
    Volunteer,
)

BATCH = 200
TABLES: dict[str, Any] = {
    "volunteer": Volunteer,
    "offer": Offer,
    "assignment": Assignment,
    "request": InterpretingRequest,
}


def changed_since(session: Session, run: MatchingRun) -> datetime | None:
    """Return when the latest relevant change after the run happened, or None while the run is current.

    Reads newest first, a batch at a time, and stops at the first change in the run's pool, so an
    old run in a busy installation does not load the whole trail behind it.
    """
    own = _own_offers(run)
    statement = _later_events(run).order_by(col(AuditEvent.id).desc())
    offset = 0
    while batch := session.exec(statement.offset(offset).limit(BATCH)).all():
        candidates = [e for e in batch if not _is_own_offer(e, own)]
        in_pool = _ids_in_pool(session, candidates, pool_id=run.pool_id)
        for event in candidates:
            if event.entity_id == "*" or event.entity_id in in_pool[event.entity]:
                return event.at
        offset += BATCH
    return None


def _later_events(run: MatchingRun):  # noqa: ANN202 - a select statement
    """Select audit rows of the kinds that matter, written after the run looked at the data."""
    statement = select(AuditEvent).where(col(AuditEvent.entity).in_(TABLES))
    mark = run.result.get("audit_mark")
    if mark is None:  # a run kept before marks existed: fall back to its time
        return statement.where(AuditEvent.at > run.created_at)
    return statement.where(col(AuditEvent.id) > mark)


def _own_offers(run: MatchingRun) -> set[tuple[str, str]]:
    return {(a["request"], a["volunteer"]) for a in run.result.get("assignments", [])}


def _is_own_offer(event: AuditEvent, own: set[tuple[str, str]]) -> bool:
    """Tell whether the row is an offer sent for one of the run's proposals, or its request becoming offered."""
    if event.entity == "offer" and event.action == "make":
        pair = (str(event.detail.get("request")), str(event.detail.get("volunteer")))
        return pair in own
    if event.entity == "request" and event.to_state == "offered":
        return event.entity_id in {request for request, _ in own}
    return False


def _ids_in_pool(session: Session, events: list[AuditEvent], *, pool_id: int) -> dict[str, set[str]]:
    """Keep the entity ids that belong to the pool (the audit trail has no pool column)."""
    wanted: defaultdict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.entity_id.isdigit():
            wanted[event.entity].add(int(event.entity_id))
    found: defaultdict[str, set[str]] = defaultdict(set)
    for entity, ids in wanted.items():
        table = TABLES[entity]
        rows = session.exec(select(table.id).where(col(table.id).in_(ids), table.pool_id == pool_id))
        found[entity] = {str(row) for row in rows}
    return found
