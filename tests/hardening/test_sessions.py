"""The coordinator's session cookie: how it is signed, which flags it carries, when it ends."""

from __future__ import annotations

import hashlib

import pytest
from flask import Flask
from flask.sessions import session_json_serializer
from itsdangerous import BadSignature, URLSafeTimedSerializer

from sprachmittlerpool.sessions import SESSION_SALT

DASHBOARD = "/koordination/"


def serializer(app: Flask, *, salt: str, digest) -> URLSafeTimedSerializer:
    """Sign and read cookies the way Flask's cookie session does, with a chosen salt and digest."""
    return URLSafeTimedSerializer(
        app.secret_key,
        salt=salt,
        serializer=session_json_serializer,
        signer_kwargs={"key_derivation": "hmac", "digest_method": digest},
    )


def app_signed(app: Flask) -> URLSafeTimedSerializer:
    return serializer(app, salt=SESSION_SALT, digest=hashlib.sha256)


def flask_default(app: Flask) -> URLSafeTimedSerializer:
    return serializer(app, salt="cookie-session", digest=hashlib.sha1)


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_the_login_cookie_is_signed_with_sha256_and_the_apps_own_salt(app, coordinator_client) -> None:
    cookie = session_cookie(coordinator_client)

    payload = app_signed(app).loads(cookie)

    assert payload["_user_id"]
    with pytest.raises(BadSignature):
        flask_default(app).loads(cookie)


def test_a_cookie_signed_the_flask_default_way_leaves_the_user_anonymous(app, coordinator_client) -> None:
    payload = app_signed(app).loads(session_cookie(coordinator_client))

    coordinator_client.set_cookie("session", flask_default(app).dumps(payload))
    refused = coordinator_client.get(DASHBOARD)
    coordinator_client.set_cookie("session", app_signed(app).dumps(payload))
    accepted = coordinator_client.get(DASHBOARD)

    assert refused.status_code == 302 and "/anmelden" in refused.headers["Location"]
    assert accepted.status_code == 200  # the same content, signed the app's way, is a session
