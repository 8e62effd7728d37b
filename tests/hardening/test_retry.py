"""PostgreSQL aborts a transaction for a deadlock (40P01) or a serialization failure (40001); the services retry.

The errors are real: a second connection takes row locks in the opposite order (a true deadlock that
PostgreSQL's detector breaks) or commits a change under a REPEATABLE READ snapshot. The bound is shown
with a trigger that makes PostgreSQL itself raise 40001 on every attempt. A retried transaction must
commit its mails exactly once, and a given-up one must answer 409 in German, never a 500 or 503.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import Connection, text
from sqlmodel import Session, select

from sprachmittlerpool.db import get_engine, make_engine, new_session
from sprachmittlerpool.models import ApiToken, Assignment, Offer, OfferStatus, RequestStatus
from sprachmittlerpool.security import new_token, token_hash
from sprachmittlerpool.services import offers
from tests.confirm import CONFIRMED
from tests.conftest import PG_URL
from tests.coordination.helpers import confirmed, mails, now, open_request, reload
from tests.hardening.locks import wait_for_lock_waiter

needs_postgres = pytest.mark.skipif(
    not PG_URL,
    reason="40001/40P01 are PostgreSQL's answers; SQLite serialises writers with BEGIN IMMEDIATE and never gives them",
)


@pytest.fixture
def other(app: Flask) -> Iterator[Connection]:
    """A second connection of its own, outside the app's pool, that commits or rolls back as the test says."""
    engine = make_engine(PG_URL)
    connection = engine.connect()
    yield connection
    connection.close()
    engine.dispose()


class Background:
    """Run one call in a thread and hand back its result or its exception."""

    def __init__(self, call: Callable[[], object]) -> None:
        self.outcome: object = None
        self._thread = threading.Thread(target=self._run, args=(call,), daemon=True)
        self._thread.start()

    def _run(self, call: Callable[[], object]) -> None:
        try:
            self.outcome = call()
        except Exception as exc:  # noqa: BLE001 (the test asserts on it)
            self.outcome = exc

    def result(self) -> object:
        """Wait for the call and return what it returned (or raised)."""
        self._thread.join(timeout=60)
        assert not self._thread.is_alive(), "the call never finished"
        return self.outcome


def offered(app: Flask, factories) -> tuple[int, int, int, str]:
    """Make a pending offer; return request id, volunteer id, offer id and the link token."""
    request = open_request(factories)
    volunteer = factories.VolunteerFactory()
    with app.app_context(), new_session(write=True) as session:
        offer, token = offers.make_offer(
            session, request_id=request.id, volunteer_id=volunteer.id, now=now(), actor="t"
        )
        return request.id, volunteer.id, offer.id, token


def accept_in_background(app: Flask, offer_id: int, *, isolation: str | None = None) -> Background:
    """Accept the offer through the service in its own thread and session."""

    def call() -> object:
        with app.app_context():
            engine = get_engine()
            if isolation:
                engine = engine.execution_options(isolation_level=isolation)
            with Session(engine, expire_on_commit=False) as session:
                return offers.accept_offer(session, offer_id=offer_id, now=now(), actor="v")

    return Background(call)


def deadlock_against(other: Connection, *, volunteer_id: int, request_id: int) -> None:
    """Hold the volunteer, then want the request the waiting service holds: a cycle PostgreSQL must break.

    This side's deadlock_timeout is long, so the service's backend (waiting since before) detects the
    cycle first and is the one aborted with 40P01; then this side gets the lock and commits.
    """
    wait_for_lock_waiter(other)
    other.execute(text("SELECT id FROM interpreting_request WHERE id = :id FOR UPDATE"), {"id": request_id})
    other.commit()


def lock_volunteer_first(other: Connection, volunteer_id: int) -> None:
    """Begin the other transaction by locking the volunteer (the second lock in the services' order)."""
    other.execute(text("SET LOCAL deadlock_timeout = '60s'"))
    other.execute(text("SELECT id FROM volunteer WHERE id = :id FOR UPDATE"), {"id": volunteer_id})


