"""Two scheduler OS processes on one database: one works, each period runs once, a SIGKILL is survived.

Each process is the real `flask jobs scheduler` command (tests/hardening/scheduler_process.py swaps in
short test jobs). The guard is the real one: a lease row on SQLite, an advisory lock on PostgreSQL that
dies with the killed process's connection. job_run rows and the jobs' effect log are the evidence.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from apscheduler.jobstores.memory import MemoryJobStore
from flask import Flask
from sqlmodel import col, select

from notifications.jobs import Job, every
from notifications.scheduler import start_scheduler
from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import JobRun
from tests.hardening.scheduler_process import DATABASE_VARIABLE, FOLDER_VARIABLE

ROOT = Path(__file__).resolve().parents[2]
READY = "Zeitgesteuerte Aufgaben laufen"


class Cluster:
    """Scheduler processes sharing one folder (period file, logs) and one database."""

    def __init__(self, folder: Path, database_url: str) -> None:
        self.folder = folder
        self.env = {**os.environ, FOLDER_VARIABLE: str(folder), DATABASE_VARIABLE: database_url}
        self.processes: list[subprocess.Popen[bytes]] = []

    def declare_period(self, period: str) -> None:
        """Start a new period for the jobs (atomically, so a job never reads half a name)."""
        temporary = self.folder / "period.tmp"
        temporary.write_text(period)
        os.replace(temporary, self.folder / "period")

    def start(self) -> subprocess.Popen[bytes]:
        """Start one `flask jobs scheduler` process and wait until its scheduler runs."""
        number = len(self.processes)
        output = self.folder / f"scheduler-{number}.log"
        command = [sys.executable, "-m", "flask", "--app", "tests.hardening.scheduler_process:create"]
        with open(output, "wb") as log:
            process = subprocess.Popen(
                [*command, "jobs", "scheduler"], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        self.processes.append(process)
        wait_until(lambda: READY in output.read_text(errors="replace"), why=f"scheduler {number} started")
        return process

    def lines(self, name: str) -> list[str]:
        """Read one of the logs the jobs write."""
        path = self.folder / name
        return path.read_text().splitlines() if path.exists() else []

    def heartbeats_of(self, process: subprocess.Popen[bytes]) -> int:
        """Count the heartbeat runs of one process."""
        return self.lines("heartbeat").count(str(process.pid))

    def let_work(self, process: subprocess.Popen[bytes], beats: int = 5) -> None:
        """Wait until `process` ran `beats` more heartbeats: time in which a second worker would show."""
        target = self.heartbeats_of(process) + beats
        wait_until(lambda: self.heartbeats_of(process) >= target, why=f"{beats} heartbeats of {process.pid}")

    def logs(self) -> str:
        """Return what the processes printed, for the report of a failed test."""
        return "\n".join(
            f"--- scheduler {n} (pid {p.pid}):\n{(self.folder / f'scheduler-{n}.log').read_text(errors='replace')}"
            for n, p in enumerate(self.processes)
        )

    def stop(self) -> None:
        """End what still runs: SIGTERM (the command's clean stop), then SIGKILL."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def wait_until(condition: Callable[[], bool], *, why: str, timeout: float = 20.0) -> None:
    """Poll until the condition holds; fail with `why` if it never does."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not reached in {timeout} s: {why}"
        time.sleep(0.05)


@pytest.fixture
def cluster(app: Flask, tmp_path: Path) -> Iterator[Cluster]:
    """A folder and the migrated test database for scheduler processes (the `app` fixture set it up)."""
    folder = tmp_path / "cluster"
    folder.mkdir()
    running = Cluster(folder, str(app.config["DATABASE_URL"]))
    running.declare_period("P1")
    yield running
    running.stop()
    print(running.logs())  # pytest shows it when the test failed


def runs(app: Flask) -> list[tuple[str, str, str]]:
    """Return every job_run row as (job, period, pid of the process that ran it), in order."""
    with app.app_context(), new_session(write=False) as session:
        rows = session.exec(select(JobRun).order_by(col(JobRun.id))).all()
        return [(row.job, row.period, row.detail) for row in rows]


def test_two_scheduler_processes_run_each_period_once_and_the_survivor_catches_up_after_sigkill(app, cluster):
    first = cluster.start()
    wait_until(lambda: len(runs(app)) == 2, why="the first scheduler's start-up runs")
    second = cluster.start()
    cluster.let_work(first)
    a, b = str(first.pid), str(second.pid)
    assert sorted(runs(app)) == [("often", "P1", a), ("rare", "P1", a)]  # start-up runs, in either order
    assert cluster.heartbeats_of(second) == 0

    cluster.declare_period("P2")
    wait_until(lambda: ("often", "P2", a) in runs(app), why="often in P2")
    cluster.let_work(first)

    first.send_signal(signal.SIGSTOP)  # freeze the worker, then let a period begin that only it knew of
    cluster.declare_period("P3")
    first.send_signal(signal.SIGKILL)
    first.wait()
    wait_until(lambda: len(runs(app)) == 5, why="the survivor's catch-up")
    cluster.let_work(second)

    assert sorted(runs(app)) == sorted(
        [("often", "P1", a), ("rare", "P1", a), ("often", "P2", a), ("often", "P3", b), ("rare", "P3", b)]
    )
    assert sorted(cluster.lines("effects")) == sorted(
        [f"often {a}", f"rare {a}", f"often {a}", f"often {b}", f"rare {b}"]
    )
    assert cluster.heartbeats_of(first) > 0 and second.poll() is None


def test_the_real_scheduler_coalesces_never_overlaps_runs_late_jobs_and_keeps_jobs_in_memory(app):
    """Assert the settings on the scheduler start_scheduler builds, not on a copy of them.

    A memory job store is enough: the jobs are code, each process schedules them itself, and the
    database decides who works (the guard) and what already ran (job_run's unique (job, period)).
    """
    job = Job("tick", lambda _session, *, now: "ok", every(hours=1), "Test")
    scheduler = start_scheduler(app, [job])
    try:
        scheduled = scheduler.aps.get_job("tick")
        store = scheduler.aps._lookup_jobstore("default")
        stores = {alias for alias in scheduler.aps._jobstores}
    finally:
        scheduler.stop()

    assert (scheduled.coalesce, scheduled.max_instances, scheduled.misfire_grace_time) == (True, 1, None)
    assert isinstance(store, MemoryJobStore) and stores == {"default"}
