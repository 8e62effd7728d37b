"""Matching runs off the web request: queued by the page, claimed by exactly one worker, followed, given up when dead.

Here runs are not solved inline (the suite's default): the page only queues them, and the real
scheduler job solves them — in this process as `flask serve` runs it, or in two `flask jobs scheduler`
OS processes as production does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from notifications.scheduler import start_scheduler
from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import MatchingRun, local_now
from sprachmittlerpool.services import background_matching
from tests.conftest import make_test_config
from tests.coordination.helpers import fresh_read
from tests.coordination.matching_scheduler import DATABASE_VARIABLE, FOLDER_VARIABLE
from tests.factories import FIRST_POOL
from tests.hardening.test_scheduler_processes import READY, wait_until

ROOT = Path(__file__).resolve().parents[2]
PAGE = "/koordination/vorschlaege"


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, object]:
    """The suite's settings, but the page only queues runs, as in production."""
    return make_test_config(database_url, tmp_path, MATCHING_INLINE=False)


@pytest.fixture
def small_pool(factories):
    """One Ukrainian speaker near an urgent request, and a Tigrinya request nobody can take."""
    near = factories.VolunteerFactory(name="Olena Nah", home_id="heinsberg")
    placed = factories.RequestFactory(municipality_id="heinsberg", urgent=True)
    factories.RequestFactory(language_code="ti")
    return {"near": near, "placed": placed}


def runs(db) -> list[MatchingRun]:
    """Every run, oldest first, read in a fresh transaction (and not from the session's identity map)."""
    db.expire_all()
    return list(fresh_read(db, lambda: db.exec(select(MatchingRun).order_by(col(MatchingRun.id))).all()))


def queue_run(app, *, claim_as: str | None = None) -> MatchingRun:
    """Start a run for the first pool as the page or the command does."""
    with app.app_context(), new_session(write=True) as session:
        started = background_matching.start_run(
            session, pool_id=FIRST_POOL, actor_id=None, time_limit_s=2, now=local_now(), claim_as=claim_as
        )
    assert started.created
    return started.run


def age_heartbeat(app, run_id: int, *, minutes: int) -> None:
    """Let a run's heartbeat lie in the past, as one whose worker died."""
    with app.app_context(), new_session(write=True) as session:
        long_ago = local_now() - timedelta(minutes=minutes)
        session.exec(
            update(MatchingRun).where(col(MatchingRun.id) == run_id).values(heartbeat_at=long_ago)  # type: ignore[call-overload]
        )
        session.commit()


def test_a_run_started_on_the_page_is_queued_solved_by_the_scheduler_of_flask_serve_and_then_shown(
    app, coordinator_client, small_pool, db
):
    response = coordinator_client.post(PAGE)

    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    [queued] = runs(db)
    assert queued.status == "queued" and queued.worker is None
    page = coordinator_client.get(PAGE).get_data(as_text=True)
    assert 'id="run-progress"' in page and "Wartet auf den Start" in page and "0 von 4 Stufen fertig" in page
    assert '<progress id="run-progress-bar" max="4" value="0"' in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert "run-progress.js" in page and "<script>" not in page
    state = coordinator_client.get(f"{PAGE}/laeufe/{queued.id}").get_json()
    assert (state["finished"], state["phase"], state["lines"]) == (False, "Wartet auf den Start …", [])

    scheduler = start_scheduler(app)  # what `flask serve` (make run) starts in its process
    try:
        wait_until(
            lambda: runs(db)[0].status not in ("queued", "running"), why="the scheduler's matching job"
        )
    finally:
        scheduler.stop()

    [run] = runs(db)
    assert (run.status, run.level, run.error) == ("done", 4, None)
    assert run.worker.split(":")[1] == str(os.getpid())
    assert run.result["assignments"][0]["volunteer"] == str(small_pool["near"].id)
    state = coordinator_client.get(f"{PAGE}/laeufe/{run.id}").get_json()
    assert state["finished"] and state["ended"] and len(state["lines"]) == 4
    assert state["lines"][0] == "Besetzung: 2 Punkte (dringende Anfragen zählen doppelt)"
    page = coordinator_client.get(PAGE).get_data(as_text=True)
    assert "Olena Nah" in page and "Niemand im Pool spricht diese Sprache." in page
    assert 'id="run-progress"' not in page and "http-equiv" not in page


