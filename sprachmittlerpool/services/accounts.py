"""Accounts of a pool: invite, change role, deactivate and reactivate, set and reset passwords.

Invitation and reset links need no table: they carry the account id and a fingerprint of its current
password hash (links.py), so setting a password voids every earlier link, and a deactivated account's
link opens nothing. An invited account has an unusable password until its owner sets one.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlmodel import Session, col, func, select

from sprachmittlerpool import links, security
from sprachmittlerpool.email_address import checked_email
from sprachmittlerpool.models import Role, User
from sprachmittlerpool.pools import base_url_of
from sprachmittlerpool.services.audit import record
from sprachmittlerpool.services.mail import queue_mail
from sprachmittlerpool.text_check import text_problem

ROLE_DE = {Role.ADMIN: "Administration", Role.COORDINATOR: "Koordination"}
LAST_ADMIN = (
    "{name} ist die letzte aktive Administration des Pools. Ernennen Sie zuerst ein anderes Konto "
    "zur Administration, sonst kann niemand mehr die Einstellungen und Konten verwalten."
)


class AccountError(Exception):
    """A change of an account that is not allowed; the message is a German sentence for the admin."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message, self.field = message, field


def fingerprint(user: User) -> str:
    """Return the fingerprint of the account's current password hash under the app's secret key."""
    return security.password_fingerprint(user.password_hash, current_app.config["SECRET_KEY"])


def pool_users(session: Session, *, pool_id: int) -> list[User]:
    """Return the pool's accounts, admins first, then by name (the installation's operators are none of them)."""
    statement = select(User).where(User.pool_id == pool_id, User.role != Role.OPERATOR)
    return list(session.exec(statement.order_by(col(User.role), func.lower(User.name), col(User.id))).all())


def user_in_pool(session: Session, *, pool_id: int, user_id: int) -> User | None:
    """Return an account of this pool, or None (another pool's account is as unknown as a missing one)."""
    user = session.get(User, user_id)
    return user if user is not None and user.pool_id == pool_id else None


def operators(session: Session) -> list[User]:
    """Return the installation's operator accounts (they belong to no pool's work)."""
    return list(session.exec(select(User).where(User.role == Role.OPERATOR).order_by(col(User.email))).all())


def user_by_email(session: Session, email: str) -> User | None:
    """Return the account of an e-mail address, in any letter case."""
    return session.exec(select(User).where(func.lower(User.email) == email.strip().lower())).first()


def check_password(password: str, repeated: str) -> str:
    """Return an error sentence for a new password, or "" when it can be used."""
    if len(password) < security.MIN_PASSWORD_LENGTH:
        return f"Das Passwort muss mindestens {security.MIN_PASSWORD_LENGTH} Zeichen haben."
    if len(password) > 200:
        return "Das Passwort darf höchstens 200 Zeichen haben."
    if password != repeated:
        return "Die beiden Eingaben stimmen nicht überein."
    return ""


def invite(
    session: Session, *, pool_id: int, email: str, name: str, role: str, actor: str, now: datetime
) -> User:
    """Create an account without a usable password and mail its owner a link to set one (valid 7 days)."""
    try:
        email = checked_email(email)
    except ValueError:
        raise AccountError("Bitte geben Sie eine gültige E-Mail-Adresse ein.", "email") from None
    if problem := text_problem(name):
        raise AccountError(problem, "name")
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise AccountError("Bitte geben Sie einen Namen mit höchstens 200 Zeichen ein.", "name")
    if role not in ROLE_DE:
        raise AccountError("Bitte wählen Sie eine Rolle.", "role")
    if user_by_email(session, email) is not None:
        raise AccountError(f"Für {email} gibt es schon ein Konto.", "email")
    user = User(
        pool_id=pool_id, email=email, name=name, role=role, password_hash=security.unusable_password_hash()
    )
    session.add(user)
    session.flush()
    record(session, actor=actor, entity="user", entity_id=str(user.id), action="invited", to_state=role)
    _queue_link(session, user, "invite", now=now)
    session.commit()
    return user


def resend_invitation(session: Session, *, pool_id: int, user_id: int, actor: str, now: datetime) -> User:
    """Send a fresh invitation to an account that has not set its password; the older links stop working."""
    user = _active_user(session, pool_id=pool_id, user_id=user_id)
    if security.has_usable_password(user.password_hash):
        raise AccountError(f"{user.name or user.email} hat das Passwort schon selbst gesetzt.")
    user.password_hash = security.unusable_password_hash()
    record(session, actor=actor, entity="user", entity_id=str(user.id), action="invited_again")
    _queue_link(session, user, "invite", now=now)
    session.commit()
    return user


def change_role(session: Session, *, pool_id: int, user_id: int, role: str, actor: str) -> User:
    """Give an account another role; the pool's last active admin keeps theirs."""
    user = _existing(session, pool_id=pool_id, user_id=user_id)
    if role not in ROLE_DE:
        raise AccountError("Bitte wählen Sie eine Rolle.", "role")
    if role == user.role:
        return user
    if user.role == Role.ADMIN:
        _guard_last_admin(session, user)
    record(session, actor=actor, entity="user", entity_id=str(user.id), action="role_changed",
           from_state=user.role, to_state=role)  # fmt: skip
    user.role = role
    session.commit()
    return user


