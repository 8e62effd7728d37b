"""Login refusals: nobody can lock a coordinator out from elsewhere, and an unknown e-mail costs the same work.

The lock counts failures per (account, address) and per address: guessing from one address stops there,
while the coordinator at another address still gets in. An unknown, inactive or known account is refused
after one password hash of the same kind — counted through a real wrapper around Werkzeug's check,
never timed.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from sprachmittlerpool import security
from sprachmittlerpool.models import User
from tests.conftest import COORDINATOR_EMAIL, COORDINATOR_PASSWORD

WRONG = "falsch-falsch-falsch"
ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.7"


def attempt(client, email: str, password: str, address: str):
    return client.post(
        "/anmelden", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_failures_from_one_address_do_not_lock_the_account_elsewhere(app, coordinator) -> None:
    attacker = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 2):
        attempt(attacker, COORDINATOR_EMAIL, WRONG, ATTACKER)

    assert attempt(attacker, COORDINATOR_EMAIL, COORDINATOR_PASSWORD, ATTACKER).status_code == 429
    office = app.test_client()
    assert attempt(office, COORDINATOR_EMAIL, COORDINATOR_PASSWORD, OFFICE).status_code == 302


def test_failures_spread_over_many_accounts_still_stop_the_address(app, coordinator) -> None:
    client = app.test_client()
    for number in range(app.config["LOGIN_MAX_FAILURES"]):
        attempt(client, f"person{number}@example.org", WRONG, ATTACKER)

    assert attempt(client, COORDINATOR_EMAIL, COORDINATOR_PASSWORD, ATTACKER).status_code == 429


@pytest.fixture
def hash_checks(monkeypatch) -> list[str]:
    """Count the password hash checks the login makes, passing each to Werkzeug's real check."""
    seen: list[str] = []
    real = security.check_password_hash

    def counting(password_hash: str, password: str) -> bool:
        seen.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(security, "check_password_hash", counting)
    return seen


def method_of(password_hash: str) -> str:
    return password_hash.split("$", 1)[0]


@pytest.mark.parametrize("email", ["niemand@example.org", "NIEMAND@example.org", "x@y.z"])
def test_an_unknown_email_is_refused_after_one_hash_of_the_same_kind(client, coordinator, hash_checks, email):
    response = attempt(client, email, WRONG, OFFICE)

    assert response.status_code == 401
    assert len(hash_checks) == 1 and method_of(hash_checks[0]) == security.PASSWORD_METHOD


def test_a_known_email_with_a_wrong_password_does_the_same_work(client, coordinator, hash_checks) -> None:
    response = attempt(client, COORDINATOR_EMAIL, WRONG, OFFICE)

    assert response.status_code == 401
    assert len(hash_checks) == 1 and method_of(hash_checks[0]) == security.PASSWORD_METHOD


def test_an_inactive_account_does_the_same_work_and_the_same_answer(client, coordinator, db, hash_checks):
    user = db.exec(select(User).where(User.email == COORDINATOR_EMAIL)).one()
    user.active = False
    db.add(user)
    db.commit()

    response = attempt(client, COORDINATOR_EMAIL, COORDINATOR_PASSWORD, OFFICE)

    assert response.status_code == 401
    assert "E-Mail-Adresse oder Passwort ist falsch." in response.get_data(as_text=True)
    assert len(hash_checks) == 1
