"""Matching runs off the web request: queued, claimed by exactly one worker, solved with progress in the row.

A run for a large pool takes a minute, longer than a web request may wait. Starting a run inserts a
queued ``MatchingRun`` row and returns at once. The scheduler's ``matching_runs`` job (inside
``flask serve`` for ``make run``, the scheduler process in production) claims it with a conditional
UPDATE (``… WHERE status = 'queued'``): of several threads, schedulers or hosts exactly one gets the
row, on SQLite and PostgreSQL alike. While it solves, the worker writes the phase, the objective levels
done and a heartbeat into the row; the page and the command read them from there.

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
import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

import matching
from matching.types import LEVELS
from sprachmittlerpool.db import IMMEDIATE, find_or_insert, get_engine, new_session
from sprachmittlerpool.german import decimal
from sprachmittlerpool.models import ACTIVE_RUN_STATES, MatchingRun, RunStatus, local_now
from sprachmittlerpool.services import matching_run

log = logging.getLogger(__name__)

Echo = Callable[[str], None]

QUEUED_PHASE = "Wartet auf den Start …"
STALE_ERROR = (
    "Die Berechnung wurde abgebrochen: der Hintergrunddienst hat sich nicht mehr gemeldet. "
    "Sie können sie neu starten."
)
UNCLAIMED_ERROR = (
    "Die Berechnung wurde nicht begonnen: es läuft kein Hintergrunddienst für zeitgesteuerte Aufgaben. "
    "Bitte wenden Sie sich an die Technik."
)
INVALID_ERROR = "Die Berechnung hat kein gültiges Ergebnis geliefert. Bitte wenden Sie sich an die Technik."
CRASH_ERROR = (
    "Die Berechnung ist mit einem Fehler abgebrochen. Bitte versuchen Sie es noch einmal "
    "oder wenden Sie sich an die Technik."
)

# What each objective level of matching.md works on, and how its value reads.
LEVEL_WORK = {
    1: "möglichst viele Anfragen besetzen, dringende zuerst",
    2: "gewünschte Sprachmittelnde berücksichtigen",
    3: "Wege kurz halten",
    4: "Einsätze gerecht verteilen",
}


def level_lines(objective: list[int]) -> list[str]:
    """Say in German what each finished level reached (pure: the page, the JSON and the command share it)."""
    words = [
        lambda v: f"Besetzung: {v} Punkte (dringende Anfragen zählen doppelt)",
        lambda v: f"gewünschte Sprachmittelnde berücksichtigt: {v}",
        lambda v: f"Wege zusammen: {decimal(v / 1000)} km",
        lambda v: f"höchste Auslastung: {v} Einsätze in 90 Tagen und neu",
    ]
    return [words[index](value) for index, value in enumerate(objective[: len(words)])]


def level_phase(done: int, levels: int) -> str:
    """Name the level being worked on after `done` levels are finished."""
    if done >= levels:
        return "Ergebnis wird geprüft und gespeichert …"
    return f"Stufe {done + 1} von {levels}: {LEVEL_WORK.get(done + 1, '')} …"


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


class RunWriter:
    """Writes one claimed run's progress, heartbeat and end, each only while the run is still this worker's.

    Each write is its own short transaction on its own session: the solve holds no lock, and the
    heartbeat thread and the solving thread never share a session.
    """

    def __init__(self, engine: Engine, run_id: int, worker: str, echo: Echo | None) -> None:
        self.engine = engine.execution_options(**{IMMEDIATE: True})
        self.run_id = run_id
        self.worker = worker
        self.echo = echo or (lambda _line: None)
        self.started = clock.monotonic()

    def write(self, session: Session | None = None, **values: Any) -> bool:
        """Set columns of the run if it is still running for this worker; tell whether it was."""
        statement = (
            update(MatchingRun)
            .where(
                col(MatchingRun.id) == self.run_id,
                MatchingRun.status == RunStatus.RUNNING,
                MatchingRun.worker == self.worker,
            )
            .values(heartbeat_at=local_now(), **values)
            .execution_options(synchronize_session=False)
        )
        if session is not None:
            return session.exec(statement).rowcount == 1  # type: ignore[attr-defined]
        with Session(self.engine) as own:
            changed = own.exec(statement).rowcount == 1  # type: ignore[attr-defined]
            own.commit()
        return changed

    def phase(self, text: str) -> None:
        """Show what the worker does now."""
        self.echo(f"[{decimal(clock.monotonic() - self.started)} s] {text}")
        self.write(phase=text[:300])

    def level(self, done: matching.LevelDone) -> None:
        """Record a finished objective level and name the next one."""
        lines = level_lines(list(done.objective))
        self.echo(f"[{decimal(done.elapsed_s)} s] Stufe {done.level} von {done.levels} fertig – {lines[-1]}")
        self.write(
            level=done.level,
            levels=done.levels,
            objective=list(done.objective),
            phase=level_phase(done.level, done.levels),
        )


class Heartbeat:
    """A thread that renews the run's heartbeat while the solver (which reports only between levels) works."""

    def __init__(self, writer: RunWriter, seconds: float) -> None:
        self.writer = writer
        self.seconds = seconds
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"heartbeat-run-{writer.run_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stopping.set()
        self.thread.join(timeout=30)

    def _beat(self) -> None:
        while not self.stopping.wait(self.seconds):
            try:
                if not self.writer.write():
                    return  # no longer ours (given up as stale): nothing left to keep alive
            except Exception:
                log.exception("heartbeat of matching run %s failed", self.writer.run_id)


