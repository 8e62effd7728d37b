"""The audit trail is append-only in the database, and so it must never hold what erasure removes.

Triggers (SQLite) and a trigger function (PostgreSQL) refuse UPDATE and DELETE of `audit_event`.
Erasure (Art. 17) and retention therefore cannot clean audit rows, so the writers keep ids and
flags there, never the note, the dates or the names that erasure and retention blank elsewhere.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from sprachmittlerpool import migrate
from sprachmittlerpool.db import make_engine
from sprachmittlerpool.integrity import APPEND_ONLY_MESSAGE
from sprachmittlerpool.models import AuditEvent, RequestStatus, local_now
from sprachmittlerpool.services.audit import record
from sprachmittlerpool.services.intake import decide_review
from sprachmittlerpool.services.privacy import anonymise_finished, erase_volunteer
from sprachmittlerpool.services.volunteers import add_absence

NOTE = "Es geht um das Asylverfahren von Herrn Petrenko."
VOLUNTEER_NAME = "Oksana Hrytsenko"


@pytest.fixture
def event_id(db: Session) -> int:
    """Write one audit row the way the app does."""
    event = record(db, actor="test", entity="request", entity_id="1", action="cancel", to_state="cancelled")
    db.commit()
    return event.id


def test_an_audit_row_cannot_be_changed_behind_the_app_s_back(db, event_id) -> None:
    with pytest.raises(IntegrityError, match=APPEND_ONLY_MESSAGE):
        db.execute(text("UPDATE audit_event SET actor = 'jemand anderes' WHERE id = :id"), {"id": event_id})
        db.commit()


def test_an_audit_row_cannot_be_deleted_behind_the_app_s_back(db, event_id) -> None:
    with pytest.raises(IntegrityError, match=APPEND_ONLY_MESSAGE):
        db.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": event_id})
        db.commit()


def test_the_trail_stays_append_only_after_a_downgrade_and_upgrade(database_url) -> None:
    engine = make_engine(database_url)
    migrate.downgrade(engine, "base")
    migrate.upgrade(engine)

    with pytest.raises(IntegrityError, match=APPEND_ONLY_MESSAGE), engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO audit_event (at, actor, entity, entity_id, action, detail)"
                                   " VALUES ('2030-01-01 09:00:00', 'test', 'request', '1', 'x', '{}')")  # fmt: skip
        connection.exec_driver_sql("DELETE FROM audit_event")
    engine.dispose()


def test_the_trail_keeps_no_value_that_erasure_or_retention_must_remove(app, db, factories) -> None:
    now = local_now()
    start = (now - timedelta(days=31 * 30)).replace(hour=10, minute=0, second=0)
    volunteer = factories.VolunteerFactory(name=VOLUNTEER_NAME, phone="0170 5550123")
    request = factories.RequestFactory(
        status=RequestStatus.REVIEW, start=start, end=start + timedelta(hours=1), topic="Scheidung"
    )
    with app.app_context():
        add_absence(db, volunteer, start=date(2031, 7, 14), end=date(2031, 7, 25), actor="user:1")
        decide_review(db, request=request, decision="reject", note=NOTE, now=now, actor="user:1")
        anonymise_finished(db, now=now)
        erase_volunteer(db, volunteer.id, now=now, actor="user:1")

    trail = json.dumps(
        [[e.actor, e.entity_id, e.from_state, e.to_state, e.detail] for e in db.exec(select(AuditEvent))],
        ensure_ascii=False,
    )
    removed = [NOTE, "Asylverfahren", "2031-07-14", "2031-07-25", VOLUNTEER_NAME, volunteer.email, "0170"]
    assert {"absence_added", "review_rejected", "anonymised", "erased"} <= {
        e.action for e in db.exec(select(AuditEvent))
    }
    assert [value for value in removed if value in trail] == []
