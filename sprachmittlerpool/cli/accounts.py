"""flask users create|list|deactivate|reactivate / tokens create|list|revoke (German output, exit 1 on a mistake)."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlmodel import Session, func, select

from sprachmittlerpool import security
from sprachmittlerpool.cli.pools import chosen_pool_id, pool_option
from sprachmittlerpool.db import write_session
from sprachmittlerpool.email_address import checked_email
from sprachmittlerpool.german import moment_short
from sprachmittlerpool.models import Role, User, local_now
from sprachmittlerpool.pools import current_pool_id, first_pool_id, use_pool
from sprachmittlerpool.services import accounts, api_tokens
from sprachmittlerpool.services.audit import record

OPERATOR_DE = "Betrieb (Landesauswertung)"


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
@click.option("--operator", is_flag=True, help="Betrieb der Installation: sieht nur die Landesauswertung")
@with_appcontext
@click.option(
    "--pool", "pool_slug", help="Kurzname des Pools (nur nötig, wenn die Installation mehrere hat)."
)
def create_user(
    email: str, role: str, name: str, password_stdin: bool, operator: bool, pool_slug: str | None
) -> None:
    """Create an account; the password is asked for, or read from stdin. --operator is --role operator.

    An operator account is kept under the first pool's row (every account has one) but sees the whole
    installation, so it needs no --pool.
    """
    role = Role.OPERATOR.value if operator else role
    with write_session() as db:
        use_pool(first_pool_id(db) if operator else chosen_pool_id(db, pool_slug))
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


@users.command("list")
@with_appcontext
@pool_option
def list_users() -> None:
    """Print the pool's accounts: e-mail, name, role, state, last login."""
    with write_session() as db:
        for user in [*accounts.pool_users(db, pool_id=current_pool_id(db)), *accounts.operators(db)]:
            click.echo(
                f"{user.email}\t{user.name}\t{accounts.ROLE_DE.get(Role(user.role), OPERATOR_DE)}\t{_user_state(user)}\t"
                f"letzte Anmeldung: {moment_short(user.last_login_at, 'noch nie')}"
            )


def _user_state(user: User) -> str:
    if not user.active:
        return "deaktiviert"
    return "aktiv" if security.has_usable_password(user.password_hash) else "eingeladen"


@users.command("deactivate")
@click.argument("email")
@with_appcontext
def deactivate_user(email: str) -> None:
    """Deactivate an account: its sessions and API tokens are refused from the next request on."""
    _set_active(email, active=False)
    click.echo(f"Konto {email} ist deaktiviert.")


@users.command("reactivate")
@click.argument("email")
@with_appcontext
def reactivate_user(email: str) -> None:
    """Let a deactivated account log in again."""
    _set_active(email, active=True)
    click.echo(f"Konto {email} ist wieder aktiv.")


def _set_active(email: str, *, active: bool) -> None:
    with write_session() as db:
        user = _user(db, email)
        try:
            accounts.set_active(db, pool_id=user.pool_id, user_id=user.id, active=active, actor="cli")
        except accounts.AccountError as exc:
            raise click.ClickException(exc.message) from None


def _user(db: Session, email: str) -> User:
    user = accounts.user_by_email(db, email)
    if user is None:
        raise click.ClickException(f"Es gibt kein Konto für {email}.")
    return user


@click.group()
def tokens() -> None:
    """Manage API tokens."""


@tokens.command("create")
@click.argument("email")
@click.option("--label", default="Kommandozeile", show_default=True, help="wofür das Token ist")
@with_appcontext
def create_token(email: str, label: str) -> None:
    """Create an API token for an account and print it once (only its hash is stored)."""
    with write_session() as db:
        user = _user(db, email)
        try:
            _token, plain = api_tokens.create_token(
                db, pool_id=user.pool_id, user_id=user.id, label=label, actor="cli", now=local_now()
            )
        except api_tokens.TokenError as exc:
            raise click.ClickException(exc.message) from None
    click.echo(plain)


@tokens.command("list")
@with_appcontext
@pool_option
def list_tokens() -> None:
    """Print the pool's tokens: id, owner, label, expiry, state."""
    with write_session() as db:
        for row in api_tokens.pool_tokens(db, pool_id=current_pool_id(db), now=local_now()):
            click.echo(
                f"{row.token.id}\t{row.owner.email}\t{row.token.label}\t"
                f"gültig bis {moment_short(row.token.expires_at, 'unbegrenzt')}\t{api_tokens.STATE_DE[row.state]}"
            )


@tokens.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
@pool_option
def revoke_token(token_id: int) -> None:
    """Revoke a token for good."""
    with write_session() as db:
        try:
            revoked = api_tokens.revoke(
                db, pool_id=current_pool_id(db), token_id=token_id, actor="cli", now=local_now()
            )
        except api_tokens.TokenError:
            raise click.ClickException(f"Es gibt kein Token mit der Nummer {token_id}.") from None
    click.echo(f"Token {token_id} ist widerrufen." if revoked else f"Token {token_id} war schon widerrufen.")