def retries_logged(caplog: pytest.LogCaptureFixture, sqlstate: str) -> list[str]:
    """Return the retry log lines naming the SQLSTATE."""
    return [
        r.getMessage() for r in caplog.records if "aborted" in r.getMessage() and sqlstate in r.getMessage()
    ]


def dedupe_keys(db) -> list[str]:
    """Return the dedupe keys of all queued mails."""
    return [mail.dedupe_key for mail in mails(db)]


def assert_accepted_once(db, offer_id: int, outcome: object) -> None:
    """The acceptance committed once, with one assignment and each of its two mails once."""
    assert isinstance(outcome, Assignment), outcome
    assert [a.id for a in db.exec(select(Assignment).where(Assignment.offer_id == offer_id))] == [outcome.id]
    keys = dedupe_keys(db)
    assert keys.count(f"assignment_confirmed:{outcome.id}") == 1
    assert keys.count(f"assignment_confirmed_institution:{outcome.id}") == 1
    assert len(keys) == 3  # the offer mail and the two above, nothing twice


@needs_postgres
def test_a_real_deadlock_aborts_the_acceptance_which_is_retried_and_commits_its_mails_once(
    app, db, factories, other, caplog
):
    caplog.set_level(logging.WARNING, logger="sprachmittlerpool.services.offers")
    request_id, volunteer_id, offer_id, _token = offered(app, factories)
    lock_volunteer_first(other, volunteer_id)
    accepting = accept_in_background(app, offer_id)  # locks the request, then waits for the volunteer
    deadlock_against(other, volunteer_id=volunteer_id, request_id=request_id)
    outcome = accepting.result()

    assert_accepted_once(db, offer_id, outcome)
    assert len(retries_logged(caplog, "40P01")) == 1


@needs_postgres
def test_a_real_serialization_failure_aborts_the_acceptance_which_is_retried_and_commits_its_mails_once(
    app, db, factories, other, caplog
):
    caplog.set_level(logging.WARNING, logger="sprachmittlerpool.services.offers")
    request_id, _volunteer_id, offer_id, _token = offered(app, factories)
    other.execute(
        text("UPDATE interpreting_request SET updated_at = updated_at WHERE id = :id"), {"id": request_id}
    )
    accepting = accept_in_background(app, offer_id, isolation="REPEATABLE READ")  # snapshot, then waits
    wait_for_lock_waiter(other)
    other.commit()  # the row the service wants to lock changed after its snapshot: 40001
    outcome = accepting.result()

    assert_accepted_once(db, offer_id, outcome)
    assert len(retries_logged(caplog, "40001")) == 1


@contextmanager
def always_conflicting(table: str) -> Iterator[None]:
    """Make PostgreSQL answer every UPDATE of the table with SQLSTATE 40001, inside the block."""
    engine = make_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE FUNCTION always_serialization_failure() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN RAISE EXCEPTION 'concurrent update (test)' USING ERRCODE = 'serialization_failure'; END $$"
            )
        )
        connection.execute(
            text(
                f"CREATE TRIGGER always_conflicts BEFORE UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION always_serialization_failure()"
            )
        )
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP TRIGGER always_conflicts ON {table}"))
            connection.execute(text("DROP FUNCTION always_serialization_failure()"))
        engine.dispose()


@pytest.fixture
def offers_always_conflict(app: Flask) -> Iterator[None]:
    """Every UPDATE of an offer fails serialisation, until the test ends."""
    with always_conflicting("offer"):
        yield


