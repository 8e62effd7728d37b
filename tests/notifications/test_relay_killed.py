"""The relay process killed after the mail server said 250 and before it recorded the send.

The guide's bound: at most one duplicate, with the same Message-ID. Here the relay is a real
`flask jobs run relay_outbox` process; the test holds the database's write lock from the moment the
server takes the mail, so the relay is stuck between "250" and its commit when it is SIGKILLed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import Connection

from notifications.relay import RelaySettings, deliver_due
from sprachmittlerpool.models import MailStatus, local_now
from tests.hardening.locks import wait_for_lock_waiter
from tests.notifications.conftest import outbox_row
from tests.smtp import SmtpSink

ROOT = Path(__file__).resolve().parents[2]


class WriteLock:
    """The database's write lock, taken from another connection as a slow transaction would hold it."""

    def __init__(self, app: Flask) -> None:
        self.engine = app.extensions["sqlalchemy_engine"].execution_options(sqlite_begin_immediate=True)
        self.connection: Connection | None = None

    def take(self) -> None:
        self.connection = self.engine.connect()
        self.connection.begin()  # SQLite: BEGIN IMMEDIATE
        if self.engine.dialect.name == "postgresql":
            self.connection.exec_driver_sql("LOCK TABLE outbox_mail IN EXCLUSIVE MODE")

    def release(self) -> None:
        assert self.connection is not None
        self.connection.rollback()
        self.connection.close()


class LockingSink(SmtpSink):
    """A mail server that takes the write lock as it accepts its first message, just before answering 250."""

    lock: WriteLock

    def accepted(self, message) -> None:
        if not self.messages:
            self.lock.take()
        super().accepted(message)


def _relay_process(app: Flask, sink: SmtpSink) -> subprocess.Popen:
    env = {
        **os.environ,
        "SPRACHMITTLERPOOL_DATABASE_URL": app.config["DATABASE_URL"],
        "SPRACHMITTLERPOOL_SECRET_KEY": app.config["SECRET_KEY"],
        "SPRACHMITTLERPOOL_IBAN_KEY": app.config["IBAN_KEY"],
        "SPRACHMITTLERPOOL_SCHEDULER": "false",
        "SPRACHMITTLERPOOL_MAIL_SERVER": "127.0.0.1",
        "SPRACHMITTLERPOOL_MAIL_PORT": str(sink.port),
    }
    command = [
        str(Path(sys.executable).parent / "flask"),
        "--app",
        "sprachmittlerpool",
        "jobs",
        "run",
        "relay_outbox",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_once_stuck(app: Flask, relay: subprocess.Popen, lock: WriteLock) -> None:
    """SIGKILL the relay while it waits to record the send (PostgreSQL shows the wait; SQLite cannot)."""
    if app.extensions["sqlalchemy_engine"].dialect.name == "postgresql":
        assert lock.connection is not None
        wait_for_lock_waiter(lock.connection)
    else:
        time.sleep(0.5)  # it waits up to SQLite's 30 s busy timeout for the lock
    relay.send_signal(signal.SIGKILL)
    relay.wait(timeout=10)


def test_a_relay_killed_between_250_and_its_commit_sends_one_duplicate_with_the_same_message_id(
    app_config, request
) -> None:
    sink = LockingSink()
    app_config.update(sink.config())
    app: Flask = request.getfixturevalue("app")
    row = request.getfixturevalue("queue_mail")()
    lock = sink.lock = WriteLock(app)
    sink.start()
    try:
        relay = _relay_process(app, sink)
        (first,) = sink.wait_for(1, timeout=60)
        _kill_once_stuck(app, relay, lock)
        lock.release()
        after_kill = outbox_row(app, row.id)
        retry_at = local_now() + RelaySettings.from_config(app.config).claim_window
        resent = deliver_due(app, now=retry_at)
        later = deliver_due(app, now=retry_at + RelaySettings.from_config(app.config).claim_window)
        messages = sink.wait_for(2)
    finally:
        sink.stop()

    assert relay.returncode == -signal.SIGKILL
    assert after_kill.status == MailStatus.PENDING  # the send was never recorded
    assert (resent.sent, later.sent) == (1, 0)
    assert (
        [m["Message-ID"] for m in messages] == [row.message_id, row.message_id] == [first["Message-ID"]] * 2
    )
    assert outbox_row(app, row.id).status == MailStatus.SENT
