"""gunicorn's own access log, switched on as an operator would, never shows a link token."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import requests

from sprachmittlerpool.ibans import new_key
from sprachmittlerpool.security import new_token
from tests.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _environment(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "SPRACHMITTLERPOOL_DATABASE_URL": f"sqlite:///{tmp_path / 'pool.sqlite'}",
        "SPRACHMITTLERPOOL_SCHEDULER": "false",
        "SPRACHMITTLERPOOL_SECRET_KEY": new_key(),  # given, so the checkout's instance/ stays untouched
        "SPRACHMITTLERPOOL_IBAN_KEY": new_key(),
        "SPRACHMITTLERPOOL_MAIL_DIR": str(tmp_path / "mail"),
    }


def _access_log(env: dict[str, str], log: Path, *settings: str) -> str:
    """Serve with gunicorn, open three token links, stop it, and return the access log with the token marked."""
    port, token = free_port(), new_token()
    command = [
        str(BIN / "gunicorn"),
        *settings,
        "-w",
        "1",
        "-b",
        f"127.0.0.1:{port}",
        "--access-logfile",
        str(log),
    ]
    server = subprocess.Popen(
        [*command, "sprachmittlerpool:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _visit_links(f"http://127.0.0.1:{port}", token)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return log.read_text().replace(token, "<TOKEN>")


def _visit_links(base: str, token: str) -> None:
    # Generous limits: they only stop a hang; a loaded CI machine takes its time to import the app.
    deadline = time.monotonic() + 90
    while True:
        try:
            requests.get(f"{base}/o/{token}", timeout=60)
            break
        except requests.ConnectionError:  # the worker is still importing the app
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
    requests.get(f"{base}/status/{token}?token={token}", timeout=60)
    requests.get(f"{base}/", headers={"Referer": f"{base}/bestaetigung/{token}"}, timeout=60)


def test_the_shipped_gunicorn_settings_mask_tokens_in_the_access_log(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    subprocess.run(
        [str(BIN / "flask"), "--app", "sprachmittlerpool", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )

    masked = _access_log(env, tmp_path / "masked.log", "-c", "python:sprachmittlerpool.gunicorn_conf")
    plain = _access_log(env, tmp_path / "plain.log")

    assert masked.count("\n") == 3 and "<TOKEN>" not in masked
    assert "/o/…" in masked and "/status/…?token=[token]" in masked and "/bestaetigung/…" in masked
    assert "<TOKEN>" in plain  # gunicorn alone writes the token: the shipped settings are what protects
