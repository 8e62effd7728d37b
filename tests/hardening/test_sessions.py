"""The coordinator's session cookie: how it is signed, which flags it carries, when it ends."""

from __future__ import annotations

import hashlib
import time

import pytest
from flask import Flask
from flask.sessions import session_json_serializer
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

from sprachmittlerpool import create_app
from sprachmittlerpool.sessions import SESSION_SALT
from tests.conftest import COORDINATOR_EMAIL, COORDINATOR_PASSWORD

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


# --- idle timeout: the cookie's signed timestamp is the last activity ------------------------------


def signed_minutes_ago(app: Flask, payload: dict, minutes: float) -> str:
    """Sign a session the app's way, dated back as if the last request was `minutes` ago."""
    stamp = int(time.time() - minutes * 60)

    class _BackDated(TimestampSigner):
        def get_timestamp(self) -> int:
            return stamp

    backdated = app_signed(app)
    backdated.signer = _BackDated
    return backdated.dumps(payload)


def cookie_age_seconds(app: Flask, cookie: str) -> float:
    _payload, stamp = app_signed(app).loads(cookie, return_timestamp=True)
    return time.time() - stamp.timestamp()


@pytest.mark.parametrize(
    ("idle_minutes", "unused_minutes", "status"),
    [(60, 61, 302), (60, 59, 200), (5, 6, 302), (5, 4, 200)],
)
def test_a_session_unused_longer_than_the_idle_timeout_is_logged_out(
    app_config, coordinator, idle_minutes: int, unused_minutes: int, status: int
) -> None:
    app = create_app(app_config | {"SESSION_IDLE_MINUTES": idle_minutes})
    client = app.test_client()
    client.post("/anmelden", data={"email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD})
    payload = app_signed(app).loads(session_cookie(client))

    client.set_cookie("session", signed_minutes_ago(app, payload, unused_minutes))
    response = client.get(DASHBOARD)
    app.extensions["sqlalchemy_engine"].dispose()

    assert response.status_code == status
    if status == 302:
        assert "/anmelden" in response.headers["Location"]


def test_activity_renews_the_idle_timeout(app, coordinator_client) -> None:
    payload = app_signed(app).loads(session_cookie(coordinator_client))
    coordinator_client.set_cookie("session", signed_minutes_ago(app, payload, 59))

    assert coordinator_client.get(DASHBOARD).status_code == 200

    assert cookie_age_seconds(app, session_cookie(coordinator_client)) < 30 * 60  # re-signed just now
    assert coordinator_client.get(DASHBOARD).status_code == 200


# --- cookie flags --------------------------------------------------------------------------------


def login_set_cookie(app_config: dict[str, object], **overrides: object) -> str:
    """Log in on an app built with these settings and return the session's Set-Cookie header."""
    app = create_app(app_config | overrides)
    response = app.test_client().post(
        "/anmelden", data={"email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD}
    )
    app.extensions["sqlalchemy_engine"].dispose()
    assert response.status_code == 302
    (header,) = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")]
    return header


def cookie_flags(header: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}


def test_the_login_cookie_is_httponly_and_samesite_lax_and_not_secure_over_plain_http(
    app_config, coordinator
) -> None:
    header = login_set_cookie(app_config, BASE_URL="http://127.0.0.1:5000")

    assert "httponly" in cookie_flags(header)
    assert "SameSite=Lax" in header
    assert "secure" not in cookie_flags(header)


def test_the_login_cookie_is_secure_when_the_app_is_served_over_https(app_config, coordinator) -> None:
    header = login_set_cookie(app_config, BASE_URL="https://sprachmittlerpool.kreis-heinsberg.de")

    assert {"secure", "httponly"} <= cookie_flags(header)


@pytest.mark.parametrize(
    ("base_url", "secure"), [("https://pool.example", False), ("http://pool.example", True)]
)
def test_an_explicit_session_cookie_secure_wins_over_the_base_url(
    app_config, coordinator, base_url: str, secure: bool
) -> None:
    header = login_set_cookie(app_config, BASE_URL=base_url, SESSION_COOKIE_SECURE=secure)

    assert ("secure" in cookie_flags(header)) is secure


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("SESSION_COOKIE_SECURE", "vielleicht"),
        ("SESSION_IDLE_MINUTES", 0),
        ("SESSION_ABSOLUTE_HOURS", "zwölf"),
        ("TRUSTED_PROXIES", -1),
    ],
)
def test_an_unusable_session_setting_stops_the_app_with_one_german_sentence(
    app_config, key: str, value: object
) -> None:
    with pytest.raises(SystemExit) as stopped:
        create_app(app_config | {key: value})

    message = str(stopped.value)
    assert message.startswith(f"Konfigurationsfehler: SPRACHMITTLERPOOL_{key} muss ")
    assert message.endswith(f"nicht {value!r}.") and "\n" not in message
