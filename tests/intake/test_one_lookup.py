"""The intake reads list entries, sender and closed days in one query and finds a repeat by its key alone.

What that query finds must decide exactly as separate look-ups did: a blocked sender is refused, a sender
with another e-mail is another institution, a closed day counts, and an unknown entry is named.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event
from sqlmodel import select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import Institution, InterpretingRequest, PoolClosure, local_now
from sprachmittlerpool.services import intake
from tests.factories import FIRST_POOL
from tests.intake.conftest import count, payload


def post(client, data, **headers):
    return client.post("/api/v1/requests", json=data, headers=headers)


def _blocked_sender(factories, email: str) -> Institution:
    data = payload()
    return factories.InstitutionFactory(
        name=data["institution_name"], type=data["institution_type"], email=email, blocked_at=local_now()
    )


def test_a_blocked_sender_is_refused_and_the_same_name_with_another_e_mail_is_another_institution(
    client, db, factories
):
    blocked = _blocked_sender(factories, payload()["contact_email"])

    refused = post(client, payload())
    other = post(client, payload(contact_email="sekretariat@kita-regenbogen.example"))

    assert refused.status_code == other.status_code == 201
    assert refused.get_json()["status"] == "rejected"
    assert [r["rule"] for r in refused.get_json()["reasons"]] == ["pool.institution_blocked"]
    assert other.get_json()["status"] == "open"
    rows = db.exec(select(InterpretingRequest).order_by(InterpretingRequest.id)).all()
    assert rows[0].institution_id == blocked.id and rows[1].institution_id != blocked.id
    assert count(db, Institution) == 2


def test_a_closed_day_read_with_the_lists_decides_the_request(app, client, db):
    data = payload()
    day = intake.parse_time(data["start"]).date()
    with app.app_context(), new_session(write=True) as session:
        session.add(PoolClosure(pool_id=FIRST_POOL, day=day, note="Betriebsausflug"))
        session.commit()

    on_closed_day = post(client, data).get_json()
    next_week = post(client, payload(start=_shift(data["start"]), end=_shift(data["end"]))).get_json()

    assert on_closed_day["status"] != "open" and on_closed_day["reasons"]
    assert next_week["status"] == "open"


def _shift(value: str) -> str:
    return (intake.parse_time(value) + timedelta(weeks=1)).strftime("%Y-%m-%dT%H:%M")


def test_an_unknown_language_and_an_unknown_town_are_both_named(client, db):
    response = post(client, payload(language="xx", municipality="atlantis"))

    fields = response.get_json()["fields"]
    assert response.status_code == 422 and set(fields) == {"language", "municipality"}
    assert "Sprache" in fields["language"] and "Ort" in fields["municipality"]


def test_a_repeat_after_its_appointment_has_passed_answers_with_the_first_request(app, db):
    data = payload()
    with app.app_context(), new_session(write=True) as session:
        first, token = _submit(session, data, now=local_now())
    later = intake.parse_time(data["end"]) + timedelta(days=1)
    with app.app_context(), new_session(write=True) as session:
        again, same_token = _submit(session, data, now=later)

    assert (again.id, same_token) == (first.id, token)
    assert count(db, InterpretingRequest) == 1
    with app.app_context(), new_session(write=True) as session:
        try:
            _submit(session, payload(topic="Etwas anderes"), now=later)
        except intake.IdempotencyMismatch:
            pass
        else:
            raise AssertionError("another body under the same key must be refused")


def _submit(session, data, *, now):
    return intake.submit(
        session, pool_id=FIRST_POOL, data=data, idempotency_key="wiederholung-1", idempotency_scope="public",
        now=now, instance_path="/nonexistent", base_url="http://localhost", secret="geheim" * 6,
    )  # fmt: skip


def test_an_api_intake_with_a_token_reads_the_pool_with_the_token_and_the_lists_in_one_query(
    client, db, api_headers
):
    post(client, payload(), **api_headers)  # the first call of a process reads what it keeps (rules)
    statements: list[str] = []

    def note(*args):
        words = " ".join(args[2].split()[:2]).upper()
        if not words.startswith("BEGIN"):  # SQLite's write lock
            statements.append(words)

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", note)
    try:
        answer = post(client, payload(contact_email="kita-2@kita-regenbogen.example"), **api_headers)
    finally:
        event.remove(engine, "before_cursor_execute", note)

    assert answer.status_code == 201
    # token, owner and pool; language, town, sender and closed days; then institution, request, audit and
    # mail. On PostgreSQL the last two go to the driver past SQLAlchemy (`direct`), the four rows as one
    # statement: tests/intake/test_one_statement.py reads them off the protocol trace.
    direct = [] if engine.dialect.name == "postgresql" else ["SELECT LANGUAGE.NAME_DE", *["INSERT INTO"] * 4]
    assert statements == ["SELECT API_TOKEN.ID,", *direct]
