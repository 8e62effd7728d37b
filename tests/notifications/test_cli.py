"""`flask jobs list` and `flask jobs run NAME` for the people who run the pool."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import Session

import sprachmittlerpool.jobs
from notifications.jobs import Job, every, per_day


def greet(session: Session, *, now: datetime) -> str:
    """A tracked job with a recognisable summary."""
    return "3 Angebote geschlossen"


@pytest.fixture
def with_test_job(monkeypatch: pytest.MonkeyPatch) -> None:
    """Add a tracked job to the registry for the length of a test."""
    job = Job("expire_test", greet, every(minutes=5), "Test: abgelaufene Angebote schließen", period=per_day)
    monkeypatch.setattr(sprachmittlerpool.jobs, "JOBS", [*sprachmittlerpool.jobs.JOBS, job])


def test_jobs_list_shows_schedule_description_and_last_run(app, with_test_job):
    runner = app.test_cli_runner()
    runner.invoke(args=["jobs", "run", "expire_test"])

    result = runner.invoke(args=["jobs", "list"])

    assert result.exit_code == 0, result.output
    assert "relay_outbox" in result.output and "alle 3 s" in result.output
    assert "Wartende E-Mails aus dem Postausgang versenden" in result.output
    assert "expire_test" in result.output and "(3 Angebote geschlossen)" in result.output


def test_jobs_run_prints_the_summary_and_a_second_run_in_the_period_does_nothing(app, with_test_job):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["jobs", "run", "expire_test"])
    second = runner.invoke(args=["jobs", "run", "expire_test"])

    assert first.output.strip() == "expire_test: 3 Angebote geschlossen"
    assert second.output.strip() == "expire_test: schon gelaufen"


def test_jobs_run_relay_outbox_sends_what_waits(app, queue_mail):
    queue_mail()

    result = app.test_cli_runner().invoke(args=["jobs", "run", "relay_outbox"])

    assert result.exit_code == 0, result.output
    assert "1 gesendet" in result.output
    assert len(list(Path(app.config["MAIL_DIR"]).glob("*.eml"))) == 1


def test_jobs_run_with_an_unknown_name_lists_the_known_ones(app):
    result = app.test_cli_runner().invoke(args=["jobs", "run", "gibtsnicht"])

    assert result.exit_code == 2
    assert "Unbekannter Job „gibtsnicht“" in result.output
    assert "relay_outbox" in result.output
