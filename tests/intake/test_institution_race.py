"""A first request of an institution that another request added meanwhile keeps one institution row.

The intake inserts a new institution with `ON CONFLICT DO NOTHING` instead of a savepoint; the path where
the insert finds the row already there (another first request committed after this one looked) is
arranged here by calling the insert after the row exists, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from flask import Flask
from sqlmodel import select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import Institution, local_now
from sprachmittlerpool.services import intake
from tests.factories import FIRST_POOL
from tests.intake.conftest import count, payload


def _valid(session) -> intake.RequestData:
    return intake.validate(session, payload(), now=local_now(), pool_id=FIRST_POOL)


def test_a_new_institution_is_inserted_and_one_added_meanwhile_is_taken_not_doubled(app: Flask, db) -> None:
    with app.app_context():
        first = new_session(write=True)
        valid = _valid(first)
        new_id = intake._institution_id(first, FIRST_POOL, valid, None)
        first.commit()
        first.close()
        late = new_session(write=True)  # looked before the first committed: it found nothing
        taken_id = intake._institution_id(late, FIRST_POOL, _valid(late), None)
        late.commit()
        late.close()
    assert taken_id == new_id
    assert count(db, Institution) == 1
    row = db.exec(select(Institution)).one()
    assert (row.name, row.type, row.email, row.note) == (
        valid.institution_name, valid.institution_type, valid.contact_email, "",
    )  # fmt: skip
    assert row.created_at is not None


def test_two_first_requests_of_one_institution_through_the_api_share_its_row(client, db) -> None:
    first = client.post("/api/v1/requests", json=payload(), headers={"Idempotency-Key": "erste"})
    second = client.post(
        "/api/v1/requests", json=payload(topic="Zweites Gespräch"), headers={"Idempotency-Key": "zweite"}
    )
    assert (first.status_code, second.status_code) == (201, 201)
    assert count(db, Institution) == 1
