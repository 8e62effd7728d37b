"""Links in e-mails: offer links (opaque tokens, stored hashed) and signed completion links.

An offer link's token is random (256 bits from `secrets`); the database row is the truth, so a
link is single-use and revocable through the offer's state. The completion link is signed with
itsdangerous under its own salt and SHA-256 (not the SHA-1 default); the assignment row decides
whether it can still be used.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

COMPLETION_SALT = "sprachmittlerpool.completion-confirmation.v1"
COMPLETION_MAX_AGE_SECONDS = 60 * 24 * 3600  # two months: time enough for a busy office


class LinkExpired(Exception):
    """A signed link was genuine but is older than its lifetime."""


def base_url() -> str:
    """Return the configured public base URL without a trailing slash."""
    return str(current_app.config["BASE_URL"]).rstrip("/")


def offer_url(token: str) -> str:
    """Return the one link of an offer mail."""
    return f"{base_url()}/o/{token}"


def _completion_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"],
        salt=COMPLETION_SALT,
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def completion_token(assignment_id: int) -> str:
    """Sign an assignment id for the institution's confirmation link."""
    return _completion_serializer().dumps(assignment_id)


def completion_url(assignment_id: int) -> str:
    """Return the institution's confirmation link for an assignment."""
    return f"{base_url()}/bestaetigung/{completion_token(assignment_id)}"


def assignment_id_from(token: str) -> int | None:
    """Return the assignment id of a genuine confirmation token, None if forged; raise LinkExpired if old."""
    try:
        value = _completion_serializer().loads(token, max_age=COMPLETION_MAX_AGE_SECONDS)
    except SignatureExpired as exc:
        raise LinkExpired from exc
    except BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
