"""Faults from outside: the database goes away, the mail server is down, the scheduler is killed.

Each test breaks the real thing (a PostgreSQL database that refuses connections, a SQLite file that
cannot be opened, a closed SMTP port, a scheduler that dies holding its guard) and checks that people
get a clean German answer, that nothing is half-written, lost or done twice, and that the service
heals by itself once the fault is gone.
"""

from __future__ import annotations

import atexit
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, func, select

from notifications.jobs import Job, every
from notifications.relay import deliver_due
from notifications.scheduler import AdvisoryLockGuard, Scheduler, start_scheduler
from sprachmittlerpool import create_app, migrate, reference_data
from sprachmittlerpool.db import make_engine, new_session
from sprachmittlerpool.models import (
    Institution,
    InterpretingRequest,
    JobRun,
    MailStatus,
    Offer,
    OfferStatus,
    OutboxMail,
    local_now,
)
from sprachmittlerpool.services import assignments, offers
from tests.conftest import PG_URL
from tests.factories import FIRST_POOL
from tests.hardening.locks import wait_for_lock_waiter
from tests.intake.conftest import payload
from tests.notifications.conftest import sink_on
from tests.smtp import SilentServer, free_port

UNAVAILABLE = "Der Dienst ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal."


def rows(app: Flask, model: type) -> int:
    with app.app_context(), new_session(write=False) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def submit(app: Flask, **overrides: object):
    return app.test_client().post("/api/v1/requests", json=payload(**overrides))


# --- the database goes away -----------------------------------------------------------------------


@dataclass
class Outage:
    """Makes the app's database unreachable and brings it back."""

    begin: Callable[[], None]
    end: Callable[[], None]


def _postgres_outage(admin: Engine, name: str) -> Outage:
    """Refuse new connections to the database and end the open ones, as a restarting server would."""

    def begin() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name},
            )

    def end() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))

    return Outage(begin, end)


def _sqlite_outage(app: Flask, path: Path) -> Outage:
    """Take the database file away (an unmounted volume): a directory in its place cannot be opened."""
    away = path.with_suffix(".away")

    def begin() -> None:
        app.extensions["sqlalchemy_engine"].dispose()  # the last connection checkpoints the WAL
        path.rename(away)
        path.mkdir()

    def end() -> None:
        path.rmdir()
        away.rename(path)

    return Outage(begin, end)


@pytest.fixture
def fragile_app(app_config: dict[str, object]) -> Iterator[tuple[Flask, Outage]]:
    """Build an app on a database of its own that the test may break (PostgreSQL: a scratch database)."""
    admin = scratch = None
    if PG_URL:
        name = f"fault_{uuid.uuid4().hex[:12]}"
        admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        scratch = make_engine(url)
        migrate.upgrade(scratch)
        scratch.dispose()
        app_config["DATABASE_URL"] = url
    app = create_app(app_config)
    with app.app_context(), new_session(write=True) as session:
        reference_data.load(session, pool_id=FIRST_POOL)
        session.commit()
    if admin is not None:
        outage = _postgres_outage(admin, name)
    else:
        outage = _sqlite_outage(app, Path(make_url(str(app_config["DATABASE_URL"])).database or ""))
    yield app, outage
    app.extensions["sqlalchemy_engine"].dispose()
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_with_the_database_gone_people_get_a_german_503_and_the_app_heals_by_itself(fragile_app, caplog):
    app, outage = fragile_app
    client = app.test_client()
    assert client.get("/anfrage").status_code == 200  # the pool holds a live connection now

    outage.begin()
    try:
        page = client.get("/anfrage")
        api = client.post("/api/v1/requests", json=payload())
        form = client.post("/anfrage", data={"institution_name": "Kita"})
    finally:
        outage.end()
    after = client.post("/api/v1/requests", json=payload())

    assert page.status_code == 503 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "Vorübergehend nicht verfügbar" in html and UNAVAILABLE in html
    assert "Traceback" not in html and "OperationalError" not in html
    assert 'href="/impressum"' in html and 'href="/datenschutz"' in html  # the footer without the pool row
    assert api.status_code == 503 and api.get_json() == {"error": "unavailable", "message": UNAVAILABLE}
    assert form.status_code == 503
    assert after.status_code == 201
    assert rows(app, InterpretingRequest) == 1 and rows(app, OutboxMail) == 1
    assert "Unerwarteter Fehler" in caplog.text  # the cause is logged for the operator, not shown


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL to kill one server connection mid-transaction")
def test_a_connection_killed_mid_submission_leaves_no_half_written_request(fragile_app):
    app, _ = fragile_app
    url = app.config["DATABASE_URL"]
    blocker = make_engine(url)
    answers: list = []
    with blocker.connect() as locking:
        # The submission writes institution and request, then waits for the outbox: kill it right there.
        locking.execute(text("LOCK TABLE outbox_mail IN ACCESS EXCLUSIVE MODE"))
        worker = threading.Thread(target=lambda: answers.append(submit(app)))
        worker.start()
        victim = wait_for_lock_waiter(locking)
        locking.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim})
        worker.join(timeout=10)
        locking.rollback()
    blocker.dispose()

    (answer,) = answers
    assert answer.status_code == 503 and answer.get_json()["error"] == "unavailable"
    assert rows(app, InterpretingRequest) == 0 and rows(app, Institution) == 0 and rows(app, OutboxMail) == 0
    assert submit(app).status_code == 201  # the pool replaced the dead connection


