"""flask jobs list / jobs run NAME: see the scheduled jobs and run one now."""

from __future__ import annotations

import signal

import click
from flask import current_app
from flask.cli import with_appcontext

from notifications.jobs import Job, find_job, last_run, run_job
from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import local_now


@click.group()
def jobs() -> None:
    """List and run the scheduled jobs."""


def _registry() -> list[Job]:
    from sprachmittlerpool.jobs import JOBS

    return JOBS


@jobs.command("list")
@with_appcontext
def list_jobs() -> None:
    """Show every job with its schedule, description and last run."""
    with new_session(write=False) as session:
        for job in _registry():
            run = last_run(session, job.name) if job.tracked else None
            last = f"{run.started_at:%d.%m.%Y %H:%M} ({run.detail})" if run else "–"
            if not job.tracked:
                last = "ohne Protokoll (Zustand steht in den Zeilen)"
            click.echo(f"{job.name:<22} {job.schedule!s:<16} {job.description_de}")
            click.echo(f"{'':<22} zuletzt: {last}")


@jobs.command("run")
@click.argument("name")
@with_appcontext
def run(name: str) -> None:
    """Run one job now (once per period: a second run in the same period does nothing)."""
    job = find_job(_registry(), name)
    if job is None:
        names = ", ".join(j.name for j in _registry())
        raise click.UsageError(f"Unbekannter Job „{name}“. Vorhanden: {names}")
    summary = run_job(current_app._get_current_object(), job, now=local_now())  # type: ignore[attr-defined]
    click.echo(f"{job.name}: {summary}")


@jobs.command("scheduler")
@with_appcontext
def scheduler() -> None:
    """Run the scheduler in the foreground: the dedicated process of a multi-worker deployment."""
    from notifications.scheduler import start_scheduler

    running = start_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo("Zeitgesteuerte Aufgaben laufen (Beenden mit Strg+C).")
    signal.signal(signal.SIGTERM, lambda *_: running.stopping.set())
    try:
        running.stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
