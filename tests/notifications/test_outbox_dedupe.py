"""One logical mail, one outbox row: the dedupe key holds against repeats and against a race.

enqueue() looks for the key first; the unique index on outbox_mail.dedupe_key is the backstop when two
transactions both looked before either committed. The loser must get the winner's row, not an
IntegrityError (a 500 for a person), and keep the rest of its own transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from flask import Flask
from sqlmodel import func, select

from notifications.compose import Mail
from notifications.outbox import enqueue
from sprachmittlerpool.db import make_engine, new_session
from sprachmittlerpool.models import JobRun, OutboxMail, local_now
from tests.conftest import PG_URL
from tests.hardening.locks import wait_for_lock_waiter


def mail(key: str) -> Mail:
    """Return a mail with the given dedupe key."""
    return Mail("anna@beispiel.de", "Ihr Einsatz", "Guten Tag.", "<p>Guten Tag.</p>", dedupe_key=key)


def enqueue_with_own_work(
    app: Flask, key: str, worker: str, *, before: Callable[[], None] = lambda: None
) -> int:
    """In one committed transaction: the caller's own change (a job_run row) and the mail; return the row id."""
    with app.app_context(), new_session(write=True) as session:
        before()
        session.add(JobRun(job=f"dedupe-{worker}", period=key, started_at=local_now()))
        row = enqueue(session, mail(key), now=local_now())
        session.commit()
        assert row.id is not None
        return row.id


def count(app: Flask, model: type, *where) -> int:
    """Count rows as the database has them now."""
    with app.app_context(), new_session(write=False) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_enqueueing_the_same_dedupe_key_twice_in_sequence_keeps_one_row(app):
    first = enqueue_with_own_work(app, "angebot:7:1", "a")
    second = enqueue_with_own_work(app, "angebot:7:1", "b")

    assert first == second
    assert count(app, OutboxMail) == 1
    assert count(app, JobRun) == 2  # the second caller's own change was committed all the same


def test_two_threads_enqueueing_one_key_at_once_leave_one_row_and_neither_gets_an_error(app):
    keys = [f"erinnerung:{n}" for n in range(8)]  # several rounds: more chances for the race to happen
    results: dict[str, list[int]] = {key: [] for key in keys}
    errors: list[BaseException] = []

    def worker(name: str, barrier: threading.Barrier, key: str) -> None:
        try:
            results[key].append(enqueue_with_own_work(app, key, name, before=barrier.wait))
        except BaseException as exc:  # noqa: BLE001 (the assertion below shows what the caller would see)
            errors.append(exc)

    for key in keys:
        barrier = threading.Barrier(2, timeout=10)
        threads = [threading.Thread(target=worker, args=(name, barrier, key)) for name in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert errors == []
    assert all(len(set(ids)) == 1 and len(ids) == 2 for ids in results.values()), results
    assert count(app, OutboxMail) == len(keys)
    assert count(app, JobRun) == 2 * len(keys)


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL lets both look before either commits; SQLite serialises")
def test_the_loser_of_a_dedupe_race_gets_the_winners_row_and_keeps_its_own_work(app):
    """Force the race: the first transaction holds its uncommitted row while the second inserts the same key."""
    holding, release = threading.Event(), threading.Event()
    ids: dict[str, int] = {}
    errors: list[BaseException] = []

    def run(name: str, before: Callable[[], None] = lambda: None) -> None:
        try:
            ids[name] = enqueue_with_own_work(app, "absage:3", name, before=before)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    def first() -> None:
        with app.app_context(), new_session(write=True) as session:
            session.add(JobRun(job="dedupe-first", period="absage:3", started_at=local_now()))
            ids["first"] = enqueue(session, mail("absage:3"), now=local_now()).id  # type: ignore[assignment]
            holding.set()
            release.wait(10)
            session.commit()

    winner = threading.Thread(target=first)
    winner.start()
    assert holding.wait(10)
    loser = threading.Thread(target=run, args=("second",))
    loser.start()
    watcher = make_engine(str(app.config["DATABASE_URL"]))
    with watcher.connect() as connection:
        wait_for_lock_waiter(connection)  # the second insert waits on the unique index
    watcher.dispose()
    release.set()
    winner.join(timeout=10)
    loser.join(timeout=10)

    assert errors == []
    assert ids["first"] == ids["second"]
    assert count(app, OutboxMail) == 1
    assert count(app, JobRun) == 2