# --- the mail server is down ----------------------------------------------------------------------


def _outbox(app: Flask) -> list[OutboxMail]:
    with app.app_context(), new_session(write=False) as session:
        return list(session.exec(select(OutboxMail).order_by(OutboxMail.id)).all())


def test_mails_queued_while_smtp_is_down_each_arrive_exactly_once_when_it_returns(app_config, request):
    silent = SilentServer()  # holds the mail port while the requests run, counting who knocks
    port = silent.port
    app_config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT_SECONDS=2)
    app: Flask = request.getfixturevalue("app")
    silent.start()
    try:
        answers = [submit(app, contact_email=f"leitung{n}@kita.example").status_code for n in range(3)]
    finally:
        silent.stop()  # from here on the port is closed
    queued = _outbox(app)
    now = local_now()

    first = deliver_due(app, now=now)
    early = deliver_due(app, now=now)  # nothing is due again before its backoff
    waiting = _outbox(app)
    second = deliver_due(app, now=max(row.next_attempt_at for row in waiting))
    still = _outbox(app)
    sink = sink_on(port)
    sink.start()
    try:
        back = deliver_due(app, now=max(row.next_attempt_at for row in still))
        later = deliver_due(app, now=now + timedelta(hours=6))
        arrived = sink.wait_for(3)
        time.sleep(0.2)  # a duplicate would arrive within this
    finally:
        sink.stop()

    assert answers == [201] * 3 and silent.connections == 0  # requests never talk SMTP
    assert len(queued) == 3
    assert (first.deferred, early.sent + early.deferred, second.deferred) == (3, 0, 3)
    assert all(row.status == MailStatus.PENDING and row.next_attempt_at > now for row in waiting)
    assert [row.attempts for row in still] == [2, 2, 2]
    assert (back.sent, later.sent) == (3, 0)
    assert len(sink.messages) == 3
    assert sorted(m["Message-ID"] for m in arrived) == sorted(row.message_id for row in queued)
    assert {row.status for row in _outbox(app)} == {MailStatus.SENT}


@dataclass
class DeadMailServer:
    """A mail server that is down in one of two ways, on a port a real one can take over later."""

    port: int
    knocks: Callable[[], int]  # connections it saw; a closed port sees none by construction
    stop: Callable[[], None]
    relay_knocks: int  # connections one relay pass makes to it


@pytest.fixture(params=["closed port", "silent server"])
def dead_mail_server(request) -> Iterator[DeadMailServer]:
    """A closed port (connection refused at once) or a server that accepts TCP and never answers (a hang)."""
    if request.param == "closed port":
        yield DeadMailServer(free_port(), lambda: 0, lambda: None, relay_knocks=0)
        return
    silent = SilentServer()
    silent.start()
    yield DeadMailServer(silent.port, lambda: silent.connections, silent.stop, relay_knocks=1)
    silent.stop()


def _offer_link(app: Flask) -> tuple[int, str]:
    """Offer an open request to a volunteer (its mail is queued too) and return the offer and its link token."""
    from tests import factories

    with app.app_context(), new_session(write=True) as session:
        factories.bind(session)
        request = factories.RequestFactory()
        volunteer = factories.VolunteerFactory()
        offer, token = offers.make_offer(
            session, request_id=request.id, volunteer_id=volunteer.id, now=local_now(), actor="t"
        )
        return offer.id, token


