"""What every API route shares: authentication, JSON bodies, error answers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError

from sprachmittlerpool.db import end_session, get_session
from sprachmittlerpool.extensions import csrf
from sprachmittlerpool.models import Role, User, local_now
from sprachmittlerpool.pools import use_pool
from sprachmittlerpool.services import api_tokens
from sprachmittlerpool.services.security_events import CSRF_FAILED, record_refusal
from sprachmittlerpool.web import error_response

logger = logging.getLogger(__name__)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Ids are `integer` columns (32 bits on PostgreSQL): a larger number names no row, and SQLite cannot even
# bind a number beyond 64 bits (OverflowError, a 500), so such numbers never reach a query.
MAX_ROW_ID = 2**31 - 1


class ApiError(Exception):
    """An error answer; raise it from anywhere below a view."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields


def api_error_response(exc: ApiError) -> Response:
    """Turn an ApiError into the documented JSON body."""
    return error_response(exc.status, exc.code, exc.message, exc.fields)


def coordinator_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let a coordinator in by bearer token, or by session with a CSRF token on writes."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.api_user = _authenticate()
        if g.api_user.role == Role.OPERATOR:  # the installation's operator sees figures, no pool's data
            raise ApiError(
                403, "forbidden", "Dieses Konto sieht nur die Landesauswertung, keine Daten eines Pools."
            )
        use_pool(g.api_user.pool_id)
        return view(*args, **kwargs)

    return wrapper


def _authenticate() -> User:
    header = request.headers.get("Authorization", "")
    if header:
        return _user_for_bearer(header)
    if current_user.is_authenticated:
        if request.method in WRITE_METHODS:
            try:
                csrf.protect()
            except CSRFError as exc:
                record_refusal(CSRF_FAILED)
                raise ApiError(403, "csrf", "CSRF-Token fehlt oder ist ungültig.") from exc
        return current_user._get_current_object()  # type: ignore[attr-defined]
    raise ApiError(401, "unauthorized", "Bitte melden Sie sich an oder senden Sie ein gültiges Token.")


def _user_for_bearer(header: str) -> User:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "Das Token ist ungültig.")
    try:
        user, token_id = api_tokens.authenticate(get_session(), token.strip(), now=local_now())
    except api_tokens.TokenRefused as exc:
        raise ApiError(exc.status, "unauthorized" if exc.status == 401 else "forbidden", exc.message) from exc
    if token_id is not None:
        g.api_token_used = token_id
    return user


def note_token_use(_exc: BaseException | None) -> None:
    """After the call, note the token's last use once the call's own transaction is over."""
    token_id = g.pop("api_token_used", None)
    if token_id is None:
        return
    end_session()  # closes this request's session (done by now), so SQLite's write lock is free
    try:
        api_tokens.note_use(token_id, now=local_now())
    except SQLAlchemyError:
        logger.warning("Letzte Nutzung des API-Tokens %s nicht gespeichert", token_id, exc_info=True)


def json_body(allowed: set[str] | frozenset[str]) -> dict[str, Any]:
    """Return the request's JSON object; reject non-JSON and unknown fields with 400."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", "Der Inhalt muss ein JSON-Objekt sein.")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ApiError(
            400,
            "unknown_fields",
            "Unbekannte Felder: " + ", ".join(unknown),
            {name: "Dieses Feld gibt es nicht." for name in unknown},
        )
    return data


def row_id(value: object) -> int | None:
    """Return value as a row id if it can be one (a positive integer or its digits), else None."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= MAX_ROW_ID else None
