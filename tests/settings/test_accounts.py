"""Accounts without a developer: an admin invites (the mail's link sets the password and logs in), changes roles,
deactivates and reactivates after a confirmation, and cannot lock the pool out of its last admin; everyone
changes their own password, and a forgotten one is reset through a mail link that works once."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from notifications.relay import deliver_due
from sprachmittlerpool.models import Role, User, local_now
from sprachmittlerpool.security import verify_password
from tests.conftest import COORDINATOR_EMAIL, COORDINATOR_PASSWORD
from tests.settings.conftest import ADMIN_EMAIL, audit_rows

NEW_EMAIL = "neu@kreis-kleve.example"
NEW_PASSWORD = "ein-ganz-neues-passwort"
LINK = re.compile(r"http://localhost(/(?:einladung|passwort-neu)/[\w.\-]+)")


@pytest.fixture
def app_config(app_config, smtp_server):
    """Send the mails to a real SMTP server in this process."""
    app_config.update(smtp_server.config())
    return app_config


def mailed_link(app: Flask, smtp_server, count: int = 1) -> str:
    """Let the relay send the outbox and return the path of the account link in the last mail."""
    deliver_due(app, now=local_now())
    message = smtp_server.wait_for(count)[-1]
    text = message.get_body(("plain",)).get_content()
    found = LINK.search(text)
    assert found, text
    return found.group(1)


def user(db: Session, email: str) -> User:
    db.rollback()
    return db.exec(select(User).where(User.email == email)).one()


def invite(admin_client: FlaskClient, role: str = Role.COORDINATOR) -> None:
    response = admin_client.post(
        "/einstellungen/konten", data={"email": NEW_EMAIL, "name": "Nora Neu", "role": role}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def test_the_accounts_page_lists_accounts_in_german(admin_client, coordinator) -> None:
    html = admin_client.get("/einstellungen/konten").get_data(as_text=True)

    assert "Ada Administration" in html and "Kim Koordination" in html
    assert "Administration" in html and "Koordination" in html
    assert re.search(r"\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} Uhr", html)  # the admin's own last login
    assert "coordinator" not in html.replace('value="coordinator"', "")


def test_an_invited_person_sets_the_password_through_the_mailed_link_and_is_logged_in(
    app, admin_client, db, smtp_server
) -> None:
    invite(admin_client)
    invited = user(db, NEW_EMAIL)
    assert invited.active and not verify_password(invited.password_hash, "")
    path = mailed_link(app, smtp_server)
    assert path.startswith("/einladung/")
    client = app.test_client()

    form = client.get(path)
    done = client.post(path, data={"new_password": NEW_PASSWORD, "repeated": NEW_PASSWORD})

    assert form.status_code == 200 and "Zugang einrichten" in form.get_data(as_text=True)
    assert done.status_code == 302
    assert client.get("/koordination/").status_code == 200
    assert verify_password(user(db, NEW_EMAIL).password_hash, NEW_PASSWORD)
    assert [e.action for e in audit_rows(db, "user") if e.entity_id == str(invited.id)] == [
        "invited",
        "password_set_from_invitation",
        "login",
    ]


def test_an_invitation_link_works_once(app, admin_client, smtp_server) -> None:
    invite(admin_client)
    path = mailed_link(app, smtp_server)
    app.test_client().post(path, data={"new_password": NEW_PASSWORD, "repeated": NEW_PASSWORD})

    again = app.test_client().post(
        path, data={"new_password": "noch-ein-passwort!", "repeated": "noch-ein-passwort!"}
    )

    assert again.status_code == 404
    assert "nicht mehr gültig" in again.get_data(as_text=True)
    login = app.test_client().post("/anmelden", data={"email": NEW_EMAIL, "password": NEW_PASSWORD})
    assert login.status_code == 302


def test_an_invitation_refuses_a_short_or_mismatched_password_and_keeps_the_link(
    app, admin_client, smtp_server
) -> None:
    invite(admin_client)
    path = mailed_link(app, smtp_server)
    client = app.test_client()

    short = client.post(path, data={"new_password": "kurz", "repeated": "kurz"})
    mismatch = client.post(path, data={"new_password": NEW_PASSWORD, "repeated": NEW_PASSWORD + "x"})

    assert short.status_code == 422 and "mindestens 12 Zeichen" in short.get_data(as_text=True)
    assert mismatch.status_code == 422 and "stimmen nicht überein" in mismatch.get_data(as_text=True)
    assert client.get(path).status_code == 200


def test_an_invited_account_cannot_log_in_before_setting_a_password(admin_client, app) -> None:
    invite(admin_client)

    response = app.test_client().post("/anmelden", data={"email": NEW_EMAIL, "password": ""})

    assert response.status_code in {200, 401}
    assert app.test_client().get("/koordination/").status_code == 302


def test_inviting_an_existing_address_or_a_bad_one_is_refused_with_a_message(admin_client, db) -> None:
    taken = admin_client.post(
        "/einstellungen/konten", data={"email": ADMIN_EMAIL, "name": "X", "role": "admin"}
    )
    bad = admin_client.post(
        "/einstellungen/konten", data={"email": "keine-adresse", "name": "X", "role": "admin"}
    )

    assert taken.status_code == 422 and "gibt es schon ein Konto" in taken.get_data(as_text=True)
    assert bad.status_code == 422 and "gültige E-Mail-Adresse" in bad.get_data(as_text=True)
    db.rollback()
    assert len(db.exec(select(User)).all()) == 1


def test_a_role_change_asks_first_and_is_audited(admin_client, coordinator, db) -> None:
    target = user(db, COORDINATOR_EMAIL)
    path = f"/einstellungen/konten/{target.id}/administration"

    question = admin_client.get(path)
    assert user(db, COORDINATOR_EMAIL).role == Role.COORDINATOR
    done = admin_client.post(path, follow_redirects=True)

    assert "zur Administration machen?" in question.get_data(as_text=True)
    assert "gehört jetzt zur Administration" in done.get_data(as_text=True)
    assert user(db, COORDINATOR_EMAIL).role == Role.ADMIN
    (event,) = audit_rows(db, "user", "role_changed")
    assert (event.from_state, event.to_state, event.entity_id) == ("coordinator", "admin", str(target.id))


def test_the_last_active_admin_can_neither_step_down_nor_deactivate_themselves(
    admin_client, admin, db
) -> None:
    demote = admin_client.post(f"/einstellungen/konten/{admin.id}/koordination", follow_redirects=True)
    deactivate = admin_client.post(f"/einstellungen/konten/{admin.id}/deaktivieren", follow_redirects=True)

    for response in (demote, deactivate):
        assert "letzte aktive Administration" in response.get_data(as_text=True)
    me = user(db, ADMIN_EMAIL)
    assert me.role == Role.ADMIN and me.active
    assert audit_rows(db, "user", "role_changed") == [] and audit_rows(db, "user", "deactivated") == []


def test_with_a_second_admin_an_admin_may_step_down(admin_client, admin, coordinator, db) -> None:
    admin_client.post(f"/einstellungen/konten/{user(db, COORDINATOR_EMAIL).id}/administration")

    response = admin_client.post(f"/einstellungen/konten/{admin.id}/koordination")

    assert response.status_code == 302 and response.headers["Location"].endswith("/koordination/")
    assert user(db, ADMIN_EMAIL).role == Role.COORDINATOR
    assert admin_client.get("/einstellungen/konten").status_code == 403


def test_an_invited_admin_who_has_no_password_yet_does_not_count_as_the_other_admin(
    admin_client, admin, db
) -> None:
    invite(admin_client, role=Role.ADMIN)

    admin_client.post(f"/einstellungen/konten/{admin.id}/koordination")

    assert user(db, ADMIN_EMAIL).role == Role.ADMIN


def test_deactivation_ends_the_session_at_once_and_reactivation_lets_the_person_back_in(
    app, admin_client, coordinator_client, coordinator, db
) -> None:
    target = user(db, COORDINATOR_EMAIL)
    assert coordinator_client.get("/koordination/").status_code == 200

    admin_client.post(f"/einstellungen/konten/{target.id}/deaktivieren")
    refused_session = coordinator_client.get("/koordination/")
    refused_login = app.test_client().post(
        "/anmelden", data={"email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD}
    )
    admin_client.post(f"/einstellungen/konten/{target.id}/reaktivieren")
    back = app.test_client().post(
        "/anmelden", data={"email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD}
    )

    assert refused_session.status_code == 302 and "/anmelden" in refused_session.headers["Location"]
    assert refused_login.status_code == 401
    assert back.status_code == 302
    assert [e.action for e in audit_rows(db, "user") if e.actor == f"user:{user(db, ADMIN_EMAIL).id}"] == [
        "login",
        "deactivated",
        "reactivated",
    ]


def test_another_pools_account_is_not_found(admin_client) -> None:
    assert admin_client.get("/einstellungen/konten/999/deaktivieren").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/einstellungen/konten"),
        ("POST", "/einstellungen/konten"),
        ("GET", "/einstellungen/konten/1/deaktivieren"),
        ("POST", "/einstellungen/konten/1/deaktivieren"),
        ("POST", "/einstellungen/konten/1/administration"),
        ("GET", "/einstellungen/api-tokens"),
        ("POST", "/einstellungen/api-tokens"),
        ("GET", "/einstellungen/api-tokens/1/widerrufen"),
        ("POST", "/einstellungen/api-tokens/1/widerrufen"),
    ],
)
def test_a_coordinator_gets_403_on_the_account_and_token_pages_and_changes_nothing(
    coordinator_client, coordinator, db, method, path
) -> None:
    data = {"email": "x@y.example", "name": "X", "role": "admin", "user_id": "1", "label": "x"}

    response = coordinator_client.open(path, method=method, data=data if method == "POST" else None)

    assert response.status_code == 403
    me = user(db, COORDINATOR_EMAIL)
    assert me.role == Role.COORDINATOR and me.active
    assert len(db.exec(select(User)).all()) == 1


def test_everyone_changes_their_own_password_and_their_other_sessions_end(
    app, coordinator_client, coordinator, db
) -> None:
    other_device = app.test_client()
    other_device.post("/anmelden", data={"email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD})
    assert other_device.get("/koordination/").status_code == 200
    assert "Mein Passwort" in coordinator_client.get("/koordination/").get_data(as_text=True)

    response = coordinator_client.post(
        "/konto/passwort",
        data={"old_password": COORDINATOR_PASSWORD, "new_password": NEW_PASSWORD, "repeated": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert coordinator_client.get("/koordination/").status_code == 200  # this session goes on
    assert other_device.get("/koordination/").status_code == 302  # the other one ended
    assert verify_password(user(db, COORDINATOR_EMAIL).password_hash, NEW_PASSWORD)
    assert len(audit_rows(db, "user", "password_changed")) == 1


def test_changing_the_own_password_needs_the_old_one_and_the_minimum_length(coordinator_client, db) -> None:
    wrong_old = coordinator_client.post(
        "/konto/passwort",
        data={"old_password": "falsch", "new_password": NEW_PASSWORD, "repeated": NEW_PASSWORD},
    )
    short = coordinator_client.post(
        "/konto/passwort",
        data={"old_password": COORDINATOR_PASSWORD, "new_password": "kurz", "repeated": "kurz"},
    )

    assert wrong_old.status_code == 422 and "bisherige Passwort stimmt nicht" in wrong_old.get_data(
        as_text=True
    )
    assert short.status_code == 422 and "mindestens 12 Zeichen" in short.get_data(as_text=True)
    assert verify_password(user(db, COORDINATOR_EMAIL).password_hash, COORDINATOR_PASSWORD)


def test_the_own_password_page_needs_a_login(client) -> None:
    response = client.get("/konto/passwort")

    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]


def test_the_forgotten_password_answer_is_the_same_for_known_and_unknown_addresses(
    app, coordinator, smtp_server
) -> None:
    known = app.test_client().post(
        "/passwort-vergessen", data={"email": COORDINATOR_EMAIL}, follow_redirects=True
    )
    unknown = app.test_client().post(
        "/passwort-vergessen", data={"email": "niemand@kreis.example"}, follow_redirects=True
    )

    def answer(response) -> str:
        return re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))

    assert known.status_code == unknown.status_code == 200
    assert answer(known) == answer(unknown)
    assert "Wenn es zu dieser E-Mail-Adresse ein aktives Konto gibt" in answer(known)
    deliver_due(app, now=local_now())
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == COORDINATOR_EMAIL


def test_a_reset_link_sets_a_new_password_once_and_the_old_one_stops_working(
    app, coordinator, db, smtp_server
) -> None:
    assert "Passwort vergessen?" in app.test_client().get("/anmelden").get_data(as_text=True)
    app.test_client().post("/passwort-vergessen", data={"email": COORDINATOR_EMAIL.upper()})
    path = mailed_link(app, smtp_server)
    client = app.test_client()

    done = client.post(path, data={"new_password": NEW_PASSWORD, "repeated": NEW_PASSWORD})
    second = app.test_client().get(path)

    assert path.startswith("/passwort-neu/") and done.status_code == 302
    assert client.get("/koordination/").status_code == 200
    assert second.status_code == 404
    old = app.test_client().post(
        "/anmelden", data={"email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD}
    )
    assert old.status_code == 401
    assert [e.action for e in audit_rows(db, "user", "password_reset")] == ["password_reset"]


def test_a_reset_link_dies_when_the_password_changes_another_way(
    app, coordinator_client, smtp_server
) -> None:
    app.test_client().post("/passwort-vergessen", data={"email": COORDINATOR_EMAIL})
    path = mailed_link(app, smtp_server)
    coordinator_client.post(
        "/konto/passwort",
        data={"old_password": COORDINATOR_PASSWORD, "new_password": NEW_PASSWORD, "repeated": NEW_PASSWORD},
    )

    assert app.test_client().get(path).status_code == 404


def test_a_reset_link_older_than_two_hours_is_refused_as_expired(app, coordinator, db) -> None:
    from itsdangerous import URLSafeTimedSerializer

    from sprachmittlerpool import links
    from sprachmittlerpool.services.accounts import fingerprint

    class TwoHoursAgo(URLSafeTimedSerializer):
        """Sign as a server would have two hours and a minute ago."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            signer_class = self.signer

            class OldSigner(signer_class):  # type: ignore[valid-type, misc]
                def get_timestamp(self) -> int:
                    return super().get_timestamp() - 2 * 3600 - 60

            self.signer = OldSigner

    with app.app_context():
        target = user(db, COORDINATOR_EMAIL)
        salt = links.ACCOUNT_LINKS["reset"][0]
        token = TwoHoursAgo(
            app.config["SECRET_KEY"], salt=salt, signer_kwargs={"digest_method": __import__("hashlib").sha256}
        ).dumps([target.id, fingerprint(target)])

    response = app.test_client().get(f"/passwort-neu/{token}")

    assert response.status_code == 410
    assert "abgelaufen" in response.get_data(as_text=True)