def test_accepting_an_offer_with_smtp_down_answers_without_smtp_commits_and_mails_once_later(
    app_config, request, dead_mail_server
):
    """The accept request only queues its mails; the relay retries until a real server is back, then once each.

    "Answers without SMTP" is shown without a clock: the silent server counts no connection during the
    request (talking SMTP would have connected and hung there), and the queued rows have no attempt.
    """
    app_config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=dead_mail_server.port, MAIL_TIMEOUT_SECONDS=1)
    app: Flask = request.getfixturevalue("app")
    offer_id, token = _offer_link(app)

    answer = app.test_client().post(f"/o/{token}/accept")
    knocks_during_request = dead_mail_server.knocks()
    queued = _outbox(app)
    with app.app_context(), new_session(write=False) as session:
        offer = session.get(Offer, offer_id)
        assignment = assignments.assignment_for_offer(session, offer_id)

    now = local_now()
    refused = deliver_due(app, now=now)
    waiting = _outbox(app)
    knocks_by_relay = dead_mail_server.knocks()
    dead_mail_server.stop()
    sink = sink_on(dead_mail_server.port)
    sink.start()
    try:
        back = deliver_due(app, now=max(row.next_attempt_at for row in waiting))
        again = deliver_due(app, now=now + timedelta(hours=6))
        arrived = sink.wait_for(len(queued))
        time.sleep(0.2)  # a duplicate would arrive within this
    finally:
        sink.stop()

    assert answer.status_code == 200 and "Der Einsatz ist bestätigt" in answer.get_data(as_text=True)
    assert knocks_during_request == 0
    assert (
        offer.status == OfferStatus.ACCEPTED and assignment is not None and assignment.status == "confirmed"
    )
    assert sorted(row.dedupe_key.split(":")[0] for row in queued) == [
        "assignment_confirmed",
        "assignment_confirmed_institution",
        "offer",
    ]
    assert {(row.status, row.attempts, row.last_error) for row in queued} == {(MailStatus.PENDING, 0, "")}
    assert refused.deferred == 3 and refused.sent == 0
    assert all(row.status == MailStatus.PENDING and row.attempts == 1 for row in waiting)
    assert knocks_by_relay == dead_mail_server.relay_knocks  # one try per relay pass, not one hang per mail
    assert (back.sent, again.sent + again.deferred) == (3, 0)
    assert len(sink.messages) == 3
    assert sorted(m["Message-ID"] for m in arrived) == sorted(row.message_id for row in queued)
    assert {row.status for row in _outbox(app)} == {MailStatus.SENT}


# --- the scheduler is killed ----------------------------------------------------------------------


class Clock:
    """The period the tracked job believes it is in (the test moves it to simulate downtime)."""

    def __init__(self) -> None:
        self.period = "2025-03-03"

    def __call__(self, _now: datetime) -> str:
        return self.period


def _kill(scheduler: Scheduler) -> None:
    """Stop a scheduler the way SIGKILL would: no release of its guard, no goodbye to the database."""
    scheduler.stopping.set()
    scheduler.aps.shutdown(wait=True)
    guard = scheduler.guard
    if isinstance(guard, AdvisoryLockGuard) and guard.connection is not None:
        guard.connection.invalidate()  # the dead process's socket closes; PostgreSQL drops its lock
    # A lease (SQLite) stays in the table until it expires, as after a real crash.
    atexit.unregister(guard.release)


def _wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_a_killed_scheduler_restarted_runs_each_period_once_and_catches_up_once(app_config, app):
    effects: list[str] = []
    clock = Clock()

    def level_triggered(session: Session, *, now: datetime) -> str:
        effects.append(clock.period)
        return "ok"

    job = Job("catch_up", level_triggered, every(seconds=1), "Test", period=clock)
    settings = {**app_config, "SCHEDULER_LEASE_SECONDS": 1.0, "SCHEDULER_RENEW_SECONDS": 0.2}
    processes = [create_app(settings) for _ in range(3)]  # one app per process lifetime
    try:
        first = start_scheduler(processes[0], [job])
        _wait_until(lambda: effects == ["2025-03-03"])
        time.sleep(1.2)  # the interval fires again in the same period: no second effect
        _kill(first)

        restarted = start_scheduler(processes[1], [job])  # same period: the job already ran
        _wait_until(restarted.active.is_set)
        time.sleep(1.5)
        _kill(restarted)
        clock.period = "2025-03-06"  # three days later; the periods in between were missed

        again = start_scheduler(processes[2], [job])
        _wait_until(lambda: len(effects) == 2)
        time.sleep(1.5)
        again.stop()
    finally:
        for application in processes:
            application.extensions["sqlalchemy_engine"].dispose()

    assert effects == ["2025-03-03", "2025-03-06"]  # once per period, one catch-up, never twice
    assert rows(app, JobRun) == 2
