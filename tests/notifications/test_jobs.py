"""Jobs run once per period, catch up after downtime, and only one scheduler in the cluster works."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import update
from sqlmodel import Session, col, func, select

from notifications.compose import Mail
from notifications.jobs import ALREADY_RAN, Job, daily, every, per_hour, run_job
from notifications.outbox import enqueue
from notifications.relay import relay_job, wake
from notifications.scheduler import start_scheduler
from sprachmittlerpool import create_app
from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import JobRun, MailStatus, OutboxMail

MONDAY = datetime(2025, 3, 3, 10, 15)


def remind(session: Session, *, now: datetime) -> str:
    """A job with a visible, non-idempotent effect: it queues a fresh mail each time its body runs."""
    mail = Mail("koordination@beispiel.de", "Erinnerung", "Text", "<p>Text</p>", f"reminder:{uuid.uuid4()}")
    enqueue(session, mail, now=now)
    return "1 Erinnerung"


def give_up_stale(session: Session, *, now: datetime) -> str:
    """A level-triggered job: every pending mail older than a day is given up, however long ago that was."""
    result = session.exec(
        update(OutboxMail)
        .where(
            col(OutboxMail.status) == MailStatus.PENDING, col(OutboxMail.created_at) < now - timedelta(days=1)
        )
        .values(status=MailStatus.FAILED, last_error="zu alt")
    )
    return f"{result.rowcount} aufgegeben"


def broken(session: Session, *, now: datetime) -> str:
    """A job whose work fails after it changed something."""
    remind(session, now=now)
    raise RuntimeError("kaputt")


REMIND = Job("remind", remind, every(minutes=5), "Test: Erinnerungen", period=per_hour)


def count(app: Flask, model: type, *where) -> int:
    with app.app_context(), new_session(write=False) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_a_job_run_twice_in_one_period_has_one_effect(app):
    first = run_job(app, REMIND, now=MONDAY)
    second = run_job(app, REMIND, now=MONDAY + timedelta(minutes=20))

    assert (first, second) == ("1 Erinnerung", ALREADY_RAN)
    assert count(app, OutboxMail) == 1
    assert count(app, JobRun, JobRun.job == "remind") == 1


def test_the_next_period_runs_again(app):
    run_job(app, REMIND, now=MONDAY)

    run_job(app, REMIND, now=MONDAY + timedelta(hours=1))

    assert count(app, OutboxMail) == 2


def test_a_failed_run_leaves_no_trace_so_the_next_run_does_the_work(app):
    job = Job("remind", broken, every(minutes=5), "Test", period=per_hour)
    with pytest.raises(RuntimeError):
        run_job(app, job, now=MONDAY)

    summary = run_job(app, REMIND, now=MONDAY)

    assert summary == "1 Erinnerung"
    assert count(app, OutboxMail) == 1


def test_after_three_days_of_downtime_one_run_catches_up(app, queue_mail):
    job = Job("give_up_stale", give_up_stale, daily("03:00"), "Test: alte Mails aufgeben")
    run_job(app, job, now=MONDAY)
    for hours in range(0, 72, 6):  # mails queued while the scheduler was down
        queue_mail(now=MONDAY + timedelta(hours=hours))
    back = MONDAY + timedelta(days=3)

    summary = run_job(app, job, now=back)
    again = run_job(app, job, now=back + timedelta(hours=2))

    assert summary == "8 aufgegeben"  # everything older than a day at `back`, in one run
    assert again == ALREADY_RAN
    assert count(app, JobRun, JobRun.job == "give_up_stale") == 2


def test_a_restart_at_night_does_not_send_the_morning_reminders_early(app, queue_mail):
    job = Job("give_up_stale", give_up_stale, daily("08:00"), "Test: alte Mails aufgeben")
    sunday_morning, monday_night = MONDAY - timedelta(days=1, hours=2), MONDAY.replace(hour=2, minute=0)
    run_job(app, job, now=sunday_morning)
    queue_mail(now=monday_night - timedelta(days=2))

    at_night = run_job(app, job, now=monday_night)  # the catch-up of a scheduler started at 02:00
    in_the_morning = run_job(app, job, now=MONDAY.replace(hour=8, minute=0))

    assert (at_night, in_the_morning) == (ALREADY_RAN, "1 aufgegeben")


def test_every_and_daily_name_their_periods():
    five = every(minutes=5)

    assert five.period(datetime(2025, 3, 3, 10, 14, 59)) == "2025-03-03T10:10:00"
    assert five.period(datetime(2025, 3, 3, 10, 15)) == "2025-03-03T10:15:00"
    assert daily("06:30").period(MONDAY) == "2025-03-03"
    assert daily("06:30").period(datetime(2025, 3, 3, 6, 29)) == "2025-03-02"  # today's run is not due yet
    assert daily("06:30").period(datetime(2025, 3, 3, 6, 30)) == "2025-03-03"
    assert (str(five), str(daily("06:30")), str(every(seconds=3))) == (
        "alle 5 min",
        "täglich 06:30",
        "alle 3 s",
    )


def test_a_started_scheduler_runs_each_job_once_at_once_to_catch_up(app):
    job = Job("remind", remind, every(hours=1), "Test", period=per_hour)

    scheduler = start_scheduler(app, [job])
    try:
        _wait_until(lambda: count(app, JobRun, JobRun.job == "remind") == 1)
        time.sleep(0.3)
    finally:
        scheduler.stop()

    assert count(app, OutboxMail) == 1


def test_two_schedulers_on_one_database_only_one_works_and_the_other_takes_over(app_config, app):
    ran_in: list[str] = []
    lock = threading.Lock()

    def record(session: Session, *, now: datetime) -> str:
        with lock:
            ran_in.append(threading.current_thread().name)
        return "ok"

    # A lease far longer than the renewal interval: a busy machine may delay a renewal, not lose the lease.
    settings = {**app_config, "SCHEDULER_LEASE_SECONDS": 4.0, "SCHEDULER_RENEW_SECONDS": 0.2}
    first_app, second_app = create_app(settings), create_app(settings)
    job = Job("record", record, every(seconds=1), "Test", tracked=False)
    first = start_scheduler(first_app, [job])
    second = None
    try:
        _wait_until(first.active.is_set, timeout=10)
        second = start_scheduler(second_app, [job])
        time.sleep(1.0)  # the second has tried the lease a few times by now
        holders = [first.active.is_set(), second.active.is_set()]
        first.stop()
        _wait_until(second.active.is_set, timeout=15)
    finally:
        if not first.stopping.is_set():
            first.stop()
        if second is not None:
            second.stop()
        for application in (first_app, second_app):
            application.extensions["sqlalchemy_engine"].dispose()

    assert holders == [True, False]
    assert ran_in  # the active one worked


def test_wake_sends_a_queued_mail_at_once_not_at_the_next_tick(app_config, smtp_server, request):
    app_config.update(smtp_server.config())
    app: Flask = request.getfixturevalue("app")
    scheduler = start_scheduler(app, [relay_job(every(minutes=10))])
    try:
        _wait_until(scheduler.active.is_set)
        time.sleep(0.2)  # the loop's first pass found nothing; it now sleeps for ten minutes
        row = request.getfixturevalue("queue_mail")()

        wake()
        (message,) = smtp_server.wait_for(1, timeout=5)  # the next tick would be ten minutes away
    finally:
        scheduler.stop()

    assert message["Message-ID"] == row.message_id


def _wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)