def test_a_tampered_link_and_an_invite_token_used_as_reset_link_are_refused(
    app, admin_client, smtp_server
) -> None:
    invite(admin_client)
    path = mailed_link(app, smtp_server)
    token = path.rsplit("/", 1)[1]

    tampered = app.test_client().get(f"/einladung/{token[:-2]}xy")
    wrong_purpose = app.test_client().get(f"/passwort-neu/{token}")

    assert tampered.status_code == 404 and wrong_purpose.status_code == 404


def test_forgotten_password_requests_are_throttled_like_logins(app, coordinator) -> None:
    client = app.test_client()
    answers = [
        client.post("/passwort-vergessen", data={"email": COORDINATOR_EMAIL}).status_code for _ in range(6)
    ]

    assert answers == [302] * 5 + [429]
    assert "Zu viele Anfragen" in client.post(
        "/passwort-vergessen", data={"email": COORDINATOR_EMAIL}
    ).get_data(as_text=True)


def test_a_new_invitation_replaces_the_old_link(app, admin_client, db, smtp_server) -> None:
    invite(admin_client)
    first = mailed_link(app, smtp_server)
    invited = user(db, NEW_EMAIL)

    question = admin_client.get(f"/einstellungen/konten/{invited.id}/einladung")
    admin_client.post(f"/einstellungen/konten/{invited.id}/einladung")
    second = mailed_link(app, smtp_server, count=2)

    assert "Einladung an Nora Neu neu senden?" in question.get_data(as_text=True)
    assert first != second
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200
    assert len(audit_rows(db, "user", "invited_again")) == 1