def test_a_second_start_while_one_is_queued_shows_the_queued_one(coordinator_client, small_pool, db):
    coordinator_client.post(PAGE)

    response = coordinator_client.post(PAGE, follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "Für diesen Pool läuft schon eine Berechnung; hier sehen Sie ihren Stand." in page
    assert 'id="run-progress"' in page
    assert [run.status for run in runs(db)] == ["queued"]
    assert "Eine Berechnung läuft gerade – Stand ansehen" in coordinator_client.get(
        "/koordination/"
    ).get_data(as_text=True)


def test_the_database_refuses_a_second_active_run_of_a_pool(app, db):
    queue_run(app)

    with app.app_context(), new_session(write=True) as session:
        session.add(MatchingRun(pool_id=FIRST_POOL, status="running", result={}))
        with pytest.raises(IntegrityError):
            session.commit()

    with app.app_context(), new_session(write=True) as session:
        session.add(MatchingRun(pool_id=FIRST_POOL, status="failed", result={}))
        session.commit()  # finished runs are history: any number
    assert [run.status for run in runs(db)] == ["queued", "failed"]


def test_of_starts_at_the_same_moment_one_queues_and_the_others_get_its_run(app, db):
    barrier = threading.Barrier(4)
    outcomes: list[background_matching.Started] = []

    def start() -> None:
        with app.app_context(), new_session(write=True) as session:
            barrier.wait(timeout=30)
            outcomes.append(
                background_matching.start_run(
                    session, pool_id=FIRST_POOL, actor_id=None, time_limit_s=2, now=local_now()
                )
            )

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    [queued] = runs(db)
    assert sorted(outcome.created for outcome in outcomes) == [False, False, False, True]
    assert {outcome.run.id for outcome in outcomes} == {queued.id}


def race_claimers(app, count: int) -> list[tuple[int | None, str]]:
    """Let `count` threads claim at the same moment, each in its own transaction; return (run id, worker) each."""
    barrier = threading.Barrier(count)
    won: list[tuple[int | None, str]] = []

    def claim() -> None:
        worker = background_matching.worker_name()
        with app.app_context(), new_session(write=True) as session:
            barrier.wait(timeout=30)
            won.append((background_matching.claim_next(session, worker=worker, now=local_now()), worker))

    threads = [threading.Thread(target=claim) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return won


def test_of_many_claimers_exactly_one_gets_each_queued_run(app, db):
    for _ in range(4):
        run = queue_run(app)

        won = race_claimers(app, 6)

        winners = [(run_id, worker) for run_id, worker in won if run_id is not None]
        assert len(won) == 6 and [run_id for run_id, _ in winners] == [run.id]
        claimed = runs(db)[-1]
        assert (claimed.status, claimed.worker) == ("running", winners[0][1])
        with app.app_context(), new_session(write=True) as session:
            session.exec(update(MatchingRun).where(col(MatchingRun.id) == run.id).values(status="done"))  # type: ignore[call-overload]
            session.commit()


def test_a_run_whose_worker_died_fails_with_a_german_message_and_a_new_one_can_start(
    app, coordinator_client, small_pool, db
):
    dead = queue_run(app, claim_as="anderer-rechner:4711:1")
    age_heartbeat(app, dead.id, minutes=5)

    waiting = coordinator_client.get(PAGE).get_data(as_text=True)
    assert (
        background_matching.STALE_ERROR in waiting and "http-equiv" not in waiting
    )  # nothing more to wait for

    coordinator_client.post(PAGE)

    old, new = runs(db)
    assert (old.status, old.error) == ("failed", background_matching.STALE_ERROR)
    assert new.status == "queued"
    page = coordinator_client.get(PAGE).get_data(as_text=True)
    assert f"Die Berechnung vom {old.created_at:%d.%m.%Y %H:%M} ist fehlgeschlagen." in page
    assert "der Hintergrunddienst hat sich nicht mehr gemeldet" in page


def test_a_queued_run_nobody_claims_fails_and_says_that_no_background_service_runs(app, db):
    queued = queue_run(app)
    with app.app_context(), new_session(write=True) as session:
        later = local_now() + timedelta(seconds=float(app.config["MATCHING_QUEUE_SECONDS"]) + 5)
        assert background_matching.expire_stale(session, now=later) == 1
        session.commit()

    [run] = runs(db)
    assert (run.id, run.status, run.error) == (queued.id, "failed", background_matching.UNCLAIMED_ERROR)


def test_the_late_result_of_a_worker_given_up_is_discarded(app, small_pool, db):
    worker = "langsamer-rechner:1:1"
    run = queue_run(app, claim_as=worker)
    age_heartbeat(app, run.id, minutes=5)
    with app.app_context(), new_session(write=True) as session:
        background_matching.expire_stale(session, now=local_now())
        session.commit()

    with app.app_context():
        after = background_matching.execute(run.id, worker=worker)

    assert (after.status, after.result, after.error) == ("failed", {}, background_matching.STALE_ERROR)


def test_the_command_refuses_while_a_run_of_the_pool_is_active(app, small_pool, db):
    queue_run(app)

    result = app.test_cli_runner().invoke(args=["match", "solve"])

    assert result.exit_code == 1
    assert "Für diesen Pool läuft schon eine Berechnung" in result.output
    assert [run.status for run in runs(db)] == ["queued"]


def test_the_progress_of_an_unknown_run_answers_404(coordinator_client):
    assert coordinator_client.get(f"{PAGE}/laeufe/999").status_code == 404


@pytest.fixture
def two_schedulers(app, tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Two `flask jobs scheduler` OS processes with the real matching job on the test's database."""
    env = {**os.environ, FOLDER_VARIABLE: str(tmp_path), DATABASE_VARIABLE: str(app.config["DATABASE_URL"])}
    command = [sys.executable, "-m", "flask", "--app", "tests.coordination.matching_scheduler:create"]
    processes, logs = [], []
    for number in range(2):
        log = tmp_path / f"scheduler-{number}.log"
        with open(log, "wb") as handle:
            processes.append(
                subprocess.Popen(
                    [*command, "jobs", "scheduler"],
                    cwd=ROOT,
                    env=env,
                    stdout=handle,
                    stderr=subprocess.STDOUT,
                )
            )
        logs.append(log)
    for log in logs:
        wait_until(
            lambda log=log: READY in log.read_text(errors="replace"), why=f"{log.name} started", timeout=60
        )
    yield processes
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for log in logs:
        print(log.read_text(errors="replace"))  # shown when the test failed


def test_two_scheduler_processes_solve_each_run_of_the_page_once(
    coordinator_client, small_pool, db, two_schedulers
):
    pids = {str(process.pid) for process in two_schedulers}

    for _ in range(2):
        coordinator_client.post(PAGE)
        wait_until(
            lambda: runs(db)[-1].status == "done", why="a scheduler process solved the run", timeout=60
        )

    first, second = runs(db)
    assert {first.worker.split(":")[1], second.worker.split(":")[1]} <= pids
    assert first.result["assignments"] == second.result["assignments"] != []
    page = coordinator_client.get(PAGE).get_data(as_text=True)
    assert "Olena Nah" in page
