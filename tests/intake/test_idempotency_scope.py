"""An Idempotency-Key is scoped to the caller and the body; it is never a password and never seeds a token.

Same key + same body → the same answer; same key + any other body (even empty) → 422 and nothing stored
or handed out; the status token is random, so knowing the key tells nothing about the link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any

import pytest

from sprachmittlerpool.models import InterpretingRequest, OutboxMail
from tests.hardening.test_rate_limits import form_data
from tests.intake.conftest import count, payload

KEY = "5b0c5e8e-6b43-4c5e-9d1b-0f6d1f0f2a11"


def post(client, data: Any, key: str = KEY, **headers: str):
    return client.post("/api/v1/requests", json=data, headers={"Idempotency-Key": key, **headers})


OTHER_BODIES = [
    pytest.param({}, id="empty-object"),
    pytest.param(payload(topic="Ein anderes Thema"), id="other-topic"),
    pytest.param(payload(contact_email="angreifer@example.org"), id="other-mail"),
    pytest.param({k: v for k, v in payload().items() if k != "topic"}, id="field-left-out"),
    pytest.param(payload(persons=3), id="other-number"),
]


@pytest.mark.parametrize("other", OTHER_BODIES)
def test_the_same_key_with_another_body_is_422_and_hands_out_nothing(client, db, other):
    first = post(client, payload())
    second = post(client, other)

    assert first.status_code == 201
    assert second.status_code == 422
    body = second.get_json()
    assert body["error"] == "idempotency_mismatch" and "Idempotency-Key" in body["message"]
    assert "status_url" not in body and first.get_json()["status_url"] not in second.get_data(as_text=True)
    assert str(first.get_json()["id"]) not in second.get_data(as_text=True)
    assert count(db, InterpretingRequest) == 1 and count(db, OutboxMail) == 1


def test_the_same_key_with_a_non_object_body_is_still_refused_without_the_first_request(client, db):
    first = post(client, payload())
    second = client.post("/api/v1/requests", data="", headers={"Idempotency-Key": KEY})

    assert second.status_code in (400, 422)
    assert first.get_json()["status_url"] not in second.get_data(as_text=True)


def test_the_same_key_and_body_in_another_key_order_gives_the_same_answer(client, db):
    first = post(client, payload())
    reordered = dict(reversed(list(payload().items())))
    second = post(client, reordered)

    assert second.status_code == 201 and second.get_json() == first.get_json()
    assert count(db, InterpretingRequest) == 1


def test_the_status_token_is_random_not_derived_from_the_key(app, client, db):
    """No keyed hash of the client's key under the app's secret is the token, and equal inputs in two
    fresh requests (two keys) never share one."""
    first = post(client, payload()).get_json()["status_url"].rsplit("/", 1)[1]
    second = post(client, payload(), key="another-key").get_json()["status_url"].rsplit("/", 1)[1]
    secret = app.config["SECRET_KEY"].encode()
    derived = hmac.new(secret, b"status-token\x00" + KEY.encode(), hashlib.sha256).digest()

    assert first != base64.urlsafe_b64encode(derived).decode().rstrip("=")
    assert first != second and re.fullmatch(r"[A-Za-z0-9_-]{43,}", first)


def test_an_authenticated_caller_is_not_swallowed_by_a_key_someone_else_sent_first(client, db, api_headers):
    squatter = post(client, payload(topic="vorweg"))
    real = post(client, payload(), **api_headers)

    assert squatter.status_code == 201 and real.status_code == 201
    assert real.get_json()["id"] != squatter.get_json()["id"]
    assert real.get_json()["status_url"] != squatter.get_json()["status_url"]
    assert count(db, InterpretingRequest) == 2


def test_the_form_and_the_api_do_not_share_keys(client, db):
    client.post("/anfrage", data=form_data(idempotency_key=KEY))
    api = post(client, payload(topic="anders"))

    assert api.status_code == 201 and count(db, InterpretingRequest) == 2
