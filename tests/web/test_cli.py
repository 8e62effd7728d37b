"""The operator's commands: users, tokens, demo data."""

from __future__ import annotations

from sqlmodel import select

from sprachmittlerpool.models import ApiToken, AuditEvent, InterpretingRequest, User, Volunteer
from sprachmittlerpool.security import hash_password, token_hash, verify_password


def test_users_create_reads_the_password_from_stdin(app, db) -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", "Neu@Kreis.example", "--role", "coordinator", "--password-stdin"],
        input="ein-sehr-langes-passwort\n",
    )

    user = db.exec(select(User)).one()
    assert result.exit_code == 0, result.output
    assert user.email == "neu@kreis.example" and user.role == "coordinator"
    assert verify_password(user.password_hash, "ein-sehr-langes-passwort")
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "created")).first() is not None


def test_users_create_offers_no_admin_role_because_every_account_has_the_same_rights(app, db) -> None:
    runner = app.test_cli_runner()

    admin = runner.invoke(
        args=["users", "create", "chefin@kreis.example", "--role", "admin", "--password-stdin"],
        input="ein-sehr-langes-passwort\n",
    )
    plain = runner.invoke(
        args=["users", "create", "kim@kreis.example", "--password-stdin"], input="ein-sehr-langes-passwort\n"
    )

    assert admin.exit_code == 2 and "admin" in admin.output
    assert [(u.email, u.role) for u in db.exec(select(User)).all()] == [("kim@kreis.example", "coordinator")]
    assert plain.exit_code == 0


def test_an_account_stored_as_admin_by_an_earlier_version_logs_in_like_any_coordinator(app, db) -> None:
    db.add(
        User(email="alt@kreis.example", role="admin", password_hash=hash_password("ein-sehr-langes-passwort"))
    )
    db.commit()
    client = app.test_client()

    login = client.post(
        "/anmelden", data={"email": "alt@kreis.example", "password": "ein-sehr-langes-passwort"}
    )

    assert login.status_code == 302
    assert client.get("/koordination/").status_code == 200


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
