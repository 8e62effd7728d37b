"""API tokens of a pool's accounts: create (shown once, expiring per the pool's setting), list, revoke, check.

Only the SHA-256 of a token is stored. The API asks `authenticate` on every call, against the database,
so a revoked or expired token, or one of a deactivated account, is refused by every worker at once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from sprachmittlerpool import security
from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import ApiToken, Pool, User
from sprachmittlerpool.services.audit import record
from sprachmittlerpool.text_check import text_problem

LAST_USED_STEP = timedelta(minutes=5)  # write last_used_at at most this often: an API call stays a read


class TokenState(enum.StrEnum):
    """Whether a token still opens the API."""

    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


STATE_DE = {TokenState.VALID: "gültig", TokenState.EXPIRED: "abgelaufen", TokenState.REVOKED: "widerrufen"}


class TokenError(Exception):
    """A token change that is not possible; the message is a German sentence."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message, self.field = message, field


class TokenRefused(Exception):
    """A bearer token the API must refuse; `status` and `message` go into the API's error answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class TokenRow:
    """A token with its owner, for lists."""

    token: ApiToken
    owner: User
    state: TokenState


def state_of(token: ApiToken, *, now: datetime) -> TokenState:
    """Tell whether a token is valid, expired or revoked (revoked wins)."""
    if token.revoked_at is not None:
        return TokenState.REVOKED
    if token.expires_at is not None and token.expires_at <= now:
        return TokenState.EXPIRED
    return TokenState.VALID


def pool_tokens(session: Session, *, pool_id: int, now: datetime) -> list[TokenRow]:
    """Return the tokens of the pool's accounts, newest first."""
    statement = (
        select(ApiToken, User)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .where(User.pool_id == pool_id)
        .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
    )
    return [
        TokenRow(token, owner, state_of(token, now=now)) for token, owner in session.exec(statement).all()
    ]


def create_token(
    session: Session, *, pool_id: int, user_id: int, label: str, actor: str, now: datetime
) -> tuple[ApiToken, str]:
    """Create a token for an active account of the pool; return the row and the token, which is never shown again."""
    if problem := text_problem(label):
        raise TokenError(problem, "label")
    label = " ".join(label.split())
    if not label or len(label) > 120:
        raise TokenError("Bitte geben Sie eine Bezeichnung mit höchstens 120 Zeichen ein.", "label")
    owner = session.get(User, user_id)
    if owner is None or owner.pool_id != pool_id:
        raise TokenError("Bitte wählen Sie ein Konto des Pools.", "user_id")
    if not owner.active:
        raise TokenError(f"Das Konto von {owner.name or owner.email} ist deaktiviert.", "user_id")
    days = session.get(Pool, pool_id).api_token_days  # type: ignore[union-attr]
    plain = security.new_token()
    token = ApiToken(
        user_id=owner.id, token_hash=security.token_hash(plain), label=label,
        created_at=now, expires_at=now + timedelta(days=days),
    )  # fmt: skip
    session.add(token)
    session.flush()
    record(session, actor=actor, entity="api_token", entity_id=str(token.id), action="created",
           detail={"user_id": owner.id, "label": label, "expires_at": token.expires_at.isoformat()})  # fmt: skip
    session.commit()
    return token, plain


def token_in_pool(session: Session, *, pool_id: int, token_id: int, now: datetime) -> TokenRow | None:
    """Return a token of the pool with its owner, or None."""
    token = session.get(ApiToken, token_id)
    owner = session.get(User, token.user_id) if token is not None else None
    if token is None or owner is None or owner.pool_id != pool_id:
        return None
    return TokenRow(token, owner, state_of(token, now=now))


def revoke(session: Session, *, pool_id: int, token_id: int, actor: str, now: datetime) -> bool:
    """Revoke a token for good; return False if it was revoked already."""
    row = token_in_pool(session, pool_id=pool_id, token_id=token_id, now=now)
    if row is None:
        raise TokenError("Dieses Token gibt es nicht.")
    if row.token.revoked_at is not None:
        return False
    row.token.revoked_at = now
    record(session, actor=actor, entity="api_token", entity_id=str(token_id), action="revoked")
    session.commit()
    return True


def authenticate(session: Session, plain: str, *, now: datetime) -> tuple[User, int | None]:
    """Return the active account of a valid bearer token, and the token's id if its use is worth noting.

    Raise TokenRefused for an unknown, revoked or expired token or a deactivated owner. The use is noted
    later (`note_use`), after the API call's own transaction has ended: on SQLite a second writer inside
    a write request would wait for the request's own lock.
    """
    found = session.execute(BEARER, {"token_hash": security.token_hash(plain)}).first()
    token, owner = found[:2] if found is not None else (None, None)
    if token is None or token.revoked_at is not None:
        raise TokenRefused(401, "Das Token ist ungültig.")
    if state_of(token, now=now) == TokenState.EXPIRED:
        raise TokenRefused(401, "Das Token ist abgelaufen. Bitte lassen Sie sich ein neues geben.")
    if owner is None or not owner.active:
        raise TokenRefused(403, "Das Konto ist deaktiviert.")
    stale = token.last_used_at is None or now - token.last_used_at >= LAST_USED_STEP
    return owner, token.id if stale else None


# Token, owner and the owner's pool in one query, built once (every API call asks it; building it cost as
# much as running it). The call then works for that pool: its row, now in the session, answers the pool's
# address and identity without another query.
BEARER = (
    select(ApiToken, User, Pool)
    .join(User, col(User.id) == col(ApiToken.user_id))
    .join(Pool, col(Pool.id) == col(User.pool_id))
    .where(col(ApiToken.token_hash) == bindparam("token_hash"))
)


def note_use(token_id: int, *, now: datetime) -> None:
    """Write a token's last use in a short transaction of its own."""
    with new_session(write=True) as writer:
        writer.exec(update(ApiToken).where(col(ApiToken.id) == token_id).values(last_used_at=now))
        writer.commit()
