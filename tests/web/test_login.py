"""Coordinator login: right and wrong passwords, throttling, session handling, no open redirect."""

from __future__ import annotations

from tests.conftest import COORDINATOR_EMAIL, COORDINATOR_PASSWORD


def test_dashboard_requires_login(client) -> None:
    response = client.get("/koordination/")

    assert response.status_code == 302
    assert "/anmelden" in response.headers["Location"]


def test_right_password_opens_the_dashboard(client, coordinator) -> None:
    response = client.post("/anmelden", data={"email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD})

    assert response.status_code == 302
    assert client.get("/koordination/").status_code == 200


def test_wrong_password_is_refused_with_a_german_message(client, coordinator) -> None:
    response = client.post("/anmelden", data={"email": COORDINATOR_EMAIL, "password": "falsch-falsch-falsch"})

    assert response.status_code == 401
    assert "E-Mail-Adresse oder Passwort ist falsch." in response.get_data(as_text=True)
    assert client.get("/koordination/").status_code == 302


def test_login_is_throttled_after_five_failures_even_with_the_right_password(client, coordinator) -> None:
    for _ in range(5):
        client.post("/anmelden", data={"email": COORDINATOR_EMAIL, "password": "falsch-falsch-falsch"})

    response = client.post("/anmelden", data={"email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD})

    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.get_data(as_text=True)


def test_the_throttle_message_names_the_configured_window(app_config, request) -> None:
    app_config.update(LOGIN_MAX_FAILURES=2, LOGIN_WINDOW_MINUTES=30)
    request.getfixturevalue("coordinator")
    client = request.getfixturevalue("app").test_client()
    for _ in range(2):
        client.post("/anmelden", data={"email": COORDINATOR_EMAIL, "password": "falsch-falsch-falsch"})

    response = client.post("/anmelden", data={"email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD})

    assert response.status_code == 429
    assert "Bitte warten Sie 30 Minuten." in response.get_data(as_text=True)


def test_throttling_holds_across_clients_of_the_same_account(app, coordinator) -> None:
    for _ in range(5):
        app.test_client().post("/anmelden", data={"email": COORDINATOR_EMAIL, "password": "nein-nein-nein"})

    response = app.test_client().post(
        "/anmelden", data={"email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD}
    )

    assert response.status_code == 429


def test_login_starts_a_fresh_session(client, coordinator) -> None:
    with client.session_transaction() as session:
        session["planted"] = "vorher"

    client.post("/anmelden", data={"email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD})

    with client.session_transaction() as session:
        assert "planted" not in session
        assert "login_at" in session


def test_next_parameter_cannot_redirect_to_another_site(client, coordinator) -> None:
    response = client.post(
        "/anmelden?next=//evil.example/phish",
        data={"email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD},
    )

    assert response.headers["Location"].endswith("/koordination/")


def test_session_ends_after_the_absolute_lifetime(client, coordinator) -> None:
    client.post("/anmelden", data={"email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD})
    with client.session_transaction() as session:
        session["login_at"] = "2000-01-01T08:00:00"

    response = client.get("/koordination/")

    assert response.status_code == 302


def test_logout_needs_post_and_ends_the_session(coordinator_client) -> None:
    assert coordinator_client.get("/abmelden").status_code == 405

    coordinator_client.post("/abmelden")

    assert coordinator_client.get("/koordination/").status_code == 302


def test_a_cookie_copied_before_logout_is_refused_afterwards_and_a_new_login_works(app, coordinator) -> None:
    browser = app.test_client()
    browser.post("/anmelden", data={"email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD})
    copied = browser.get_cookie("session").value
    elsewhere = app.test_client()
    elsewhere.post("/anmelden", data={"email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD})

    browser.post("/abmelden")
    replayed = app.test_client()
    replayed.set_cookie("session", copied)

    assert replayed.get("/koordination/").status_code == 302
    assert elsewhere.get("/koordination/").status_code == 302  # logging out ends every session of the account
    browser.post("/anmelden", data={"email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD})
    assert browser.get("/koordination/").status_code == 200


def test_login_form_rejects_a_post_without_csrf_token_when_csrf_is_on(app_config, coordinator) -> None:
    from sprachmittlerpool import create_app

    app_config["WTF_CSRF_ENABLED"] = True
    app = create_app(app_config)
    client = app.test_client()

    response = client.post("/anmelden", data={"email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD})
    dashboard = client.get("/koordination/")
    app.extensions["sqlalchemy_engine"].dispose()

    assert response.status_code == 400
    assert "Formular ist abgelaufen" in response.get_data(as_text=True)
    assert dashboard.status_code == 302
