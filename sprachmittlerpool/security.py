"""Passwords, opaque tokens and login throttling."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from functools import cache

from sqlmodel import Session, col, delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from sprachmittlerpool.models import LoginFailure

PASSWORD_METHOD = "scrypt:32768:8:1"  # noqa: S105 (a hashing method, not a password)
MIN_PASSWORD_LENGTH = 12
UNUSABLE_PREFIX = "!"  # Werkzeug's check fails on a hash without "$": nobody can log in with it
TOKEN_BYTES = 32  # 256 bits from secrets: well above the 128 bits the guide asks for


def hash_password(password: str) -> str:
    """Hash a password with scrypt (memory-hard, Werkzeug's strongest built-in)."""
    return generate_password_hash(password, method=PASSWORD_METHOD)


def verify_password(password_hash: str, password: str) -> bool:
    """Check a password against its hash in constant time."""
    return check_password_hash(password_hash, password)


def unusable_password_hash() -> str:
    """Return a stored hash no password matches: an invited account logs in only after setting its own.

    It is random, so each invitation has its own fingerprint and a new one voids the links of the last.
    """
    return f"{UNUSABLE_PREFIX}{secrets.token_hex(16)}"


def has_usable_password(password_hash: str) -> bool:
    """Tell whether an account has set a password (an invited one has not yet)."""
    return not password_hash.startswith(UNUSABLE_PREFIX)


def password_fingerprint(password_hash: str, secret_key: str | bytes) -> str:
    """Return a keyed digest of the stored hash: it changes with every new password, and shows nothing of it.

    Sessions and reset links carry it, so a password change ends other sessions and voids old links.
    """
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(key, password_hash.encode(), hashlib.sha256).hexdigest()[:32]


def new_token() -> str:
    """Return a fresh URL-safe token for a link or the API."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """Hash a token for storage, so a copy of the database opens no link."""
    return hashlib.sha256(token.encode()).hexdigest()


def throttle_keys(email: str, remote_addr: str | None) -> list[str]:
    """Throttle per (account, address) and per address.

    Never per account alone: then anyone anywhere could lock a coordinator out by typing wrong passwords.
    A spray over many accounts from one address stops at the address key; a focused guess at the pair.
    """
    address = remote_addr or "unknown"
    return [f"account:{email.strip().lower()}|ip:{address}", f"ip:{address}"]


@cache
def _dummy_hash() -> str:
    """A hash of a random password made the same way as real ones, checked for unknown accounts."""
    return hash_password(secrets.token_urlsafe(TOKEN_BYTES))


def check_login(password_hash: str | None, password: str) -> bool:
    """Check a password with the same work whether the account exists or not (None: no account).

    An unknown e-mail is checked against a dummy hash of the same method, so refusing it costs as much
    as refusing a wrong password and the answer's timing tells nothing about which accounts exist.
    """
    matches = verify_password(password_hash or _dummy_hash(), password)
    return matches and password_hash is not None


def is_throttled(
    session: Session, keys: list[str], *, now: datetime, limit: int, window_minutes: int
) -> bool:
    """Tell whether any key had `limit` failures within the window."""
    since = now - timedelta(minutes=window_minutes)
    statement = (
        select(func.count())
        .select_from(LoginFailure)
        .where(col(LoginFailure.key).in_(keys), LoginFailure.at >= since)
        .group_by(LoginFailure.key)
    )
    return any(count >= limit for count in session.exec(statement).all())


def record_failure(session: Session, keys: list[str], *, now: datetime, window_minutes: int) -> None:
    """Remember a failed login and forget failures older than the window."""
    session.exec(delete(LoginFailure).where(LoginFailure.at < now - timedelta(minutes=window_minutes)))
    for key in keys:
        session.add(LoginFailure(key=key, at=now))
    session.commit()
