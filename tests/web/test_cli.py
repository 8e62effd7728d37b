"""The operator's commands: users, tokens, demo data."""

from __future__ import annotations

import pytest
from sqlmodel import select

from sprachmittlerpool.models import ApiToken, AuditEvent, InterpretingRequest, User, Volunteer
from sprachmittlerpool.security import token_hash, verify_password


def test_users_create_reads_the_password_from_stdin(app, db) -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", "Neu@Kreis.example", "--role", "admin", "--password-stdin"],
        input="ein-sehr-langes-passwort\n",
    )

    user = db.exec(select(User)).one()
    assert result.exit_code == 0, result.output
    assert user.email == "neu@kreis.example" and user.role == "admin"
    assert verify_password(user.password_hash, "ein-sehr-langes-passwort")
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "created")).first() is not None


def test_an_admin_does_the_pools_work_and_also_its_settings_a_coordinator_only_the_work(app, db) -> None:
    runner = app.test_cli_runner()
    for email, role in (("chefin@kreis.example", "admin"), ("kim@kreis.example", "coordinator")):
        created = runner.invoke(
            args=["users", "create", email, "--role", role, "--password-stdin"],
            input="ein-sehr-langes-passwort\n",
        )
        assert created.exit_code == 0, created.output
    pages = {}
    for email in ("chefin@kreis.example", "kim@kreis.example"):
        client = app.test_client()
        client.post("/anmelden", data={"email": email, "password": "ein-sehr-langes-passwort"})
        pages[email] = [
            client.get(path).status_code
            for path in ("/koordination/", "/auszahlungen", "/berichte", "/einstellungen/")
        ]

    assert pages["chefin@kreis.example"] == [200, 200, 200, 200]
    assert pages["kim@kreis.example"] == [200, 200, 200, 403]


def test_users_create_refuses_a_short_password_and_a_duplicate(app, coordinator) -> None:
    runner = app.test_cli_runner()

    short = runner.invoke(args=["users", "create", "x@y.example", "--password-stdin"], input="kurz\n")
    duplicate = runner.invoke(
        args=["users", "create", coordinator.email, "--password-stdin"], input="ein-sehr-langes-passwort\n"
    )

    assert short.exit_code != 0 and "mindestens 12 Zeichen" in short.output
    assert duplicate.exit_code != 0 and "gibt es schon" in duplicate.output


def test_tokens_create_prints_a_token_stored_only_as_hash(app, db, coordinator) -> None:
    result = app.test_cli_runner().invoke(args=["tokens", "create", coordinator.email])

    token = result.output.strip()
    stored = db.exec(select(ApiToken)).one()
    assert result.exit_code == 0
    assert len(token) >= 40
    assert stored.token_hash == token_hash(token) and token not in stored.token_hash


def test_a_created_token_opens_the_api(app, client, coordinator) -> None:
    token = app.test_cli_runner().invoke(args=["tokens", "create", coordinator.email]).output.strip()

    with_token = client.get("/api/v1/requests", headers={"Authorization": f"Bearer {token}"})
    with_wrong = client.get("/api/v1/requests", headers={"Authorization": "Bearer falsch"})

    assert with_token.status_code == 200
    assert with_wrong.status_code == 401


def test_seed_demo_loads_a_realistic_pool_once(app, db) -> None:
    runner = app.test_cli_runner()

    first = runner.invoke(args=["seed-demo"])
    volunteers = len(db.exec(select(Volunteer)).all())
    requests = len(db.exec(select(InterpretingRequest)).all())
    second = runner.invoke(args=["seed-demo"])

    assert first.exit_code == 0, first.output
    assert 60 <= volunteers <= 80
    assert "schon vorhanden" in second.output
    assert len(db.exec(select(InterpretingRequest)).all()) == requests


def test_users_list_shows_accounts_in_german(app, coordinator) -> None:
    result = app.test_cli_runner().invoke(args=["users", "list"])

    assert result.exit_code == 0, result.output
    assert (
        result.output
        == f"{coordinator.email}\tKim Koordination\tKoordination\taktiv\tletzte Anmeldung: noch nie\n"
    )


def test_users_deactivate_refuses_the_login_and_reactivate_lets_it_in_again(app, db, coordinator) -> None:
    runner = app.test_cli_runner()
    login = {"email": coordinator.email, "password": "richtig-langes-passwort"}

    off = runner.invoke(args=["users", "deactivate", coordinator.email.upper()])
    refused = app.test_client().post("/anmelden", data=login).status_code
    listed = runner.invoke(args=["users", "list"]).output
    on = runner.invoke(args=["users", "reactivate", coordinator.email])
    admitted = app.test_client().post("/anmelden", data=login).status_code

    assert off.exit_code == 0 and "ist deaktiviert" in off.output
    assert refused == 401 and "\tdeaktiviert\t" in listed
    assert on.exit_code == 0 and "wieder aktiv" in on.output
    assert admitted == 302
    assert [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.actor == "cli")).all()] == [
        "deactivated",
        "reactivated",
    ]


def test_users_deactivate_keeps_the_last_admin(app) -> None:
    runner = app.test_cli_runner()
    runner.invoke(
        args=["users", "create", "chefin@kreis.example", "--role", "admin", "--password-stdin"],
        input="ein-sehr-langes-passwort\n",
    )

    result = runner.invoke(args=["users", "deactivate", "chefin@kreis.example"])

    assert result.exit_code == 1
    assert "letzte aktive Administration" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["users", "deactivate", "niemand@kreis.example"],
        ["users", "reactivate", "niemand@kreis.example"],
        ["tokens", "create", "niemand@kreis.example"],
        ["tokens", "revoke", "999"],
    ],
)
def test_an_unknown_email_or_token_id_ends_with_a_german_message_and_exit_code_1(app, args) -> None:
    result = app.test_cli_runner().invoke(args=args)

    assert result.exit_code == 1
    assert "Es gibt kein" in result.output


def test_tokens_create_with_a_label_then_list_and_revoke(app, db, coordinator) -> None:
    runner = app.test_cli_runner()
    token = runner.invoke(
        args=["tokens", "create", coordinator.email, "--label", "Schulverwaltung"]
    ).output.strip()
    row = db.exec(select(ApiToken)).one()

    listed = runner.invoke(args=["tokens", "list"]).output
    revoked = runner.invoke(args=["tokens", "revoke", str(row.id)])
    again = runner.invoke(args=["tokens", "revoke", str(row.id)])
    after = runner.invoke(args=["tokens", "list"]).output

    assert row.label == "Schulverwaltung" and (row.expires_at - row.created_at).days == 365
    assert listed.startswith(f"{row.id}\t{coordinator.email}\tSchulverwaltung\tgültig bis ")
    assert listed.rstrip().endswith("\tgültig")
    assert revoked.exit_code == 0 and f"Token {row.id} ist widerrufen." in revoked.output
    assert again.exit_code == 0 and "war schon widerrufen" in again.output
    assert after.rstrip().endswith("\twiderrufen")
    response = app.test_client().get("/api/v1/requests", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