def execute(run_id: int, *, worker: str, echo: Echo | None = None) -> MatchingRun | None:
    """Solve a run this worker has claimed and keep its result (or a German error); return the row after.

    Needs an app context. Never raises for a failed solve: the failure is the run's state.
    """
    writer = RunWriter(get_engine(), run_id, worker, echo)
    with new_session(write=False) as session:
        run = session.get(MatchingRun, run_id)
        assert run is not None, "claimed runs exist"
        pool_id, limit = run.pool_id, run.time_limit_s
    heartbeat_s = float(current_app.config.get("MATCHING_HEARTBEAT_SECONDS", 5))
    with Heartbeat(writer, heartbeat_s):
        try:
            with new_session(write=False) as session:
                data, result = matching_run.compute(
                    session,
                    pool_id=pool_id,
                    now=local_now(),
                    time_limit_s=limit,
                    progress=writer.phase,
                    on_level=writer.level,
                )
            _finish(writer, data, result)
        except matching_run.MatchingFailed:
            log.exception("matching run %s gave no valid result", run_id)
            _fail(writer, INVALID_ERROR)
        except Exception:
            log.exception("matching run %s crashed", run_id)
            _fail(writer, CRASH_ERROR)
    with new_session(write=False) as session:
        return session.get(MatchingRun, run_id)


def _finish(writer: RunWriter, data: dict[str, Any], result: matching.Result) -> None:
    """Keep the result and the unfilled reasons in one transaction, unless the run was given up meanwhile."""
    with new_session(write=True) as session:
        kept = writer.write(
            session,
            status=RunStatus.DONE,
            result=data,
            finished_at=local_now(),
            level=LEVELS,
            phase="Fertig",
        )
        if not kept:
            session.rollback()
            log.warning(
                "matching run %s was given up before it finished; its result is discarded", writer.run_id
            )
            return
        matching_run.note_unfilled_reasons(session, result)
        session.commit()
    writer.echo(f"Fertig in {decimal(clock.monotonic() - writer.started)} s.")


def _fail(writer: RunWriter, error: str) -> None:
    writer.echo(error)
    writer.write(status=RunStatus.FAILED, finished_at=local_now(), error=error, phase="Abgebrochen")


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
