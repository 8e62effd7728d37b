"""Two real worker processes on one database: what one worker (or the CLI) changes about an account or a token,
the other refuses from its very next request. Nothing about who may log in lives in a worker's memory."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sprachmittlerpool.models import User
from tests.conftest import COORDINATOR_EMAIL, COORDINATOR_PASSWORD, TEST_IBAN_KEY
from tests.settings.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, admin  # noqa: F401 (the admin fixture)
from tests.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).parent / "flask"
TIMEOUT = 10
NEW_PASSWORD = "ein-ganz-neues-passwort"


def _environment(database_url: str, tmp_path: Path, secret_key: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "SPRACHMITTLERPOOL_DATABASE_URL": database_url,
        "SPRACHMITTLERPOOL_SCHEDULER": "false",
        "SPRACHMITTLERPOOL_SECRET_KEY": secret_key,  # one key for all workers, as in production
        "SPRACHMITTLERPOOL_IBAN_KEY": TEST_IBAN_KEY,
        "SPRACHMITTLERPOOL_MAIL_DIR": str(tmp_path / "mail"),
    }


def _wait_until_up(base: str, process: subprocess.Popen) -> bool:
    """Wait for a worker to answer; False if it stopped while starting (its log says why)."""
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            return False
        try:
            requests.get(f"{base}/anmelden", timeout=TIMEOUT)
            return True
        except requests.ConnectionError:  # still importing the app
            assert time.monotonic() < deadline, f"{base} did not start"
            time.sleep(0.2)


def _start_worker(env: dict[str, str], log: Path) -> tuple[str, subprocess.Popen]:
    """Start one `flask serve` on a free port; another test process may take that port first, so try again."""
    for _ in range(3):
        port = free_port()
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [str(FLASK), "--app", "sprachmittlerpool", "serve", "--port", str(port)],
                cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT,
            )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        if _wait_until_up(base, process):
            return base, process
        output = log.read_text(errors="replace")
        assert "Address already in use" in output, f"the worker stopped while starting:\n{output}"
    raise AssertionError("no free port found in three tries")


@pytest.fixture
def workers(app, database_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Start two `flask serve` processes on free ports against the test database; stop them afterwards."""
    env = _environment(database_url, tmp_path, str(app.config["SECRET_KEY"]))
    started: list[tuple[str, subprocess.Popen]] = []
    try:
        for number in range(2):
            started.append(_start_worker(env, tmp_path / f"worker-{number}.log"))
        yield started[0][0], started[1][0]
    finally:
        for _, process in started:
            process.terminate()
        for _, process in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def csrf_token(http: requests.Session, url: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', http.get(url, timeout=TIMEOUT).text)
    assert found, url
    return found.group(1)


def log_in(base: str, email: str, password: str) -> requests.Session:
    """Log in on one worker through the real form (CSRF on, as in production); the session is for that worker only."""
    http = requests.Session()
    token = csrf_token(http, f"{base}/anmelden")
    response = http.post(
        f"{base}/anmelden", data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False, timeout=TIMEOUT,
    )  # fmt: skip
    assert response.status_code == 302, response.text
    return http


def post_confirmed(http: requests.Session, base: str, path: str, **data: str) -> requests.Response:
    token = csrf_token(http, f"{base}{path}")
    return http.post(
        f"{base}{path}", data={**data, "csrf_token": token}, allow_redirects=False, timeout=TIMEOUT
    )


def dashboard(http: requests.Session, base: str) -> int:
    return http.get(f"{base}/koordination/", allow_redirects=False, timeout=TIMEOUT).status_code


def api(base: str, token: str) -> requests.Response:
    return requests.get(
        f"{base}/api/v1/requests", headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
    )


@pytest.mark.usefixtures("admin")
def test_deactivating_or_revoking_on_one_worker_is_refused_at_once_on_the_other(
    app, coordinator: User, workers: tuple[str, str]
) -> None:
    a, b = workers
    runner = app.test_cli_runner()
    token = runner.invoke(args=["tokens", "create", COORDINATOR_EMAIL, "--label", "Skript"]).output.strip()
    on_a = log_in(a, COORDINATOR_EMAIL, COORDINATOR_PASSWORD)
    admin_on_b = log_in(b, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert dashboard(on_a, a) == 200 and api(a, token).status_code == 200

    post_confirmed(admin_on_b, b, f"/einstellungen/konten/{coordinator.id}/deaktivieren")
    session_after_deactivation = dashboard(on_a, a)
    token_after_deactivation = api(a, token)
    runner.invoke(args=["users", "reactivate", COORDINATOR_EMAIL])
    token_after_reactivation = api(a, token).status_code
    token_id = runner.invoke(args=["tokens", "list"]).output.split("\t", 1)[0]
    post_confirmed(admin_on_b, b, f"/einstellungen/api-tokens/{token_id}/widerrufen")
    token_after_revocation = api(a, token)

    assert session_after_deactivation == 302
    assert token_after_deactivation.status_code == 403
    assert token_after_deactivation.json()["error"] == "forbidden"
    assert token_after_reactivation == 200
    assert token_after_revocation.status_code == 401
    assert token_after_revocation.json()["error"] == "unauthorized"


def test_a_password_changed_on_one_worker_ends_the_session_on_the_other(
    coordinator: User, workers: tuple[str, str]
) -> None:
    a, b = workers
    on_a = log_in(a, COORDINATOR_EMAIL, COORDINATOR_PASSWORD)
    on_b = log_in(b, COORDINATOR_EMAIL, COORDINATOR_PASSWORD)

    changed = post_confirmed(
        on_b, b, "/konto/passwort",
        old_password=COORDINATOR_PASSWORD, new_password=NEW_PASSWORD, repeated=NEW_PASSWORD,
    )  # fmt: skip

    assert changed.status_code == 302
    assert dashboard(on_b, b) == 200
    assert dashboard(on_a, a) == 302
    assert dashboard(log_in(a, COORDINATOR_EMAIL, NEW_PASSWORD), a) == 200
