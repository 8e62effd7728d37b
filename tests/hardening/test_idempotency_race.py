"""Two submissions with one idempotency key at the same instant make one request and one receipt mail.

A double click or a client's retry can reach two workers at once; both get past the "seen this key?"
lookup before either commits. Real threads released by a barrier, real commits (no rollback per test)
and many rounds, on SQLite and, with SPRACHMITTLERPOOL_TEST_DATABASE_URL, on PostgreSQL. Both answers
must say success, as the API contract promises: 201 with the same receipt, the second being a replay.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, func, select

from sprachmittlerpool.models import Institution, InterpretingRequest, OutboxMail
from sprachmittlerpool.services.intake import Idempotency
from tests.factories import FIRST_POOL
from tests.intake.conftest import fresh, payload
from tests.intake.test_form import form_data

ROUNDS = int(os.environ.get("IDEMPOTENCY_ROUNDS", "50"))


def together(app: Flask, *calls: Callable[[FlaskClient], object]) -> list[object]:
    """Run each call in its own thread with its own client, released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[FlaskClient], object]) -> None:
        client = app.test_client()
        try:
            barrier.wait(timeout=30)
            results[index] = call(client)
        except Exception as exc:  # noqa: BLE001 (reported by the caller as a failed round)
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(isinstance(r, Exception) for r in results), results
    return results


def stored(db: Session, key: str, scope: str = "public") -> tuple[int, int]:
    """Return how many requests carry the key (as the caller's scope stores it) and how many mails are queued."""
    fresh(db)
    key = Idempotency(key, scope, "").stored_key(FIRST_POOL)
    requests = db.exec(
        select(func.count())
        .select_from(InterpretingRequest)
        .where(InterpretingRequest.idempotency_key == key)
    ).one()
    return requests, db.exec(select(func.count()).select_from(OutboxMail)).one()


def test_two_api_posts_with_one_key_at_once_make_one_request_and_one_mail_and_both_get_the_receipt(app, db):
    for round_ in range(ROUNDS):
        key = f"race-{round_}-{uuid.uuid4()}"
        _, mails_before = stored(db, key)

        def post(client: FlaskClient, key: str = key):
            return client.post("/api/v1/requests", json=payload(), headers={"Idempotency-Key": key})

        first, second = together(app, post, post)
        assert (first.status_code, second.status_code) == (201, 201), (round_, first.json, second.json)
        assert first.get_json() == second.get_json(), round_
        assert stored(db, key) == (1, mails_before + 1), round_


def test_two_form_posts_with_one_key_at_once_make_one_request_and_one_mail_and_both_see_the_receipt(app, db):
    for round_ in range(ROUNDS):
        key = f"race-form-{round_}-{uuid.uuid4()}"
        _, mails_before = stored(db, key, "form")

        def post(client: FlaskClient, key: str = key):
            response = client.post("/anfrage", data=form_data(idempotency_key=key))
            return response, client.get("/anfrage/eingegangen").get_data(as_text=True)

        (first, first_receipt), (second, second_receipt) = together(app, post, post)
        assert (first.status_code, second.status_code) == (302, 302), round_
        for receipt in (first_receipt, second_receipt):
            assert "status-link" in receipt, round_
        assert stored(db, key, "form") == (1, mails_before + 1), round_


def test_two_first_requests_of_one_new_institution_at_once_both_succeed_with_one_institution_row(app, db):
    """Different keys, same new institution: the institution's unique identity must not turn one into a 500."""
    for round_ in range(ROUNDS):
        name = f"Kita Neuland {round_}-{uuid.uuid4().hex[:8]}"

        def post(client: FlaskClient, name: str = name):
            return client.post(
                "/api/v1/requests",
                json=payload(institution_name=name),
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )

        first, second = together(app, post, post)
        assert (first.status_code, second.status_code) == (201, 201), (round_, first.json, second.json)
        assert first.get_json()["id"] != second.get_json()["id"]
        fresh(db)
        assert (
            db.exec(select(func.count()).select_from(Institution).where(Institution.name == name)).one() == 1
        )
