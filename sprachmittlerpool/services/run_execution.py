"""Solving one claimed matching run: progress, heartbeat and result written only while the run is still ours.

The worker that claimed a run (the scheduler's job, the command, the tests' inline mode) calls
``execute``. Every write is conditional on the row still running for this worker, so a worker given up
as dead (``background_matching.expire_stale``) that wakes up again changes nothing: its result is dropped.
"""

from __future__ import annotations

import logging
import threading
import time as clock
from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy import Engine, update
from sqlmodel import Session, col

import matching
from matching.types import LEVELS
from sprachmittlerpool.db import IMMEDIATE, get_engine, new_session
from sprachmittlerpool.german import decimal
from sprachmittlerpool.models import MatchingRun, RunStatus, local_now
from sprachmittlerpool.run_words import CRASH_ERROR, INVALID_ERROR, level_lines, level_phase
from sprachmittlerpool.services import matching_run

log = logging.getLogger(__name__)

Echo = Callable[[str], None]


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
