"""The operator's commands: users, tokens, demo data."""

from __future__ import annotations

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
