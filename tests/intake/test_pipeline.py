"""Statements of one transaction sent together: the rows are those the session would write, a refused one
keeps nothing, and on PostgreSQL the intake's four writes leave before the web worker waits for any answer.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from psycopg.pq import Trace
from sqlalchemy import event, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from sprachmittlerpool import create_app
from sprachmittlerpool.db import READS_ALONE, WriteOutsidePipeline, insert_unless_present, new_session
from sprachmittlerpool.models import Institution, local_now
from sprachmittlerpool.pipeline import Step, run_together
from tests.factories import FIRST_POOL
from tests.intake.conftest import payload

INSTITUTIONS = insert(Institution.__table__)  # type: ignore[attr-defined]
RETURNING_ID = INSTITUTIONS.returning(Institution.__table__.c.id)  # type: ignore[attr-defined]


def _institution(email: str, **extra) -> dict:
    return {"pool_id": FIRST_POOL, "name": "Kita Sonnenschein", "type": "kita", "email": email,
            "created_at": local_now(), **extra}  # fmt: skip


def test_rows_sent_together_are_written_in_order_with_their_constant_defaults(app, db):
    with app.app_context(), new_session(write=True) as session:
        first, second = run_together(
            session,
            [
                Step(RETURNING_ID, _institution("a@kita.example"), returns=True),
                Step(INSTITUTIONS, _institution("b@kita.example", note="Hausmeister fragen")),
                Step(RETURNING_ID, _institution("c@kita.example"), returns=True),
            ],
        )
        session.commit()
    rows = db.exec(select(Institution).order_by(Institution.id)).all()
    assert [(r.email, r.note) for r in rows] == [
        ("a@kita.example", ""), ("b@kita.example", "Hausmeister fragen"), ("c@kita.example", ""),
    ]  # fmt: skip
    assert (first, second) == ((rows[0].id,), (rows[2].id,))


def test_a_column_whose_default_only_sqlalchemy_could_compute_must_be_given(app, db):
    row = _institution("a@kita.example")
    del row["created_at"]  # its default is a function (local_now)
    with app.app_context(), new_session(write=True) as session, pytest.raises(ValueError, match="created_at"):
        run_together(session, [Step(INSTITUTIONS, row)])
    assert db.exec(select(Institution)).all() == []


def test_a_refused_statement_raises_sqlalchemys_integrity_error_and_keeps_nothing_sent_with_it(app, db):
    with app.app_context(), new_session(write=True) as session:
        run_together(session, [Step(INSTITUTIONS, _institution("a@kita.example"))])
        session.commit()
    with app.app_context(), new_session(write=True) as session:
        with pytest.raises(IntegrityError):
            run_together(
                session,
                [
                    Step(INSTITUTIONS, _institution("b@kita.example")),
                    Step(INSTITUTIONS, _institution("a@kita.example")),  # the same identity again
                    Step(INSTITUTIONS, _institution("c@kita.example")),
                ],
            )
        session.rollback()
        unless_present = insert_unless_present(session, Institution, ("pool_id", "name", "type", "email"))
        run_together(session, [Step(unless_present, _institution("a@kita.example"))])  # the session goes on
        session.commit()
    assert [r.email for r in db.exec(select(Institution)).all()] == ["a@kita.example"]


def test_without_a_transaction_the_statements_are_committed_together_or_not_at_all(app, db):
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite keeps its transaction")
    with app.app_context(), new_session(write=True, alone=True) as session:
        run_together(session, [Step(INSTITUTIONS, _institution("a@kita.example"))])
        # committed before the session's own commit: another connection sees the row already
        assert [r.email for r in db.exec(select(Institution)).all()] == ["a@kita.example"]
        with pytest.raises(IntegrityError):
            run_together(session, [Step(INSTITUTIONS, _institution("b@kita.example")),
                                   Step(INSTITUTIONS, _institution("a@kita.example"))])  # fmt: skip
        assert session.connection().connection.driver_connection.info.transaction_status.name == "IDLE"
        run_together(session, [Step(INSTITUTIONS, _institution("c@kita.example"))])  # the session goes on
    db.rollback()
    assert [r.email for r in db.exec(select(Institution)).all()] == ["a@kita.example", "c@kita.example"]


def test_a_session_without_a_transaction_refuses_any_write_but_the_pipelines(app, db):
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite keeps its transaction")
    with app.app_context(), new_session(write=True, alone=True) as session:
        session.add(Institution(**_institution("a@kita.example")))
        with pytest.raises(WriteOutsidePipeline):
            session.flush()
        session.rollback()
        with pytest.raises(WriteOutsidePipeline):
            session.execute(INSTITUTIONS, _institution("b@kita.example"))
    assert db.exec(select(Institution)).all() == []


@pytest.mark.parametrize("endpoint", ["api.submit_request", "intake.new_request"])
def test_both_intakes_read_without_a_transaction_also_under_the_rate_limit(app_config, endpoint):
    limited = create_app({**app_config, "RATELIMIT_ENABLED": True})
    try:
        assert getattr(limited.view_functions[endpoint], READS_ALONE)
    finally:
        limited.extensions["sqlalchemy_engine"].dispose()


def test_on_postgresql_the_intake_sends_its_four_writes_before_it_waits_for_an_answer(
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
        messages = [line.split("\t") for line in trace.read_text().splitlines()]
    assert answer.status_code == 201
    sent = [n for n, m in enumerate(messages) if m[0] == "F" and m[2] == "Parse" and "INSERT INTO" in m[3]]
    answered = [
        n for n, m in enumerate(messages) if m[0] == "B" and m[2] == "CommandComplete" and "INSERT" in m[3]
    ]
    assert len(sent) == len(answered) == 4  # institution, request, audit row, mail
    assert sent[-1] < answered[0]  # all four left before the first answer came
    # token, look-up, then BEGIN, the four writes and COMMIT together: three waits for the server (the
    # pool's ping on taking the connection comes before the trace starts). A transaction around the reads
    # made it five (its own BEGIN and COMMIT), and one wait for each write eight.
    assert sum(m[0] == "B" and m[2] == "ReadyForQuery" for m in messages) == 3
    begin, commit = _position(messages, "BEGIN"), _position(messages, "COMMIT")
    assert begin < sent[0] and sent[-1] < commit < answered[0]


def _position(messages: list[list[str]], command: str) -> int:
    """Where the client sent a command (as a query of its own) in the trace."""
    return next(
        n for n, m in enumerate(messages) if m[0] == "F" and m[2] == "Parse" and f'"{command}"' in m[3]
    )


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
