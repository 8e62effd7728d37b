"""The app for `flask --app tests.hardening.scheduler_process:create jobs scheduler`: the real command, test jobs.

test_scheduler_processes runs two of these as OS processes on one database. The registry gets three
short jobs instead of the pool's: a heartbeat (shows which process works), `often` and `rare`. Their
period comes from a file the test rewrites, so "a new period has begun" is the test's decision and not
the wall clock's; every run of a job function appends its name and pid to a file the test reads.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlmodel import Session

from notifications.jobs import Every, Job
from sprachmittlerpool import create_app
from sprachmittlerpool import jobs as registry
from tests.conftest import make_test_config

FOLDER_VARIABLE = "SCHEDULER_TEST_FOLDER"
DATABASE_VARIABLE = "SCHEDULER_TEST_DATABASE_URL"


def folder() -> Path:
    """The test's folder: period file, effect logs."""
    return Path(os.environ[FOLDER_VARIABLE])


def current_period(_now: datetime) -> str:
    """Read the period the test has declared."""
    return (folder() / "period").read_text().strip()


def _append(name: str, line: str) -> None:
    with open(folder() / name, "a", encoding="utf-8") as handle:
        handle.write(f"{line}\n")


def heartbeat(_session: Session, *, now: datetime) -> str:
    """Say that this process is the working one (untracked: runs on every tick while active)."""
    _append("heartbeat", str(os.getpid()))
    return "ok"


def often(_session: Session, *, now: datetime) -> str:
    """A job ticking every 0.3 s: it runs once per period however often it ticks."""
    _append("effects", f"often {os.getpid()}")
    return str(os.getpid())


def rare(_session: Session, *, now: datetime) -> str:
    """A job ticking hourly (like warn_unfilled): after a takeover it must not wait for its next tick."""
    _append("effects", f"rare {os.getpid()}")
    return str(os.getpid())


def create() -> Flask:
    """Build the app on the test's database with the test jobs and short guard timings."""
    registry.JOBS[:] = [
        Job("heartbeat", heartbeat, Every(timedelta(seconds=0.2)), "Lebenszeichen", tracked=False),
        Job("often", often, Every(timedelta(seconds=0.3)), "Oft", period=current_period),
        Job("rare", rare, Every(timedelta(hours=1)), "Selten", period=current_period),
    ]
    config = make_test_config(
        os.environ[DATABASE_VARIABLE],
        folder(),
        # local_now() has whole seconds, so a lease of n s lasts n-1..n s: 1 s would let a loaded
        # machine's late renewal hand the lease over; 3 s still makes the SQLite takeover quick.
        SCHEDULER_LEASE_SECONDS=3.0,
        SCHEDULER_RENEW_SECONDS=0.2,
        MAIL_DIR=str(folder() / "mail"),
    )
    return create_app(config)
