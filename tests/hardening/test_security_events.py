"""Refused CSRF tokens, rate-limit refusals and failed logins leave a row in the audit trail.

The rows carry time, address, endpoint and URL rule, never a token, a form value or a password;
they are committed on their own, although the refused request keeps nothing, and a flood from
one address writes one row a minute per action.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from flask import Flask
from sqlmodel import Session, select

from sprachmittlerpool.models import AuditEvent, local_now
from sprachmittlerpool.security import new_token
from sprachmittlerpool.services.audit import record
from tests.conftest import COORDINATOR_EMAIL
from tests.intake.conftest import fresh, payload

ATTACKER = "198.51.100.23"
NEIGHBOUR = "203.0.113.41"
WRONG_PASSWORD = "falsches-passwort-4711"


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    """Switch the per-address limit on, at one public submission a minute so the second is refused."""
    app_config.update(RATELIMIT_ENABLED=True, RATELIMIT_PUBLIC="1 per minute")
    return app_config


@pytest.fixture
def csrf_on(app: Flask) -> None:
    """Check CSRF tokens as production does (the suite switches it off; it is read per request)."""
    app.config["WTF_CSRF_ENABLED"] = True


def events(db: Session, action: str) -> list[AuditEvent]:
    """Return the audit rows of one action, fresh from the database."""
    return list(fresh(db).exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def as_text(rows: list[AuditEvent]) -> str:
    """Put every stored field of the rows into one string, to look for what must not be there."""
    fields = [
        [r.at.isoformat(), r.actor, r.entity, r.entity_id, r.from_state, r.to_state, r.detail] for r in rows
    ]
    return json.dumps(fields, ensure_ascii=False)


def submit(client, address: str):
    return client.post("/api/v1/requests", json=payload(), environ_base={"REMOTE_ADDR": address})


def test_a_post_without_csrf_token_is_refused_and_recorded_with_address_and_endpoint(client, db, csrf_on):
    before = local_now()

    response = client.post(
        "/anmelden",
        data={"email": COORDINATOR_EMAIL, "password": WRONG_PASSWORD},
        environ_base={"REMOTE_ADDR": ATTACKER},
    )

    assert response.status_code == 400
    [row] = events(db, "csrf_failed")
    assert (row.actor, row.entity, row.entity_id) == (f"ip:{ATTACKER}", "endpoint", "auth.login")
    assert row.detail == {"method": "POST", "rule": "/anmelden"}
    assert row.at >= before.replace(microsecond=0)
    assert WRONG_PASSWORD not in as_text([row])


def test_a_password_typed_into_the_e_mail_field_never_reaches_the_trail(client, db, coordinator):
    typed = "mein-Geheimnis-2026!"

    response = client.post(
        "/anmelden", data={"email": typed, "password": WRONG_PASSWORD}, environ_base={"REMOTE_ADDR": ATTACKER}
    )

    assert response.status_code == 401
    rows = events(db, "login_failed")
    assert [(row.actor, row.entity_id) for row in rows] == [(f"ip:{ATTACKER}", "unbekannt")]
    assert typed.lower() not in as_text(rows).lower()


def test_a_refused_post_on_a_token_link_records_the_url_rule_but_not_the_token(client, db, csrf_on):
    token = new_token()

    response = client.post(
        f"/o/{token}/decline", data={"reason": "krank"}, environ_base={"REMOTE_ADDR": ATTACKER}
    )

    assert response.status_code == 400
    rows = events(db, "csrf_failed")
    assert [row.detail["rule"] for row in rows] == ["/o/<token>/decline"]
    assert token not in as_text(rows) and "krank" not in as_text(rows)


def test_a_flood_of_csrf_failures_from_one_address_writes_one_row_a_minute(client, db, csrf_on):
    for _ in range(12):
        client.post("/anmelden", data={"email": "x@example.org"}, environ_base={"REMOTE_ADDR": ATTACKER})
    client.post("/anmelden", data={"email": "x@example.org"}, environ_base={"REMOTE_ADDR": NEIGHBOUR})

    assert sorted(row.actor for row in events(db, "csrf_failed")) == [f"ip:{ATTACKER}", f"ip:{NEIGHBOUR}"]


def test_a_flood_past_the_rate_limit_is_refused_with_429_and_recorded_once_per_address(client, db):
    answers = [submit(client, ATTACKER).status_code for _ in range(15)]
    submit(client, NEIGHBOUR), submit(client, NEIGHBOUR)

    assert answers == [201] + [429] * 14
    rows = events(db, "rate_limited")
    assert sorted(row.actor for row in rows) == [f"ip:{ATTACKER}", f"ip:{NEIGHBOUR}"]
    assert {row.entity_id for row in rows} == {"api.submit_request"}
    assert {json.dumps(row.detail) for row in rows} == {
        json.dumps({"method": "POST", "rule": "/api/v1/requests"})
    }


def test_a_rate_limit_row_older_than_a_minute_does_not_silence_the_next_refusal(client, db):
    old = record(
        db, actor=f"ip:{ATTACKER}", entity="endpoint", entity_id="api.submit_request", action="rate_limited"
    )
    old.at = local_now() - timedelta(minutes=2)
    db.commit()

    submit(client, ATTACKER), submit(client, ATTACKER), submit(client, ATTACKER)

    assert len(events(db, "rate_limited")) == 2


def test_a_logged_in_coordinator_over_the_public_limit_is_recorded_although_the_request_rolls_back(
    coordinator_client, db
):
    """The refused request's session already holds SQLite's write lock; the event must not wait for it."""
    answers = [submit(coordinator_client, "127.0.0.1").status_code for _ in range(2)]

    assert answers == [201, 429]
    assert [row.actor for row in events(db, "rate_limited")] == ["ip:127.0.0.1"]


def test_a_failed_login_is_recorded_with_address_and_account_but_not_the_password(client, db, coordinator):
    response = client.post(
        "/anmelden",
        data={"email": COORDINATOR_EMAIL, "password": WRONG_PASSWORD},
        environ_base={"REMOTE_ADDR": ATTACKER},
    )

    assert response.status_code == 401
    [row] = events(db, "login_failed")
    assert (row.actor, row.entity, row.entity_id) == (f"ip:{ATTACKER}", "user", COORDINATOR_EMAIL[:40])
    assert row.detail == {"method": "POST", "rule": "/anmelden"}
    assert WRONG_PASSWORD not in as_text([row])


def test_an_api_write_by_session_without_csrf_token_is_refused_and_recorded(coordinator_client, db, csrf_on):
    response = coordinator_client.post("/api/v1/matching/proposals", json={})

    assert response.status_code == 403 and response.get_json()["error"] == "csrf"
    [row] = events(db, "csrf_failed")
    assert row.detail == {"method": "POST", "rule": "/api/v1/matching/proposals"}
