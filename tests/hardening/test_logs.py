"""Link tokens never reach a log: whoever reads the log must not be able to open an offer or a status page.

The app logs paths in two places: the handler of unexpected errors and the access log of `flask serve`.
Both are driven for real here (a view that fails on a missing table, Werkzeug's server over HTTP).
"""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask, request
from sqlalchemy import text

from sprachmittlerpool.cli.serve import dev_server
from sprachmittlerpool.logsafe import mask_tokens

# Fixed tokens of new_token()'s shape: parameter ids must be equal in every test worker (pytest-xdist).
TOKEN = "QLqJ-k5jwufmaexUNo7O5D0miiw0lGmhb49TS26rlvQ"
OTHER = "Zq3b9Kx7_LmN2pQ8rT4vW6yA1cE5gH0jS9uX3zB7dF2"


@pytest.mark.parametrize(
    ("logged", "masked"),
    [
        (f"/o/{TOKEN}", "/o/…"),
        (f"/o/{TOKEN}/accept", "/o/…/accept"),
        (f"/status/{TOKEN}/stornieren", "/status/…/stornieren"),
        (f"/bestaetigung/{TOKEN}", "/bestaetigung/…"),
        (f"/api/v1/requests/status/{TOKEN}", "/api/v1/requests/status/…"),
        (f"/mein-bereich/{TOKEN}", "/mein-bereich/…"),
        (f"/mein-bereich/{TOKEN}/nachweis", "/mein-bereich/…/nachweis"),
        (f"/adresse-bestaetigen/{TOKEN}", "/adresse-bestaetigen/…"),
        (f"/rueckmeldung/{TOKEN}", "/rueckmeldung/…"),
        (f"/anfrage?token={TOKEN}&x=1", "/anfrage?token=[token]&x=1"),
        (f'"GET /o/{TOKEN}?a=1&token={OTHER} HTTP/1.1" 200 -', '"GET /o/…?a=1&token=[token] HTTP/1.1" 200 -'),
    ],
)
def test_every_kind_of_token_link_is_masked(logged: str, masked: str) -> None:
    assert mask_tokens(logged) == masked


def test_paths_without_a_token_are_logged_unchanged() -> None:
    path = "/koordination/anfragen/12/kandidaten?sort=distance"

    assert mask_tokens(path) == path


def test_the_page_that_sends_the_volunteers_link_is_logged_unchanged() -> None:
    assert mask_tokens('"POST /mein-bereich HTTP/1.1" 200 -') == '"POST /mein-bereich HTTP/1.1" 200 -'


@contextmanager
def _table_gone(app: Flask, table: str) -> Iterator[None]:
    """Rename a table away so a real view fails inside the database, then put it back."""
    engine = app.extensions["sqlalchemy_engine"]
    with engine.begin() as connection:
        connection.execute(text(f"ALTER TABLE {table} RENAME TO {table}_away"))
    try:
        yield
    finally:
        engine.dispose()
        with engine.begin() as connection:
            connection.execute(text(f"ALTER TABLE {table}_away RENAME TO {table}"))


def test_an_offer_link_that_fails_logs_masked_path_and_endpoint_but_never_the_token(app, client, caplog):
    with _table_gone(app, "offer"), caplog.at_level(logging.ERROR):
        response = client.get(f"/o/{TOKEN}")

    assert response.status_code in {500, 503}
    assert "Unerwarteter Fehler bei GET /o/… (volunteer.show_offer)" in caplog.text
    assert TOKEN not in caplog.text


def test_a_status_link_that_fails_never_shows_its_token_in_the_log(app, client, caplog):
    with _table_gone(app, "interpreting_request"), caplog.at_level(logging.ERROR):
        response = client.get(f"/status/{TOKEN}?token={OTHER}")

    assert response.status_code in {500, 503}
    assert "GET /status/… (intake.status)" in caplog.text
    assert TOKEN not in caplog.text and OTHER not in caplog.text


def test_a_volunteers_page_link_that_fails_never_shows_its_token_in_the_log(app, client, caplog):
    with _table_gone(app, "volunteer_link"), caplog.at_level(logging.ERROR):
        response = client.get(f"/mein-bereich/{TOKEN}")

    assert response.status_code in {500, 503}
    assert "GET /mein-bereich/… (volunteer.self_page)" in caplog.text
    assert TOKEN not in caplog.text


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    """Run the server `flask serve` builds on a free loopback port."""
    server = dev_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url) as answer:  # noqa: S310 (loopback test server)
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_dev_server_access_log_shows_token_links_masked(served, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")

    statuses = [
        _get(f"{served}/o/{TOKEN}"),
        _get(f"{served}/bestaetigung/{TOKEN}"),
        _get(f"{served}/anfrage?token={OTHER}"),
        _get(f"{served}/mein-bereich/{TOKEN}"),
        _get(f"{served}/adresse-bestaetigen/{TOKEN}"),
    ]

    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert statuses == [404, 404, 200, 404, 404]
    assert any("GET /o/… HTTP/1.1" in line for line in lines), lines
    assert any("GET /bestaetigung/… HTTP/1.1" in line for line in lines), lines
    assert any("GET /anfrage?token=[token] HTTP/1.1" in line for line in lines), lines
    assert any("GET /mein-bereich/… HTTP/1.1" in line for line in lines), lines
    assert any("GET /adresse-bestaetigen/… HTTP/1.1" in line for line in lines), lines
    assert all(TOKEN not in line and OTHER not in line for line in lines), lines


def test_a_token_quoted_in_an_exception_message_is_masked_in_the_traceback(app, client, caplog):
    def failing_link(token: str):
        raise RuntimeError(f"Versand fehlgeschlagen für {request.url}")

    app.add_url_rule("/o/<token>/kaputt", "failing_link", failing_link)  # a view that quotes its own URL
    with caplog.at_level(logging.ERROR):
        response = client.get(f"/o/{TOKEN}/kaputt?token={OTHER}")

    assert response.status_code == 500
    assert "RuntimeError: Versand fehlgeschlagen für http://localhost/o/…/kaputt?token=[token]" in caplog.text
    assert TOKEN not in caplog.text and OTHER not in caplog.text


def test_a_malformed_log_call_still_reaches_the_log_masked_instead_of_raising(app, caplog):
    with caplog.at_level(logging.ERROR):
        app.logger.error(f"Link /o/{TOKEN} mit %s und %s", "nur einem Argument")

    assert "Link /o/… mit %s und %s ('nur einem Argument',)" in caplog.text
    assert TOKEN not in caplog.text
