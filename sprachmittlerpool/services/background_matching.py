"""Matching runs off the web request: queued, claimed by exactly one worker, solved with progress in the row.

A run for a large pool takes a minute, longer than a web request may wait. Starting a run inserts a
queued ``MatchingRun`` row and returns at once. The scheduler's ``matching_runs`` job (inside
``flask serve`` for ``make run``, the scheduler process in production) claims it with a conditional
UPDATE (``… WHERE status = 'queued'``): of several threads, schedulers or hosts exactly one gets the
row, on SQLite and PostgreSQL alike, and solves it (``services/run_execution.py``), writing the phase,
the objective levels done and a heartbeat into the row; the page and the command read them from there
(the words in ``run_words.py``).

A worker that dies leaves a heartbeat that stops moving: after ``MATCHING_STALE_SECONDS`` the run is
marked failed and a new one may start (a late result of that worker is then discarded). A run nobody
claims within ``MATCHING_QUEUE_SECONDS`` (no scheduler process) fails with a message that says so. The
partial unique index ``one_active_matching_run_per_pool`` keeps one queued or running run per pool,
whoever tries to insert a second one.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import update
from sqlmodel import Session, col, select

from sprachmittlerpool.db import find_or_insert, new_session
from sprachmittlerpool.models import ACTIVE_RUN_STATES, MatchingRun, RunStatus, local_now
from sprachmittlerpool.run_words import QUEUED_PHASE, STALE_ERROR, UNCLAIMED_ERROR, level_lines
from sprachmittlerpool.services.run_execution import execute

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Started:
    """What starting a run did: a new run, or the one already queued or running for the pool."""

    run: MatchingRun
    created: bool


def worker_name() -> str:
    """Name this thread of this process on this host, as the row's claimant."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:120]


def active_run(session: Session, *, pool_id: int) -> MatchingRun | None:
    """Return the pool's queued or running run, if any."""
    return session.exec(
        select(MatchingRun).where(
            MatchingRun.pool_id == pool_id, col(MatchingRun.status).in_(ACTIVE_RUN_STATES)
        )
    ).first()


def failed_last(session: Session, *, pool_id: int) -> MatchingRun | None:
    """Return the pool's newest ended run if it failed: the coordinator must hear why no newer list came."""
    ended = session.exec(
        select(MatchingRun)
        .where(MatchingRun.pool_id == pool_id, col(MatchingRun.status).not_in(ACTIVE_RUN_STATES))
        .order_by(col(MatchingRun.id).desc())
        .limit(1)
    ).first()
    return ended if ended is not None and ended.status == RunStatus.FAILED else None


def start_run(
    session: Session,
    *,
    pool_id: int,
    actor_id: int | None,
    time_limit_s: float,
    now: datetime,
    claim_as: str | None = None,
) -> Started:
    """Queue a run for the pool, or return the one already queued or running; commits.

    ``claim_as`` inserts it as running for that worker (the command and the tests' inline mode solve it
    themselves, so no scheduler may take it first).
    """
    expire_stale(session, now=now)

    def make() -> MatchingRun:
        return MatchingRun(
            pool_id=pool_id,
            created_at=now,
            created_by_id=actor_id,
            status=RunStatus.RUNNING if claim_as else RunStatus.QUEUED,
            time_limit_s=time_limit_s,
            worker=claim_as,
            started_at=now if claim_as else None,
            heartbeat_at=now if claim_as else None,
            phase="Wird gestartet …" if claim_as else QUEUED_PHASE,
        )

    mine = make()
    run = find_or_insert(session, lambda: active_run(session, pool_id=pool_id), lambda: mine)
    session.commit()
    return Started(run, created=run is mine)


def _settings() -> tuple[float, float]:
    config = current_app.config
    return float(config.get("MATCHING_STALE_SECONDS", 60)), float(config.get("MATCHING_QUEUE_SECONDS", 120))