def set_active(session: Session, *, pool_id: int, user_id: int, active: bool, actor: str) -> User:
    """Deactivate an account (its sessions and tokens stop at once) or reactivate it."""
    user = _existing(session, pool_id=pool_id, user_id=user_id)
    if user.active == active:
        return user
    if not active and user.role == Role.ADMIN:
        _guard_last_admin(session, user)
    user.active = active
    record(session, actor=actor, entity="user", entity_id=str(user.id),
           action="reactivated" if active else "deactivated")  # fmt: skip
    session.commit()
    return user


def change_own_password(session: Session, *, user: User, old: str, new: str, repeated: str) -> None:
    """Set a new password after checking the old one; every other session of the account ends."""
    if not security.verify_password(user.password_hash, old):
        raise AccountError("Das bisherige Passwort stimmt nicht.", "old_password")
    problem = check_password(new, repeated)
    if problem:
        raise AccountError(problem, "new_password")
    _set_password(session, user, new, action="password_changed", actor=f"user:{user.id}")


def request_reset(session: Session, *, email: str, remote_addr: str | None, now: datetime) -> bool:
    """Mail a reset link (valid 2 hours) if an active account has this address; say nothing either way.

    Return False when the address or the account asked too often (throttled like the login, in the
    database, so it holds across workers); every request counts, whether the account exists or not.
    """
    config = current_app.config
    window = int(config["LOGIN_WINDOW_MINUTES"])
    keys = [f"reset:{key}" for key in security.throttle_keys(email, remote_addr)]
    if security.is_throttled(
        session, keys, now=now, limit=int(config["LOGIN_MAX_FAILURES"]), window_minutes=window
    ):
        return False
    security.record_failure(session, keys, now=now, window_minutes=window)  # commits
    user = user_by_email(session, email)
    if user is None or not user.active:
        return True
    record(
        session, actor="anonymous", entity="user", entity_id=str(user.id), action="password_reset_requested"
    )
    _queue_link(session, user, "reset", now=now)
    session.commit()
    return True


def user_for_link(session: Session, *, purpose: str, token: str) -> User | None:
    """Return the active account a link was made for, None if forged, used or stale; raise LinkExpired if old."""
    payload = links.account_link_payload(purpose, token)
    if payload is None:
        return None
    user = session.get(User, payload[0])
    if user is None or not user.active or fingerprint(user) != payload[1]:
        return None
    return user


def set_password_from_link(session: Session, *, user: User, purpose: str, new: str, repeated: str) -> None:
    """Set the password a link asked for; the link dies with the old fingerprint."""
    problem = check_password(new, repeated)
    if problem:
        raise AccountError(problem, "new_password")
    action = "password_set_from_invitation" if purpose == "invite" else "password_reset"
    _set_password(session, user, new, action=action, actor=f"user:{user.id}")


def _set_password(session: Session, user: User, password: str, *, action: str, actor: str) -> None:
    user.password_hash = security.hash_password(password)
    record(session, actor=actor, entity="user", entity_id=str(user.id), action=action)
    session.commit()


def _queue_link(session: Session, user: User, purpose: str, *, now: datetime) -> None:
    """Queue the invitation or reset mail; the dedupe key names this password state, so one mail per link."""
    link_fingerprint = fingerprint(user)
    queue_mail(
        session,
        "account_invite" if purpose == "invite" else "password_reset",
        pool_id=user.pool_id,
        recipient=user.email,
        dedupe_key=f"user:{user.id}:{purpose}:{link_fingerprint}:{now:%Y%m%d%H%M%S}",
        context={
            "name": user.name,
            "email": user.email,
            "role": ROLE_DE.get(Role(user.role), user.role),
            "link": links.account_url(base_url_of(session, user.pool_id), purpose, user.id, link_fingerprint),
        },
        now=now,
    )


def _existing(session: Session, *, pool_id: int, user_id: int) -> User:
    user = user_in_pool(session, pool_id=pool_id, user_id=user_id)
    if user is None:
        raise AccountError("Dieses Konto gibt es nicht.")
    return user


def _active_user(session: Session, *, pool_id: int, user_id: int) -> User:
    user = _existing(session, pool_id=pool_id, user_id=user_id)
    if not user.active:
        raise AccountError(f"Das Konto von {user.name or user.email} ist deaktiviert.")
    return user


def _guard_last_admin(session: Session, user: User) -> None:
    """Refuse to take the admin role from the pool's last active admin (nobody could manage the pool)."""
    if not user.active:
        return
    # Lock the pool's admin rows first (PostgreSQL; SQLite's write lock is taken at BEGIN already), so two
    # admins stepping down at once are decided one after the other and cannot both leave.
    session.exec(
        select(User.id).where(User.pool_id == user.pool_id, User.role == Role.ADMIN).with_for_update()
    ).all()
    others = session.exec(
        select(func.count())
        .select_from(User)
        .where(User.pool_id == user.pool_id, User.role == Role.ADMIN, col(User.active), User.id != user.id)
        .where(~col(User.password_hash).startswith(security.UNUSABLE_PREFIX))
    ).one()
    if others == 0:
        raise AccountError(LAST_ADMIN.format(name=user.name or user.email))
