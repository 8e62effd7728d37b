"""Backups that restore: taken while requests arrive, restored into a fresh database, and checked.

The backup runs through the real command while a thread keeps submitting requests to the public API;
the restore goes into a database of its own (PostgreSQL: a scratch database, dropped afterwards) and
must hold every request answered with 201 before the backup began, each with its audit row, with the
integrity checks passing and the audit trail still append-only.
"""

from __future__ import annotations

import os
import stat
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import IntegrityError

from sprachmittlerpool import backups, create_app, integrity, migrate
from sprachmittlerpool.backups import libpq_uri
from sprachmittlerpool.db import make_engine
from sprachmittlerpool.integrity import APPEND_ONLY_MESSAGE
from tests.conftest import PG_URL, make_test_config
from tests.intake.conftest import payload

ENOUGH_BEFORE = 3  # requests answered before the backup starts
WAIT_SECONDS = 60  # only a guard against a poster that died: the test never measures time


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[str]:
    """Return a fresh database set up by `db upgrade`, to restore into (PostgreSQL: a scratch database)."""
    if not PG_URL:
        url = f"sqlite:///{tmp_path / 'restored.sqlite'}"
        _upgrade(url)
        yield url
        return
    name = f"restore_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    _upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _upgrade(url: str) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()


def _backup_file(tmp_path: Path) -> Path:
    return tmp_path / "sicherungen" / ("pool.dump" if PG_URL else "pool.sqlite")


def _submitted(engine: Engine) -> tuple[set[str], set[str]]:
    """Return the ids of the requests and the ids the audit trail records as submitted."""
    with engine.connect() as connection:
        requests = {str(i) for i in connection.execute(text("SELECT id FROM interpreting_request")).scalars()}
        audited = connection.execute(
            text("SELECT entity_id FROM audit_event WHERE entity = 'request' AND action = 'submitted'")
        ).scalars()
        return requests, set(audited)


def _count_requests(app: Flask) -> int:
    engine = make_engine(app.config["DATABASE_URL"])
    try:
        return len(_submitted(engine)[0])
    finally:
        engine.dispose()


def _run_backup_while_requests_arrive(app: Flask, target: Path) -> tuple[list[str], list[int], object]:
    """Start posting in a loop, take the backup once some answers came, stop; return what was answered before."""
    answered: list[str] = []
    statuses: list[int] = []
    stop = threading.Event()

    def post_in_a_loop() -> None:
        client = app.test_client()
        while not stop.is_set():
            response = client.post("/api/v1/requests", json=payload())
            statuses.append(response.status_code)
            if response.status_code == 201:
                answered.append(response.get_json()["id"])

    poster = threading.Thread(target=post_in_a_loop)
    poster.start()
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while len(answered) < ENOUGH_BEFORE and poster.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        before = list(answered)
        result = app.test_cli_runner().invoke(args=["backup", "create", "--to", str(target)])
    finally:
        stop.set()
        poster.join()
    return before, statuses, result


def test_a_backup_taken_while_requests_arrive_restores_into_a_fresh_database_that_passes_the_checks(
    app, fresh_url, tmp_path
) -> None:
    target = _backup_file(tmp_path)
    before, statuses, created = _run_backup_while_requests_arrive(app, target)
    assert created.exit_code == 0, created.output
    assert len(before) >= ENOUGH_BEFORE and set(statuses) == {201}
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600

    restored = create_app(make_test_config(fresh_url, tmp_path / "restored"))
    result = restored.test_cli_runner().invoke(args=["backup", "restore", str(target), "--yes"])

    assert result.exit_code == 0, result.output
    assert "✗" not in result.output and "Wiederherstellung abgeschlossen und geprüft." in result.output
    for title in ("Verweise zwischen Tabellen stimmen", "Schutzregeln vorhanden", "Schemaversion aktuell",
                  "Zeilenzahlen wie in der Sicherung"):  # fmt: skip
        assert f"✓ {title}" in result.output
    engine = make_engine(fresh_url)
    requests, audited = _submitted(engine)
    assert set(before) <= requests  # every request answered before the backup began is in it
    assert audited == requests  # and each one with its audit row, none without
    with pytest.raises(IntegrityError, match=APPEND_ONLY_MESSAGE), engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event"))  # the trail is append-only after the restore too
    engine.dispose()
    restored.extensions["sqlalchemy_engine"].dispose()


def test_a_restore_says_what_it_replaces_asks_first_and_then_removes_what_came_after_the_backup(
    app, tmp_path
) -> None:
    client = app.test_client()
    assert client.post("/api/v1/requests", json=payload()).status_code == 201
    runner = app.test_cli_runner()
    created = runner.invoke(args=["backup", "create"])
    assert created.exit_code == 0, created.output
    (target,) = (Path(app.instance_path) / "backups").iterdir()
    assert f"Sicherung geschrieben: {target}" in created.output
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(target.parent).st_mode) == 0o700
    assert client.post("/api/v1/requests", json=payload()).status_code == 201

    refused = runner.invoke(args=["backup", "restore", str(target)], input="n\n")
    assert refused.exit_code != 0
    assert f"wird durch den Stand aus {target} ersetzt" in refused.output
    assert "geht verloren" in refused.output
    assert _count_requests(app) == 2

    restored = runner.invoke(args=["backup", "restore", str(target), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert _count_requests(app) == 1
    assert client.post("/api/v1/requests", json=payload()).status_code == 201  # the app works on


def test_a_file_that_is_no_backup_is_refused_and_changes_nothing(app, tmp_path) -> None:
    assert app.test_client().post("/api/v1/requests", json=payload()).status_code == 201
    not_a_backup = tmp_path / "notizen.txt"
    not_a_backup.write_text("Das ist keine Sicherung.\n" * 200, encoding="utf-8")

    result = app.test_cli_runner().invoke(args=["backup", "restore", str(not_a_backup), "--yes"])

    assert result.exit_code != 0
    assert "Traceback" not in result.output and "Sicherung" in result.output
    assert _count_requests(app) == 1


def test_the_check_after_a_restore_finds_missing_backstops_an_old_schema_and_rows_the_backup_lacks(
    app, fresh_url, tmp_path
) -> None:
    assert app.test_client().post("/api/v1/requests", json=payload()).status_code == 201
    target = _backup_file(tmp_path)
    assert app.test_cli_runner().invoke(args=["backup", "create", "--to", str(target)]).exit_code == 0
    engine = make_engine(fresh_url)
    backups.restore(engine, target)
    assert all(item.ok for item in backups.check(engine, target))

    with engine.begin() as connection:
        integrity.uninstall(connection)
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        connection.execute(text("INSERT INTO audit_event (at, actor, entity, entity_id, action, detail)"
                                " VALUES ('2030-01-01 09:00:00', 'console', 'request', '1', 'x', '{}')"))  # fmt: skip
    failed = {item.title: item.detail for item in backups.check(engine, target) if not item.ok}
    engine.dispose()

    assert set(failed) == {
        "Schutzregeln vorhanden",
        "Schemaversion aktuell",
        "Zeilenzahlen wie in der Sicherung",
    }
    assert "db upgrade" in failed["Schemaversion aktuell"]
    assert failed["Zeilenzahlen wie in der Sicherung"].startswith("audit_event: 2 statt 1")


def test_the_tools_get_a_libpq_address_without_the_password() -> None:
    url = make_url("postgresql+psycopg://pool:geheim@db.kreis.example:5433/pool?sslmode=require")
    assert libpq_uri(url) == "postgresql://pool@db.kreis.example:5433/pool?sslmode=require"
