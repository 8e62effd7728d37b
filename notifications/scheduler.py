"""The scheduler: APScheduler in memory, running once per cluster behind a database guard.

APScheduler cannot share a job store between processes, so every process that starts a scheduler
keeps its own, and a guard in the database decides which one works: on PostgreSQL a session-level
advisory lock held on a dedicated connection (it vanishes with the process), on SQLite a lease row
renewed periodically. A scheduler without the guard idles and keeps trying to take over.
Jobs with a wake event (the relay) run in their own loop thread, so wake() starts them at once.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import socket
import threading
import uuid
import zlib
from datetime import datetime, timedelta
from typing import Protocol

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from notifications.jobs import Job, run_job
from sprachmittlerpool.db import IMMEDIATE
from sprachmittlerpool.models import BERLIN, SchedulerLease, local_now

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
ADVISORY_KEY = zlib.crc32(b"sprachmittlerpool-scheduler")  # fits a bigint; fixed so every process agrees


class Guard(Protocol):
    """Decides whether this process is the one scheduler of the cluster."""

    def hold(self) -> bool:
        """Take or keep the guard; tell whether this process holds it now."""
        ...

    def release(self) -> None:
        """Give the guard up so another scheduler can take over at once."""
        ...


class AdvisoryLockGuard:
    """PostgreSQL: pg_try_advisory_lock on a connection kept open (autocommit, so it blocks no DDL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection: Connection | None = None

    def hold(self) -> bool:
        """Check the connection still lives, else try to lock on a fresh one."""
        if self.connection is not None:
            try:
                self.connection.execute(text("SELECT 1"))
                return True
            except OperationalError:
                self._drop()
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar()
        if got:
            self.connection = connection
            return True
        connection.close()
        return False

    def release(self) -> None:
        """Unlock and close the dedicated connection."""
        if self.connection is None:
            return
        with contextlib.suppress(OperationalError):
            self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
        self._drop()

    def _drop(self) -> None:
        if self.connection is not None:
            self.connection.invalidate()
            self.connection.close()
        self.connection = None


class LeaseGuard:
    """SQLite: a lease row with holder and expiry; the holder renews it, others take it once expired."""

    def __init__(self, engine: Engine, *, seconds: float) -> None:
        self.engine = engine.execution_options(**{IMMEDIATE: True})
        self.seconds = seconds
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def hold(self) -> bool:
        """Renew our lease or take an expired one, in one write transaction."""
        now = local_now()
        try:
            with Session(self.engine) as session:
                lease = session.get(SchedulerLease, LEASE_NAME)
                if lease is None:
                    lease = SchedulerLease(name=LEASE_NAME, holder=self.holder, expires_at=now)
                elif lease.holder != self.holder and lease.expires_at > now:
                    return False
                lease.holder = self.holder
                lease.expires_at = now + timedelta(seconds=self.seconds)
                session.add(lease)
                session.commit()
                return True
        except (IntegrityError, OperationalError):
            return False

    def release(self) -> None:
        """End our lease now (only if it is still ours)."""
        with Session(self.engine) as session:
            lease = session.get(SchedulerLease, LEASE_NAME)
            if lease is not None and lease.holder == self.holder:
                lease.expires_at = local_now() - timedelta(seconds=1)
                session.add(lease)
                session.commit()


def make_guard(engine: Engine, *, lease_seconds: float) -> Guard:
    """Pick the guard for the database."""
    if engine.dialect.name == "postgresql":
        return AdvisoryLockGuard(engine)
    return LeaseGuard(engine, seconds=lease_seconds)


class Scheduler:
    """One process's scheduler; it works only while it holds the cluster guard."""

    def __init__(self, app: Flask, jobs: list[Job], guard: Guard, *, renew_seconds: float) -> None:
        self.app = app
        self.jobs = jobs
        self.guard = guard
        self.renew_seconds = renew_seconds
        self.active = threading.Event()
        self.stopping = threading.Event()
        # Memory job store: the jobs are code (sprachmittlerpool/jobs.py), and the database guard plus the
        # job_run table decide who runs what; a shared store would only pickle state into the database.
        # coalesce: runs piled up while the process was busy or suspended collapse into one;
        # max_instances=1: a slow run is never overlapped by the next tick of the same job;
        # misfire_grace_time=None: a late run still runs, however late (the period key keeps it to one).
        self.aps = BackgroundScheduler(
            timezone=BERLIN, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        )
        self.loops: list[threading.Thread] = []

    def start(self) -> Scheduler:
        """Take the guard if free, schedule the jobs and start the loops."""
        atexit.register(self.guard.release)  # a restarted process takes over at once, not after the lease
        self._check_guard()
        self.aps.add_job(self._check_guard, "interval", seconds=self.renew_seconds, id="_guard")
        for job in self.jobs:
            if job.wake is not None:
                self.loops.append(self._start_loop(job))
            else:
                # next_run_time=now: one catch-up run at start, then the schedule
                self.aps.add_job(
                    self._run,
                    job.schedule.trigger(),
                    args=[job],
                    id=job.name,
                    next_run_time=datetime.now(BERLIN),
                )
        self.aps.start()
        return self

    def stop(self) -> None:
        """Stop the jobs and loops and give up the guard."""
        self.stopping.set()
        for job in self.jobs:
            if job.wake is not None:
                job.wake.set()
        self.aps.shutdown(wait=True)
        for loop in self.loops:
            loop.join(timeout=30)
        self.active.clear()
        self.guard.release()
        atexit.unregister(self.guard.release)

    def _check_guard(self) -> None:
        try:
            held = self.guard.hold()
        except Exception:
            log.exception("scheduler guard check failed")
            held = False
        if held and not self.active.is_set():
            log.info("scheduler active in process %s", os.getpid())
            self.active.set()
            self._catch_up()
        if not held and self.active.is_set():
            log.warning("scheduler lost its guard; idling")
        (self.active.set if held else self.active.clear)()

    def _catch_up(self) -> None:
        """Run every job now once this process takes over, as a fresh start would.

        While idle, this process's ticks were skipped; a job whose time came then (a daily job, an
        hourly one) would otherwise wait for its next tick, a day later. The period key makes a run
        the old holder already did a no-op. Before aps has started, start() schedules the same run.
        """
        if not self.aps.running:
            return
        now = datetime.now(BERLIN)
        for job in self.jobs:
            if job.wake is not None:
                job.wake.set()
            else:
                self.aps.modify_job(job.name, next_run_time=now)

    def _run(self, job: Job) -> None:
        """Run one job if this process is the cluster's scheduler; never let an error stop the scheduler."""
        if not self.active.is_set() or self.stopping.is_set():
            return
        try:
            run_job(self.app, job, now=local_now())
        except Exception:
            log.exception("job %s failed", job.name)

    def _start_loop(self, job: Job) -> threading.Thread:
        """Run a wakeable job every interval or as soon as someone wakes it."""
        interval = job.schedule.interval.total_seconds() if hasattr(job.schedule, "interval") else 60.0
        wake = job.wake
        assert wake is not None

        def loop() -> None:
            while not self.stopping.is_set():
                self._run(job)
                wake.wait(interval)
                wake.clear()

        thread = threading.Thread(target=loop, name=f"job-{job.name}", daemon=True)
        thread.start()
        return thread


def start_scheduler(app: Flask, jobs: list[Job] | None = None) -> Scheduler:
    """Start this process's scheduler for the app's jobs (sprachmittlerpool.jobs.JOBS by default)."""
    if jobs is None:
        from sprachmittlerpool.jobs import JOBS

        jobs = JOBS
    engine = app.extensions["sqlalchemy_engine"]
    lease = float(app.config.get("SCHEDULER_LEASE_SECONDS", 30))
    guard = make_guard(engine, lease_seconds=lease)
    scheduler = Scheduler(
        app, jobs, guard, renew_seconds=float(app.config.get("SCHEDULER_RENEW_SECONDS", lease / 3))
    )
    app.extensions["scheduler"] = scheduler
    return scheduler.start()
