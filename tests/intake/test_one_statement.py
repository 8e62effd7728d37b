"""The intake's four rows in one statement: written with their defaults, refused all together, and on
PostgreSQL one message to the server without a transaction around it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from psycopg.pq import Trace
from sqlalchemy import event, insert
from sqlmodel import func, select

from sprachmittlerpool import create_app
from sprachmittlerpool.db import READS_ALONE, WriteWithoutTransaction, new_session
from sprachmittlerpool.models import AuditEvent, Institution, InterpretingRequest, OutboxMail, local_now
from sprachmittlerpool.services.intake_store import NewRows, store
from tests.factories import FIRST_POOL
from tests.intake.conftest import payload


def test_the_four_rows_name_each_other_and_keep_their_constant_defaults(client, db, api_headers):
    answer = client.post("/api/v1/requests", json=payload(), headers=api_headers)
    assert answer.status_code == 201
    request = db.exec(select(InterpretingRequest)).one()
    sender = db.exec(select(Institution)).one()
    assert request.id == int(answer.get_json()["id"]) and request.institution_id == sender.id
    assert (request.decision_note, sender.note) == ("", "")  # left out: their constant defaults
    audit = db.exec(select(AuditEvent).where(AuditEvent.entity == "request")).one()
    assert (audit.entity_id, audit.to_state) == (str(request.id), "open")
    mail = db.exec(select(OutboxMail)).one()
    assert (mail.dedupe_key, mail.recipient) == (f"request:{request.id}:received", request.contact_email)


def test_a_column_whose_default_only_sqlalchemy_could_compute_must_be_given(app, db):
    now = local_now()
    rows = NewRows(
        request={"created_at": now, "updated_at": now}, audit={"actor": "x"},  # no "at": local_now()
        mail={"created_at": now, "next_attempt_at": now}, sender={}, sender_id=1,
    )  # fmt: skip
    with (
        app.app_context(),
        new_session(write=True) as session,
        pytest.raises(ValueError, match="audit_event.at"),
    ):
        store(session, rows)
    assert db.exec(select(func.count()).select_from(AuditEvent)).one() == 0


def test_a_refused_request_keeps_nothing_of_the_four_and_the_call_goes_on(client, db, api_headers):
    headers = {**api_headers, "Idempotency-Key": "einmal"}
    assert client.post("/api/v1/requests", json=payload(), headers=headers).status_code == 201
    # the same key with another body and a new sender: its statement fails on the key, and the call then
    # finds the first request to say so
    other = payload(institution_name="Grundschule am Park", institution_type="schule", topic="Anderes")
    assert client.post("/api/v1/requests", json=other, headers=headers).status_code == 422
    assert [i.name for i in db.exec(select(Institution)).all()] == ["Städtische Kita Regenbogen"]
    for model in (InterpretingRequest, AuditEvent, OutboxMail):
        assert db.exec(select(func.count()).select_from(model)).one() == 1


def test_a_session_without_a_transaction_refuses_writes_through_the_orm(app, db):
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite keeps its transaction")
    row = {"pool_id": FIRST_POOL, "name": "Kita Sonnenschein", "type": "kita", "email": "a@kita.example",
           "created_at": local_now()}  # fmt: skip
    with app.app_context(), new_session(write=True, alone=True) as session:
        session.add(Institution(**row))
        with pytest.raises(WriteWithoutTransaction):
            session.flush()  # each statement would commit on its own
        session.rollback()
        with pytest.raises(WriteWithoutTransaction):
            session.execute(insert(Institution.__table__), row)  # type: ignore[attr-defined]
    assert db.exec(select(Institution)).all() == []


@pytest.mark.parametrize("endpoint", ["api.submit_request", "intake.new_request"])
def test_both_intakes_read_without_a_transaction_also_under_the_rate_limit(app_config, endpoint):
    limited = create_app({**app_config, "RATELIMIT_ENABLED": True})
    try:
        assert getattr(limited.view_functions[endpoint], READS_ALONE)
    finally:
        limited.extensions["sqlalchemy_engine"].dispose()


def test_on_postgresql_the_intake_writes_its_four_rows_with_one_statement_and_no_transaction_around(
    app, client, db, api_headers
):
    """Read off libpq's own trace of the protocol: the client's messages and the server's, in order."""
    engine = db.get_bind()
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs in the process: there is no round trip to save")
    client.post("/api/v1/requests", json=payload(), headers=api_headers)  # the process reads its rules
    with tempfile.TemporaryDirectory() as folder:
        trace = Path(folder) / "trace.txt"
        with trace.open("w") as out:
            listeners = _tracing(engine, out.fileno())
            try:
                answer = client.post(
                    "/api/v1/requests", json=payload(contact_email="kita-2@kita-regenbogen.example"),
                    headers=api_headers,
                )  # fmt: skip
            finally:
                for name, listener in listeners:
                    event.remove(engine, name, listener)
        messages = _messages(trace.read_text())
    assert answer.status_code == 201
    statements = [text for side, kind, text in messages if side == "F" and kind in ("Parse", "Query")]
    answers = [kind for side, kind, _ in messages if side == "B"]
    assert ["FROM api_token" in s for s in statements] == [True, False, False]
    assert "language.name_de" in statements[1] and "pool_closure" in statements[1]  # the one look-up
    assert [s.count("INSERT INTO") for s in statements if "INSERT" in s] == [
        4
    ]  # all four rows, one statement
    assert not [s for s in statements if "BEGIN" in s or "COMMIT" in s]
    # token, look-up, the four rows: three waits for the server (the pool's ping on taking the connection
    # comes before the trace starts). A transaction around the reads made it five, a wait per row eight.
    assert answers.count("ReadyForQuery") == 3


def _messages(trace: str) -> list[tuple[str, str, str]]:
    """The trace's messages as (F for the client or B for the server, kind, text); a statement's own line
    breaks continue its message."""
    messages: list[tuple[str, str, str]] = []
    for line in trace.splitlines():
        if line.startswith(("F\t", "B\t")):
            side, _length, kind, *text = line.split("\t")
            messages.append((side, kind, "\t".join(text)))
        else:
            side, kind, text = messages[-1]
            messages[-1] = (side, kind, f"{text}\n{line}")
    return messages


def _tracing(engine, fileno: int) -> list:
    """Trace every connection the app takes from the pool until it gives it back."""

    def start(dbapi_connection, *_):
        dbapi_connection.pgconn.trace(fileno)
        dbapi_connection.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS | Trace.REGRESS_MODE)

    def stop(dbapi_connection, *_):
        dbapi_connection.pgconn.untrace()

    listeners = [("checkout", start), ("checkin", stop)]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    return listeners
