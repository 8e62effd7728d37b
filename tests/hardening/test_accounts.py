"""Coordinator accounts: passwords stored with scrypt, no account anyone could know in advance."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from flask import Flask
from sqlmodel import Session, func, select

from sprachmittlerpool import create_app, demo, migrate, reference_data
from sprachmittlerpool.db import make_engine, new_session
from sprachmittlerpool.models import ApiToken, User
from sprachmittlerpool.security import verify_password
from tests.conftest import PG_URL, _truncate_all, make_test_config
from tests.factories import FIRST_POOL

PASSWORD = "ein-sehr-langes-passwort"


def create_account(app: Flask, email: str = "neu@kreis.example") -> str:
    """Create an account the way an operator does and return its stored hash."""
    result = app.test_cli_runner().invoke(
        args=["users", "create", email, "--password-stdin"], input=f"{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    with app.app_context(), new_session(write=False) as session:
        return session.exec(select(User.password_hash).where(User.email == email)).one()


def test_a_password_is_stored_as_salted_scrypt_that_checking_recomputes(app) -> None:
    stored = create_account(app)
    method, salt, digest = stored.split("$")

    recomputed = hashlib.scrypt(
        PASSWORD.encode(), salt=salt.encode(), n=32768, r=8, p=1, maxmem=132 * 32768 * 8
    )

    assert method == "scrypt:32768:8:1"  # memory-hard, N = 2**15
    assert len(salt) >= 16 and PASSWORD not in stored
    assert recomputed.hex() == digest
    assert verify_password(stored, PASSWORD) and not verify_password(stored, PASSWORD + "!")
    assert create_account(app, "zweite@kreis.example") != stored  # the salt differs per account


def test_a_freshly_migrated_database_has_no_account_and_no_api_token(
    database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(database_url)
    migrate.downgrade(engine, "base")
    migrate.upgrade(engine)
    with Session(engine) as session:
        accounts = session.exec(select(func.count()).select_from(User)).one()
        tokens = session.exec(select(func.count()).select_from(ApiToken)).one()
    engine.dispose()
    app = create_app(make_test_config(database_url, tmp_path))
    guesses = [
        app.test_client().post("/anmelden", data={"email": email, "password": password}).status_code
        for email, password in [("admin@localhost", "admin"), (demo.DEMO_EMAIL, "demo"), ("admin", "admin")]
    ]
    app.extensions["sqlalchemy_engine"].dispose()

    assert (accounts, tokens) == (0, 0)
    assert set(guesses) <= {200, 401}  # the form again (200: not even an e-mail address), never a login
    assert 302 not in guesses


def seeded_password(template: str, folder: Path) -> tuple[str, str]:
    """Seed a small demo pool into a fresh database; return the password shown and the hash stored."""
    url = PG_URL
    if PG_URL:
        _truncate_all(PG_URL)
    else:
        shutil.copy(template, folder.with_suffix(".sqlite"))
        url = f"sqlite:///{folder.with_suffix('.sqlite')}"
    app = create_app(make_test_config(url, folder))
    with app.app_context():
        with new_session(write=True) as session:
            reference_data.load(session, pool_id=FIRST_POOL)
            session.commit()
        demo.seed(months=0)
        shown = demo.demo_login_path().read_text().split()[1]
        with new_session(write=False) as session:
            stored = session.exec(select(User.password_hash).where(User.email == demo.DEMO_EMAIL)).one()
    app.extensions["sqlalchemy_engine"].dispose()
    return shown, stored


def test_each_demo_install_gets_its_own_random_coordinator_password(
    _schema_template: str, tmp_path: Path
) -> None:
    first_shown, first_stored = seeded_password(_schema_template, tmp_path / "erste")
    second_shown, second_stored = seeded_password(_schema_template, tmp_path / "zweite")

    assert first_shown != second_shown
    assert len(first_shown) >= 16 and len(second_shown) >= 16
    assert verify_password(first_stored, first_shown) and verify_password(second_stored, second_shown)
    assert not verify_password(second_stored, first_shown)
