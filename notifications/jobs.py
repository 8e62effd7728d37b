"""Scheduled jobs: what they are and how one runs, once per period, whatever calls it how often.

A job function is level-triggered: `func(session, *, now) -> summary` handles everything that is
due at `now` ("every offer past its expiry"), so one run after a long downtime catches up. A job_run
row with a unique (job, period) key is inserted in the same transaction as the work: a second run
in the same period is a no-op, and a run that fails leaves no row, so the next one tries again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import BERLIN, JobRun

log = logging.getLogger(__name__)

ALREADY_RAN = "schon gelaufen"

JobFunc = Callable[..., str]
PeriodFunc = Callable[[datetime], str]


def per_minute(now: datetime) -> str:
    """Name the minute `now` falls in."""
    return f"{now:%Y-%m-%dT%H:%M}"


def per_hour(now: datetime) -> str:
    """Name the hour `now` falls in."""
    return f"{now:%Y-%m-%dT%H}"


def per_day(now: datetime) -> str:
    """Name the day `now` falls in."""
    return f"{now:%Y-%m-%d}"


@dataclass(frozen=True)
class Every:
    """Run at a fixed interval."""

    interval: timedelta

    def trigger(self) -> BaseTrigger:
        """Return the APScheduler trigger."""
        return IntervalTrigger(seconds=self.interval.total_seconds(), timezone=BERLIN)

    def period(self, now: datetime) -> str:
        """Name the interval slot (counted from local midnight) that `now` falls in."""
        step = max(1, int(self.interval.total_seconds()))
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        slot = int((now - midnight).total_seconds()) // step * step
        return f"{midnight + timedelta(seconds=slot):%Y-%m-%dT%H:%M:%S}"

    def __str__(self) -> str:
        seconds = int(self.interval.total_seconds())
        if seconds % 3600 == 0:
            return f"alle {seconds // 3600} h"
        if seconds % 60 == 0:
            return f"alle {seconds // 60} min"
        return f"alle {seconds} s"


@dataclass(frozen=True)
class Daily:
    """Run once a day at a local wall-clock time."""

    hour: int
    minute: int = 0

    def trigger(self) -> BaseTrigger:
        """Return the APScheduler trigger."""
        return CronTrigger(hour=self.hour, minute=self.minute, timezone=BERLIN)

    def period(self, now: datetime) -> str:
        """Name the day whose run is the latest one due at `now`: before the time of day, yesterday's.

        A scheduler started at night (a reboot, a takeover) catches up at once; had the period been the
        calendar day, it would do today's 08:00 reminders at 02:00 and skip them at 08:00.
        """
        due_today = now.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        return per_day(now if now >= due_today else now - timedelta(days=1))

    def __str__(self) -> str:
        return f"täglich {self.hour:02d}:{self.minute:02d}"


def every(*, seconds: int = 0, minutes: int = 0, hours: int = 0) -> Every:
    """Schedule at a fixed interval."""
    return Every(timedelta(seconds=seconds, minutes=minutes, hours=hours))


def daily(at: str) -> Daily:
    """Schedule once a day at "HH:MM" local time."""
    hour, minute = (int(part) for part in at.split(":"))
    return Daily(hour, minute)


@dataclass(frozen=True)
class Job:
    """A scheduled job: `func(session, *, now) -> German summary`, run once per period of its schedule.

    `period` overrides the schedule's period (e.g. per_hour for a job polled every 5 minutes).
    `tracked=False` is for jobs whose rows carry their own state (the relay): no job_run row,
    and `func` manages its own short transactions (the session it gets is unused).
    `wake` lets code run the job at once instead of at its next tick (the relay's wake()).
    """

    name: str
    func: JobFunc
    schedule: Every | Daily
    description_de: str
    period: PeriodFunc | None = None
    tracked: bool = True
    wake: threading.Event | None = None

    def period_key(self, now: datetime) -> str:
        """Name the period `now` falls in: at most one run per key."""
        return (self.period or self.schedule.period)(now)


def run_job(app: Flask, job: Job, *, now: datetime) -> str:
    """Run a job for the period of `now` unless it already ran; return its summary."""
    with app.app_context():
        if not job.tracked:
            with new_session(write=False) as session:
                return job.func(session, now=now)
        try:
            return _run_tracked(job, now=now)
        except IntegrityError:
            return ALREADY_RAN  # another scheduler inserted the same (job, period) a moment earlier


def _run_tracked(job: Job, *, now: datetime) -> str:
    period = job.period_key(now)
    started = time.monotonic()
    with new_session(write=True) as session:
        if _already_ran(session, job.name, period):
            return ALREADY_RAN
        run = JobRun(job=job.name, period=period, started_at=now)
        session.add(run)
        session.flush()  # claim the period before the work; a concurrent run waits or fails here
        summary = job.func(session, now=now)
        run.finished_at = now + timedelta(seconds=round(time.monotonic() - started))
        run.detail = summary[:1000]
        session.add(run)
        session.commit()
    log.info("job %s ran for %s: %s", job.name, period, summary)
    return summary


def _already_ran(session: Session, name: str, period: str) -> bool:
    return (
        session.exec(select(JobRun.id).where(JobRun.job == name, JobRun.period == period)).first() is not None
    )


def last_run(session: Session, name: str) -> JobRun | None:
    """Return the latest recorded run of a job."""
    return session.exec(
        select(JobRun).where(JobRun.job == name).order_by(col(JobRun.started_at).desc()).limit(1)
    ).first()


def find_job(jobs: list[Job], name: str) -> Job | None:
    """Return the job with this name."""
    return next((job for job in jobs if job.name == name), None)
