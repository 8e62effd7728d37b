"""X-Forwarded-For counts only behind trusted proxies: otherwise anyone could send a fresh address with
every request and never run out of the per-IP budget for public submissions."""

from __future__ import annotations

import pytest
from flask import Flask

from sprachmittlerpool import create_app
from tests.intake.conftest import payload

PROXY = "10.0.0.2"  # what the app sees as the peer when nginx forwards


def submit_as(app: Flask, forwarded_for: str) -> int:
    """Post a request through 'nginx' (the peer address) claiming a client address in X-Forwarded-For."""
    response = app.test_client().post(
        "/api/v1/requests",
        json=payload(),
        headers={"X-Forwarded-For": forwarded_for},
        environ_base={"REMOTE_ADDR": PROXY},
    )
    return response.status_code


@pytest.fixture
def limited_app(app: Flask, app_config: dict[str, object], request: pytest.FixtureRequest):
    """An app with a budget of one submission per address and the given number of trusted proxies.

    It asks for `app` only so the reference data (languages, municipalities) are in the database.
    """
    app = create_app(
        app_config
        | {"RATELIMIT_ENABLED": True, "RATELIMIT_PUBLIC": "1 per minute", "TRUSTED_PROXIES": request.param}
    )
    yield app
    app.extensions["sqlalchemy_engine"].dispose()


@pytest.mark.parametrize("limited_app", [0], indirect=True)
def test_without_trusted_proxies_a_forged_forwarded_for_buys_no_fresh_budget(limited_app) -> None:
    answers = [submit_as(limited_app, "198.51.100.1"), submit_as(limited_app, "198.51.100.2")]

    assert answers == [201, 429]  # both counted against the peer address


@pytest.mark.parametrize("limited_app", [1], indirect=True)
def test_behind_one_trusted_proxy_each_client_address_gets_its_own_budget(limited_app) -> None:
    answers = [
        submit_as(limited_app, "198.51.100.1"),
        submit_as(limited_app, "198.51.100.2"),
        submit_as(limited_app, "198.51.100.1"),
    ]

    assert answers == [201, 201, 429]


@pytest.mark.parametrize("limited_app", [1], indirect=True)
def test_behind_one_proxy_a_client_cannot_prepend_a_fake_address(limited_app) -> None:
    # nginx appends the real peer; only the last entry is the proxy's word, the rest is the client's claim.
    answers = [
        submit_as(limited_app, "1.1.1.1, 198.51.100.1"),
        submit_as(limited_app, "2.2.2.2, 198.51.100.1"),
    ]

    assert answers == [201, 429]


def served_scheme(app: Flask) -> str:
    """Ask the app which URL it believes it is served under, as nginx terminating TLS forwards it."""
    response = app.test_client().get(
        "/api/v1/openapi.json",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.1"},
        environ_base={"REMOTE_ADDR": PROXY},
    )
    return response.get_json()["servers"][0]["url"].split("://")[0]


@pytest.mark.parametrize(("limited_app", "scheme"), [(0, "http"), (1, "https")], indirect=["limited_app"])
def test_https_at_the_proxy_is_recognised_only_when_the_proxy_is_trusted(limited_app, scheme: str) -> None:
    assert served_scheme(limited_app) == scheme
