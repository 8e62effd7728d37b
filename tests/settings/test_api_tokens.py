"""API tokens without a developer: an admin creates one for an account (shown once, expiring after the pool's
setting) and revokes it after a confirmation; the API refuses expired and revoked tokens and tokens of
deactivated accounts in its documented error format."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from sprachmittlerpool.models import ApiToken, Pool, User, local_now
from sprachmittlerpool.security import new_token, token_hash
from tests.conftest import COORDINATOR_EMAIL
from tests.factories import FIRST_POOL
from tests.settings.conftest import audit_rows

NEW_TOKEN = re.compile(r'id="new-token">([\w\-]+)<')


def coordinator_id(db: Session) -> int:
    db.rollback()
    return db.exec(select(User.id).where(User.email == COORDINATOR_EMAIL)).one()


def create(admin_client, db: Session, label: str = "Fachsoftware Jugendamt") -> str:
    response = admin_client.post(
        "/einstellungen/api-tokens", data={"user_id": coordinator_id(db), "label": label}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    found = NEW_TOKEN.search(response.get_data(as_text=True))
    assert found
    return found.group(1)


def stored(db: Session, **values) -> ApiToken:
    token = ApiToken(user_id=coordinator_id(db), token_hash=token_hash(values.pop("plain")), **values)
    db.add(token)
    db.commit()
    return token


def api(client, token: str):
    return client.get("/api/v1/requests", headers={"Authorization": f"Bearer {token}"})


def test_a_created_token_is_shown_once_opens_the_api_and_expires_after_the_pools_days(
    app, admin_client, coordinator, db
) -> None:
    pool = db.get(Pool, FIRST_POOL)
    pool.api_token_days = 30
    db.commit()

    token = create(admin_client, db)
    listing = admin_client.get("/einstellungen/api-tokens").get_data(as_text=True)

    db.rollback()
    row = db.exec(select(ApiToken)).one()
    assert row.token_hash == token_hash(token) and token not in listing
    assert row.label == "Fachsoftware Jugendamt"
    assert timedelta(days=29, hours=23) < row.expires_at - row.created_at <= timedelta(days=30)
    assert "Fachsoftware Jugendamt" in listing and "gültig" in listing and "Kim Koordination" in listing
    assert api(app.test_client(), token).status_code == 200
    db.rollback()
    assert db.get(ApiToken, row.id).last_used_at is not None
    assert audit_rows(db, "api_token", "created")[0].actor.startswith("user:")


def test_a_token_needs_a_label_and_an_active_account_of_the_pool(admin_client, coordinator, db) -> None:
    no_label = admin_client.post(
        "/einstellungen/api-tokens", data={"user_id": coordinator_id(db), "label": " "}
    )
    no_account = admin_client.post("/einstellungen/api-tokens", data={"user_id": "999", "label": "x"})

    assert no_label.status_code == 422 and "Bezeichnung" in no_label.get_data(as_text=True)
    assert no_account.status_code == 422 and "Konto des Pools" in no_account.get_data(as_text=True)
    db.rollback()
    assert db.exec(select(ApiToken)).all() == []


def test_revoking_asks_first_then_the_api_refuses_the_token_with_its_error_format(
    app, admin_client, coordinator, db
) -> None:
    token = create(admin_client, db)
    db.rollback()
    token_id = db.exec(select(ApiToken.id)).one()

    question = admin_client.get(f"/einstellungen/api-tokens/{token_id}/widerrufen")
    still = api(app.test_client(), token).status_code
    admin_client.post(f"/einstellungen/api-tokens/{token_id}/widerrufen")
    refused = api(app.test_client(), token)

    assert "widerrufen?" in question.get_data(as_text=True) and still == 200
    assert refused.status_code == 401
    assert refused.get_json() == {"error": "unauthorized", "message": "Das Token ist ungültig."}
    assert "widerrufen" in admin_client.get("/einstellungen/api-tokens").get_data(as_text=True)
    assert len(audit_rows(db, "api_token", "revoked")) == 1


def test_an_expired_token_is_refused_and_listed_as_expired(app, admin_client, coordinator, db) -> None:
    plain = new_token()
    stored(db, plain=plain, label="Altlast", expires_at=local_now() - timedelta(minutes=1))

    response = api(app.test_client(), plain)
    listing = admin_client.get("/einstellungen/api-tokens").get_data(as_text=True)

    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert "abgelaufen" in response.get_json()["message"]
    assert re.search(r"Altlast.*?abgelaufen", listing, re.S)


def test_a_token_of_a_deactivated_account_is_refused_with_403(app, admin_client, coordinator, db) -> None:
    token = create(admin_client, db)
    admin_client.post(f"/einstellungen/konten/{coordinator_id(db)}/deaktivieren")

    response = api(app.test_client(), token)

    assert response.status_code == 403
    assert response.get_json() == {"error": "forbidden", "message": "Das Konto ist deaktiviert."}


@pytest.mark.parametrize("header", ["Bearer ", "Basic abc", "Bearer falsch"])
def test_malformed_or_unknown_tokens_are_refused_with_401(app, coordinator, header) -> None:
    response = app.test_client().get("/api/v1/requests", headers={"Authorization": header})

    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