def expire_stale(session: Session, *, now: datetime) -> int:
    """Mark failed the runs whose worker stopped answering, and those no worker claimed in time."""
    stale_s, queue_s = _settings()
    dead = _fail_where(
        session,
        now,
        STALE_ERROR,
        MatchingRun.status == RunStatus.RUNNING,
        col(MatchingRun.heartbeat_at) < now - timedelta(seconds=stale_s),
    )
    unclaimed = _fail_where(
        session,
        now,
        UNCLAIMED_ERROR,
        MatchingRun.status == RunStatus.QUEUED,
        MatchingRun.created_at < now - timedelta(seconds=queue_s),
    )
    if dead or unclaimed:
        log.warning("matching runs given up: %d without heartbeat, %d never claimed", dead, unclaimed)
    return dead + unclaimed


def _fail_where(session: Session, now: datetime, error: str, *conditions: Any) -> int:
    statement = (
        update(MatchingRun)
        .where(*conditions)
        .values(status=RunStatus.FAILED, finished_at=now, error=error, phase="Abgebrochen")
        .execution_options(synchronize_session=False)
    )
    return session.exec(statement).rowcount  # type: ignore[call-overload, attr-defined]


def claim_next(session: Session, *, worker: str, now: datetime) -> int | None:
    """Claim the oldest queued run for `worker` and return its id; None when none is left; commits.

    The UPDATE's condition on the status is the claim: a second claimant's UPDATE matches no row.
    """
    queued = session.exec(
        select(MatchingRun.id)
        .where(MatchingRun.status == RunStatus.QUEUED)
        .order_by(col(MatchingRun.id))
        .limit(5)
    ).all()
    for run_id in queued:
        claimed = session.exec(
            update(MatchingRun)
            .where(col(MatchingRun.id) == run_id, MatchingRun.status == RunStatus.QUEUED)
            .values(
                status=RunStatus.RUNNING,
                worker=worker,
                started_at=now,
                heartbeat_at=now,
                phase="Wird gestartet …",
            )
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        session.commit()
        if claimed == 1:
            return run_id
    session.commit()
    return None


def run_queued(_session: Session, *, now: datetime) -> str:
    """The scheduler's job: give up dead runs, then claim and solve queued runs one after another."""
    worker = worker_name()
    solved = 0
    while True:
        with new_session(write=True) as session:
            expire_stale(session, now=local_now())
            run_id = claim_next(session, worker=worker, now=local_now())
        if run_id is None:
            return f"{solved} Berechnung(en) ausgeführt"
        execute(run_id, worker=worker)
        solved += 1


WAKE = threading.Event()  # the scheduler's matching loop waits on it (sprachmittlerpool/jobs.py)


def wake() -> None:
    """Ask this process's matching loop (if it runs one) to look for queued runs now (call after commit)."""
    WAKE.set()


def overdue(run: MatchingRun, *, now: datetime) -> str | None:
    """Say why an active run will not finish (no heartbeat, never claimed), before a worker has marked it."""
    stale_s, queue_s = _settings()
    if (
        run.status == RunStatus.RUNNING
        and run.heartbeat_at
        and run.heartbeat_at < now - timedelta(seconds=stale_s)
    ):
        return STALE_ERROR
    if run.status == RunStatus.QUEUED and run.created_at < now - timedelta(seconds=queue_s):
        return UNCLAIMED_ERROR
    return None


def progress_view(run: MatchingRun, *, now: datetime) -> dict[str, Any]:
    """Describe a run's state for the page and its JSON: words only, for people."""
    since = run.started_at or run.created_at
    error = run.error or (overdue(run, now=now) if run.status in ACTIVE_RUN_STATES else None)
    return {
        "status": run.status,
        "ended": run.status not in ACTIVE_RUN_STATES,  # the page reloads to show the result or the failure
        "finished": run.status not in ACTIVE_RUN_STATES or error is not None,  # nothing more to wait for
        "level": run.level,
        "levels": run.levels,
        "phase": run.phase or QUEUED_PHASE,
        "lines": level_lines(run.objective),
        "elapsed": f"seit {max(0, int((now - since).total_seconds()))} s",
        "error": error,
    }