@needs_postgres
def test_an_acceptance_that_always_fails_serialisation_gives_up_after_the_bound_with_a_german_409(
    app, db, factories, offers_always_conflict, caplog
):
    caplog.set_level(logging.WARNING, logger="sprachmittlerpool.services.offers")
    _request_id, _volunteer_id, offer_id, token = offered(app, factories)
    client = app.test_client()

    page = client.post(f"/o/{token}/accept")
    answer = client.post(f"/o/{token}/accept", headers={"Accept": "application/json"})

    assert page.status_code == 409 and offers.BUSY_MESSAGE in page.get_data(as_text=True)
    assert answer.status_code == 409 and answer.get_json()["message"] == offers.BUSY_MESSAGE
    assert len(retries_logged(caplog, "40001")) == 2 * (offers.RETRY_ATTEMPTS - 1)
    gave_up = [r.getMessage() for r in caplog.records if "gave up" in r.getMessage()]
    assert gave_up == [f"accept_offer gave up after {offers.RETRY_ATTEMPTS} attempts (SQLSTATE 40001)"] * 2
    assert reload(db, db.get(Offer, offer_id)).status == OfferStatus.PENDING
    assert db.exec(select(Assignment)).all() == []
    assert dedupe_keys(db) == [f"offer:{offer_id}"]  # nothing of the four attempts was committed


@needs_postgres
def test_the_coordinators_api_gets_a_409_json_when_the_retries_are_used_up(
    app, db, factories, offers_always_conflict, coordinator
):
    _request_id, _volunteer_id, offer_id, _token = offered(app, factories)
    api_token = new_token()
    db.add(ApiToken(user_id=coordinator.id, token_hash=token_hash(api_token)))
    db.commit()
    headers = {"Authorization": f"Bearer {api_token}"}
    answer = app.test_client().post(f"/api/v1/offers/{offer_id}/withdraw", headers=headers)

    assert answer.status_code == 409
    assert answer.get_json()["error"] == "busy" and answer.get_json()["message"] == offers.BUSY_MESSAGE


@needs_postgres
def test_a_requester_cancellation_retried_after_a_deadlock_still_queues_its_mail_once(
    app, db, factories, other
):
    """The requester's confirmation mail belongs to the retried transaction, not to the aborted first try."""
    request, _offer, _token, assignment = confirmed(app, factories)
    status_token = new_token()
    row = db.get(type(request), request.id)
    row.status_token_hash = token_hash(status_token)
    db.commit()
    lock_volunteer_first(other, assignment.volunteer_id)
    cancelling = Background(
        lambda: app.test_client().post(f"/status/{status_token}/stornieren", data=CONFIRMED).status_code
    )
    deadlock_against(other, volunteer_id=assignment.volunteer_id, request_id=request.id)

    assert cancelling.result() == 302
    assert reload(db, request).status == RequestStatus.CANCELLED
    keys = dedupe_keys(db)
    assert keys.count(f"request:{request.id}:cancelled") == 1
    assert keys.count(f"assignment_cancelled:{assignment.id}") == 1


def test_the_pause_between_attempts_grows_and_is_jittered_within_its_bounds():
    """Two transactions that deadlocked must not retry in lockstep: the pauses differ, within ±50 %."""
    for attempt in range(1, offers.RETRY_ATTEMPTS):
        nominal = offers.RETRY_BASE_SECONDS * 2 ** (attempt - 1)
        pauses = {offers.retry_pause(attempt) for _ in range(200)}
        assert all(0.5 * nominal <= pause <= 1.5 * nominal for pause in pauses)
        assert len(pauses) > 100  # not one fixed value
        assert min(pauses) < 0.8 * nominal and max(pauses) > 1.2 * nominal


@needs_postgres
def test_a_requester_cancelling_while_the_retries_are_used_up_is_told_to_try_again_not_that_it_is_too_late(
    app, db, factories
):
    request, offer, _token, assignment = confirmed(app, factories)
    status_token = new_token()
    row = db.get(type(request), request.id)
    row.status_token_hash = token_hash(status_token)
    db.commit()
    before = dedupe_keys(db)
    with always_conflicting("interpreting_request"):
        answer = app.test_client().post(
            f"/status/{status_token}/stornieren", data=CONFIRMED, follow_redirects=True
        )

    page = answer.get_data(as_text=True)
    assert offers.BUSY_MESSAGE in page and "kann nicht mehr storniert werden" not in page
    assert reload(db, request).status == RequestStatus.CONFIRMED
    assert reload(db, assignment).status == "confirmed" and reload(db, offer).status == OfferStatus.ACCEPTED
    assert dedupe_keys(db) == before
