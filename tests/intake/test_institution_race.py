"""A first request of an institution that another request added meanwhile keeps one institution row.

The intake inserts a new institution unless it is there (its unique identity: name, type, e-mail) instead
of a savepoint, and the request names the row that holds the identity. The path where the insert finds the
row already there (another first request committed after this one looked) is arranged here by a look-up
that finds no sender, on SQLite and PostgreSQL alike; on PostgreSQL also with the other transaction still
open while the intake's statement runs, so the statement waits for it.
"""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest
from flask import Flask, current_app
from sqlalchemy import text
from sqlmodel import select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import Institution, InterpretingRequest, local_now
from sprachmittlerpool.services import intake
from sprachmittlerpool.services.intake_lookup import Lookup
from tests.factories import FIRST_POOL
from tests.intake.conftest import count, payload


def _submit(topic: str, key: str) -> tuple[intake.InterpretingRequest, str | None]:
    with new_session(write=True) as session:
        return intake.submit(
            session, data=payload(topic=topic), idempotency_key=key, now=local_now(), pool_id=FIRST_POOL,
            instance_path=current_app.instance_path, base_url="http://localhost", secret="geheim",
        )  # fmt: skip


def test_a_new_institution_is_inserted_and_one_added_meanwhile_is_taken_not_doubled(
    app: Flask, db, monkeypatch
) -> None:
    real = intake.look_up

    def looked_before_the_other_committed(session, **kwargs) -> Lookup:
        return dataclasses.replace(real(session, **kwargs), sender=None)

    monkeypatch.setattr(intake, "look_up", looked_before_the_other_committed)
    with app.app_context():
        first, _ = _submit("Erstes Gespräch", "erste")
        late, _ = _submit("Zweites Gespräch", "zweite")
    row = db.exec(select(Institution)).one()
    assert first.institution_id == late.institution_id == row.id
    stored = db.exec(select(InterpretingRequest.institution_id)).all()
    assert stored == [row.id, row.id]
    data = payload()
    assert (row.name, row.type, row.email, row.note) == (
        data["institution_name"], data["institution_type"], data["contact_email"], "",
    )  # fmt: skip
    assert row.created_at is not None


def test_on_postgresql_the_intake_waits_for_a_sender_another_transaction_is_adding_and_names_it(
    app: Flask, db, monkeypatch
) -> None:
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite's write lock lets one writer in at a time: there is nothing to wait for")
    real = intake.look_up
    monkeypatch.setattr(
        intake, "look_up", lambda session, **kwargs: dataclasses.replace(real(session, **kwargs), sender=None)
    )
    data = payload()
    with app.app_context():
        other = new_session(write=True)
        other.add(row := Institution(pool_id=FIRST_POOL, name=data["institution_name"], type="kita",
                                     email=data["contact_email"], created_at=local_now()))  # fmt: skip
        other.flush()  # holds the identity, not committed yet
        submitted: list[InterpretingRequest] = []
        intake_thread = threading.Thread(target=_submit_in, args=(app, submitted))
        intake_thread.start()
        _wait_for_a_lock_wait(db)
        other.commit()
        intake_thread.join(timeout=30)
        other.close()
    assert [request.institution_id for request in submitted] == [row.id]
    assert count(db, Institution) == 1


def _submit_in(app: Flask, submitted: list) -> None:
    with app.app_context():
        submitted.append(_submit("Erstes Gespräch", "erste")[0])


def _wait_for_a_lock_wait(db) -> None:
    """Wait until a backend waits for a lock (the intake's statement for the open transaction's row)."""
    deadline = time.monotonic() + 30
    waiting = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
    while db.execute(waiting).scalar_one() == 0:
        assert time.monotonic() < deadline, "the intake never waited for the other transaction"
        db.rollback()  # a fresh snapshot of pg_stat_activity
        time.sleep(0.01)
    db.rollback()


def test_two_first_requests_of_one_institution_through_the_api_share_its_row(client, db) -> None:
    first = client.post("/api/v1/requests", json=payload(), headers={"Idempotency-Key": "erste"})
    second = client.post(
        "/api/v1/requests", json=payload(topic="Zweites Gespräch"), headers={"Idempotency-Key": "zweite"}
    )
    assert (first.status_code, second.status_code) == (201, 201)
    assert count(db, Institution) == 1
