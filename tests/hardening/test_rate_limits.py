"""Abuse limits: a per-IP budget on the public submissions, shared across workers through Redis; size limits."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from sprachmittlerpool import create_app
from sprachmittlerpool.models import InterpretingRequest
from tests.intake.conftest import appointment, count, payload, stored_nothing
from tests.smtp import free_port

REDIS_URI = "redis://127.0.0.1:6379"
ABUSER = "198.51.100.7"
NEIGHBOUR = "203.0.113.9"


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    """Switch the limits on (the suite runs without them) with the production defaults."""
    app_config.update(RATELIMIT_ENABLED=True, RATELIMIT_PUBLIC="10 per minute;100 per day")
    return app_config


def form_data(**overrides: object) -> dict[str, object]:
    """Return what a person fills in on /anfrage (the API's fields, date and times split)."""
    start, end = appointment()
    data = payload(gender_required="", persons="2", idempotency_key=f"form-{uuid.uuid4()}", website="")
    del data["start"], data["end"]
    data |= {"date": f"{start:%Y-%m-%d}", "start_time": f"{start:%H:%M}", "end_time": f"{end:%H:%M}"}
    return data | overrides


def api_post(client: FlaskClient, address: str, **overrides: object):
    return client.post("/api/v1/requests", json=payload(**overrides), environ_base={"REMOTE_ADDR": address})


def form_post(client: FlaskClient, address: str, number: int):
    data = form_data(contact_name=f"Frau Schneider {number}")
    return client.post("/anfrage", data=data, environ_base={"REMOTE_ADDR": address})


def test_the_eleventh_api_submission_in_a_minute_from_one_address_gets_429_in_german(client, db):
    answers = [api_post(client, ABUSER).status_code for _ in range(10)]

    refused = api_post(client, ABUSER)

    assert answers == [201] * 10
    assert refused.status_code == 429
    assert refused.get_json() == {
        "error": "too_many_requests",
        "message": "Zu viele Anfragen. Bitte warten Sie einen Moment.",
    }
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert count(db, InterpretingRequest) == 10
    assert api_post(client, NEIGHBOUR).status_code == 201


def test_the_eleventh_form_submission_in_a_minute_gets_the_german_error_page(client, db):
    answers = [form_post(client, ABUSER, n).status_code for n in range(10)]

    refused = form_post(client, ABUSER, 10)

    assert answers == [302] * 10
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and refused.mimetype == "text/html"
    assert "Zu viele Anfragen" in page and "Traceback" not in page
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert count(db, InterpretingRequest) == 10
    assert form_post(client, NEIGHBOUR, 11).status_code == 302


def test_form_and_api_draw_on_one_budget_so_switching_door_buys_nothing(client):
    for number in range(10):
        form_post(client, ABUSER, number)

    assert api_post(client, ABUSER).status_code == 429


def test_reading_the_form_and_coordinators_work_are_not_limited_by_address(app, client, coordinator_client):
    for number in range(11):
        form_post(client, "127.0.0.1", number)  # the coordinator's address has spent its public budget

    pages = {client.get("/anfrage").status_code for _ in range(15)}
    lists = {coordinator_client.get("/api/v1/requests").status_code for _ in range(15)}
    dashboard = coordinator_client.get("/koordination/")

    assert pages == {200} and lists == {200}
    assert dashboard.status_code == 200


def test_a_limit_the_limiter_cannot_read_stops_the_app_with_one_sentence(app_config):
    app_config["RATELIMIT_PUBLIC"] = "zehn pro Minute"

    with pytest.raises(SystemExit, match="RATELIMIT_PUBLIC"):
        create_app(app_config)


# --- several workers ----------------------------------------------------------------------------


def _redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URI, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def workers(app_config: dict[str, object], app: Flask) -> Iterator[tuple[Flask, Flask]]:
    """Build two apps on the same database and Redis, as two gunicorn workers would be."""
    if not _redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_URI}; CI must provide it")
        pytest.skip(f"Redis is not reachable at {REDIS_URI}")
    prefix = f"test-{uuid.uuid4().hex}"  # this test's own counters in a Redis others may use too
    settings = {**app_config, "RATELIMIT_STORAGE_URI": REDIS_URI, "RATELIMIT_KEY_PREFIX": prefix}
    first, second = create_app(settings), create_app(settings)
    yield first, second
    client = redis.Redis.from_url(REDIS_URI)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    for application in (first, second):
        application.extensions["sqlalchemy_engine"].dispose()


def test_with_redis_two_workers_share_one_budget_per_address(workers):
    first, second = (application.test_client() for application in workers)
    spent = [api_post(first, ABUSER).status_code for _ in range(6)]
    spent += [api_post(second, ABUSER).status_code for _ in range(4)]

    refused = (api_post(first, ABUSER).status_code, api_post(second, ABUSER).status_code)

    assert spent == [201] * 10
    assert refused == (429, 429)
    assert api_post(second, NEIGHBOUR).status_code == 201


def test_with_memory_storage_each_worker_counts_alone_which_is_why_production_needs_redis(app_config, app):
    first, second = create_app(app_config), create_app(app_config)
    try:
        spent = [api_post(first.test_client(), ABUSER).status_code for _ in range(10)]

        other_worker = api_post(second.test_client(), ABUSER).status_code
    finally:
        for application in (first, second):
            application.extensions["sqlalchemy_engine"].dispose()

    assert spent == [201] * 10
    assert other_worker == 201


def test_an_unreachable_limit_storage_falls_back_to_counting_in_memory_instead_of_refusing(
    app_config, request
):
    app_config["RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:{free_port()}"
    client = request.getfixturevalue("client")

    answers = [api_post(client, ABUSER).status_code for _ in range(11)]

    assert answers == [201] * 10 + [429]


# --- size -----------------------------------------------------------------------------------------


def test_a_3_mb_json_body_is_refused_with_413_and_stores_nothing(client, db):
    body = payload(topic="x" * (3 * 1024 * 1024))

    response = client.post("/api/v1/requests", json=body, environ_base={"REMOTE_ADDR": ABUSER})

    assert response.status_code == 413
    assert response.get_json() == {"error": "too_large", "message": "Die gesendeten Daten sind zu groß."}
    assert stored_nothing(db)


def test_a_3_mb_form_post_gets_the_german_413_page_and_stores_nothing(client, db):
    data = form_data(topic="x" * (3 * 1024 * 1024))

    response = client.post("/anfrage", data=data, environ_base={"REMOTE_ADDR": ABUSER})

    assert response.status_code == 413 and "Anfrage zu groß" in response.get_data(as_text=True)
    assert stored_nothing(db)
