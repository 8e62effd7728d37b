"""flask users create / tokens create."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlmodel import func, select

from sprachmittlerpool import security
from sprachmittlerpool.db import write_session
from sprachmittlerpool.email_address import checked_email
from sprachmittlerpool.models import ApiToken, Role, User
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services.audit import record


@click.group()
def users() -> None:
    """Manage coordinator accounts."""


@users.command("create")
@click.argument("email")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.COORDINATOR.value, show_default=True
)
@click.option("--name", default="", help="Anzeigename")
@click.option("--password-stdin", is_flag=True, help="Passwort von der Standardeingabe lesen")
@with_appcontext
def create_user(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create an account; the password is asked for, or read from stdin."""
    try:
        email = checked_email(email)
    except ValueError:
        raise click.UsageError(f"{email!r} ist keine gültige E-Mail-Adresse.") from None
    password = _read_password(password_stdin)
    with write_session() as db:
        if db.exec(select(User).where(func.lower(User.email) == email)).first():
            raise click.ClickException(f"Ein Konto für {email} gibt es schon.")
        user = User(
            pool_id=current_pool_id(db),
            email=email,
            name=name,
            role=role,
            password_hash=security.hash_password(password),
        )
        db.add(user)
        db.flush()
        record(db, actor="cli", entity="user", entity_id=str(user.id), action="created", to_state=role)
    click.echo(f"Konto {email} ({role}) angelegt.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Passwort", hide_input=True, confirmation_prompt=True)
    if len(password) < security.MIN_PASSWORD_LENGTH:
        raise click.ClickException(
            f"Das Passwort muss mindestens {security.MIN_PASSWORD_LENGTH} Zeichen haben."
        )
    return password


@click.group()
def tokens() -> None:
    """Manage API tokens."""


@tokens.command("create")
@click.argument("email")
@with_appcontext
def create_token(email: str) -> None:
    """Create an API token for an account and print it once (only its hash is stored)."""
    token = security.new_token()
    with write_session() as db:
        user = db.exec(select(User).where(func.lower(User.email) == email.strip().lower())).first()
        if user is None:
            raise click.ClickException(f"Es gibt kein Konto für {email}.")
        db.add(ApiToken(user_id=user.id, token_hash=security.token_hash(token)))
        record(db, actor="cli", entity="user", entity_id=str(user.id), action="token_created")
    click.echo(token)
