"""A first request of an institution that another request added meanwhile keeps one institution row.

The intake inserts a new institution with `ON CONFLICT DO NOTHING` instead of a savepoint, and the request
names its sender by the unique identity; the path where the insert finds the row already there (another
first request committed after this one looked) is arranged here by a look-up that finds no sender, on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import dataclasses

from flask import Flask, current_app
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


def test_two_first_requests_of_one_institution_through_the_api_share_its_row(client, db) -> None:
    first = client.post("/api/v1/requests", json=payload(), headers={"Idempotency-Key": "erste"})
    second = client.post(
        "/api/v1/requests", json=payload(topic="Zweites Gespräch"), headers={"Idempotency-Key": "zweite"}
    )
    assert (first.status_code, second.status_code) == (201, 201)
    assert count(db, Institution) == 1
