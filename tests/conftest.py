"""Shared fixtures: a real database per test (SQLite always, PostgreSQL when asked), the app, a client,
a logged-in coordinator, a real SMTP server and a live HTTP server.

No rollback-per-test wrapper: tests commit for real, as the app does, so races stay visible.
Set SPRACHMITTLERPOOL_TEST_DATABASE_URL to a PostgreSQL URL to run the suite there (CI does).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import make_url, text

from sprachmittlerpool import create_app, migrate, reference_data
from sprachmittlerpool.db import make_engine, new_session
from sprachmittlerpool.models import User
from sprachmittlerpool.security import hash_password
from tests.factories import FIRST_POOL
from tests.smtp import SmtpSink


def _worker_database(url: str) -> str:
    """Name a PostgreSQL database per pytest-xdist worker (`<name>_gw0` …); `_schema_template` creates it.

    Tests truncate and re-migrate their database, so two workers must never share one.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker:
        return url
    base = make_url(url)
    return base.set(database=f"{base.database}_{worker}").render_as_string(hide_password=False)


def _create_database(url: str) -> None:
    """Create the worker's database through the server's `postgres` database, unless it exists."""
    target = make_url(url)
    admin = make_engine(target.set(database="postgres").render_as_string(hide_password=False))
    with admin.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
        found = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
        )
        if found.first() is None:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


PG_URL = _worker_database(os.environ.get("SPRACHMITTLERPOOL_TEST_DATABASE_URL", ""))
TEST_IBAN_KEY = "mJ0-7eKfH4zQd9o9h2QyJk7o5u0PZ0m7q0m6n2t3s4Q="
COORDINATOR_EMAIL = "koordination@kreis-heinsberg.example"
COORDINATOR_PASSWORD = "richtig-langes-passwort"
SCHEMA_REVISION = "0001"  # the schema; later revisions hold data the per-test truncation removes


def pytest_report_header() -> str:
    """Say which database the suite runs on."""
    return f"database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite (a fresh file per test)'}"


@pytest.fixture(scope="session")
def _schema_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Build the schema once through the real migrations; per-test databases start from it."""
    if PG_URL:
        _create_database(PG_URL)
        engine = make_engine(PG_URL)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        migrate.upgrade(engine)
        engine.dispose()
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return str(path)


@pytest.fixture
def database_url(_schema_template: str, tmp_path: Path) -> str:
    """Return the URL of an empty, fully migrated database for this test."""
    if PG_URL:
        _truncate_all(PG_URL)
        return PG_URL
    target = tmp_path / "test.sqlite"
    shutil.copy(_schema_template, target)
    return f"sqlite:///{target}"


def _truncate_all(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        tables = connection.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename != 'alembic_version'"
            )
        ).scalars()
        names = ", ".join(f'"{name}"' for name in tables)
        connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    # The data migrations' rows (the first pool, the standard languages) went with the truncation:
    # running them again leaves the database as a fresh `db upgrade` would.
    migrate.downgrade(engine, SCHEMA_REVISION)
    migrate.upgrade(engine)
    engine.dispose()


def make_test_config(database_url: str, tmp_path: Path, **overrides: object) -> dict[str, object]:
    """Return the settings tests run with (overrides win)."""
    config: dict[str, object] = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "IBAN_KEY": TEST_IBAN_KEY,
        "SCHEDULER": False,
        "BASE_URL": "http://localhost",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MATCHING_INLINE": True,  # the page's run is solved in the request; test_background_runs takes the real path
    }
    config.update(overrides)
    return config


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, object]:
    """Return the config the `app` fixture uses; tests may change it before asking for `app`."""
    return make_test_config(database_url, tmp_path)


@pytest.fixture
def app(app_config: dict[str, object]) -> Iterator[Flask]:
    """Build the app on the test database with the region's reference data loaded."""
    application = create_app(app_config)
    with application.app_context():
        session = new_session(write=True)
        reference_data.load(session, pool_id=FIRST_POOL)
        session.commit()
        session.close()
    yield application
    application.extensions["sqlalchemy_engine"].dispose()


@pytest.fixture
def db(app: Flask) -> Iterator:
    """Open a session inside an app context for arranging and checking data.

    It begins deferred, so reading here never holds SQLite's write lock while the app under test writes,
    and it is yielded outside any app context, so test-client requests each get their own `g`.
    """
    with app.app_context():
        session = new_session(write=False)
    yield session
    session.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client without cookies of anyone."""
    return app.test_client()


@pytest.fixture
def coordinator_role() -> str:
    """Return the role of the `coordinator` account; sweeps over every page override it with "admin"."""
    return "coordinator"


@pytest.fixture
def coordinator(app: Flask, coordinator_role: str) -> User:
    """Create a coordinator account (with the role `coordinator_role` names)."""
    with app.app_context():
        session = new_session(write=True)
        user = User(
            pool_id=FIRST_POOL,
            email=COORDINATOR_EMAIL,
            name="Kim Koordination",
            role=coordinator_role,
            password_hash=hash_password(COORDINATOR_PASSWORD),
        )
        session.add(user)
        session.commit()
        session.close()
    return user


@pytest.fixture
def coordinator_client(app: Flask, coordinator: User) -> FlaskClient:
    """Return a test client logged in as the coordinator."""
    client = app.test_client()
    response = client.post("/anmelden", data={"email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


OPERATOR_EMAIL = "betrieb@rechenzentrum.example"


@pytest.fixture
def operator_client(app: Flask) -> FlaskClient:
    """Return a test client logged in as the installation's operator (sees only /betrieb/…)."""
    with app.app_context():
        session = new_session(write=True)
        session.add(
            User(pool_id=FIRST_POOL, email=OPERATOR_EMAIL, name="Betrieb", role="operator",
                 password_hash=hash_password(COORDINATOR_PASSWORD))
        )  # fmt: skip
        session.commit()
        session.close()
    client = app.test_client()
    response = client.post("/anmelden", data={"email": OPERATOR_EMAIL, "password": COORDINATOR_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def smtp_server() -> Iterator[SmtpSink]:
    """Run a real SMTP server (aiosmtpd) in this process and collect what arrives."""
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve the app over real HTTP on a free loopback port and return its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def factories(db):
    """Bind the factory-boy builders to the test database and return the module."""
    from tests import factories as module

    module.bind(db)
    return module
