"""Links in e-mails: offer, volunteer and feedback links (opaque tokens, stored hashed), signed completion and account links.

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
# Account links: (salt, lifetime). The payload is the account id and the fingerprint of its password hash,
# so a link dies when the password changes (single use) and needs no table of its own.
ACCOUNT_LINKS = {
    "invite": ("sprachmittlerpool.account-invite.v1", 7 * 24 * 3600),
    "reset": ("sprachmittlerpool.password-reset.v1", 2 * 3600),
}
ACCOUNT_PATHS = {"invite": "einladung", "reset": "passwort-neu"}


class LinkExpired(Exception):
    """A signed link was genuine but is older than its lifetime."""


def offer_url(base: str, token: str) -> str:
    """Return the one link of an offer mail under its pool's address (`pools.base_url_of`)."""
    return f"{base}/o/{token}"


def volunteer_page_url(base: str, token: str) -> str:
    """Return the link to a volunteer's own page."""
    return f"{base}/mein-bereich/{token}"


def volunteer_email_url(base: str, token: str) -> str:
    """Return the link that confirms a volunteer's new e-mail address."""
    return f"{base}/adresse-bestaetigen/{token}"


def feedback_url(base: str, token: str) -> str:
    """Return the link of a feedback mail (after an assignment) under its pool's address."""
    return f"{base}/rueckmeldung/{token}"


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=salt, signer_kwargs={"digest_method": hashlib.sha256}
    )


def _completion_serializer() -> URLSafeTimedSerializer:
    return _serializer(COMPLETION_SALT)


def completion_token(assignment_id: int) -> str:
    """Sign an assignment id for the institution's confirmation link."""
    return _completion_serializer().dumps(assignment_id)


def completion_url(base: str, assignment_id: int) -> str:
    """Return the institution's confirmation link for an assignment."""
    return f"{base}/bestaetigung/{completion_token(assignment_id)}"


def assignment_id_from(token: str) -> int | None:
    """Return the assignment id of a genuine confirmation token, None if forged; raise LinkExpired if old."""
    try:
        value = _completion_serializer().loads(token, max_age=COMPLETION_MAX_AGE_SECONDS)
    except SignatureExpired as exc:
        raise LinkExpired from exc
    except BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def account_token(purpose: str, user_id: int, fingerprint: str) -> str:
    """Sign an account id and its password fingerprint for an invitation or a password reset."""
    return _serializer(ACCOUNT_LINKS[purpose][0]).dumps([user_id, fingerprint])


def account_url(base: str, purpose: str, user_id: int, fingerprint: str) -> str:
    """Return the link of an invitation or reset mail."""
    return f"{base}/{ACCOUNT_PATHS[purpose]}/{account_token(purpose, user_id, fingerprint)}"


def account_link_payload(purpose: str, token: str) -> tuple[int, str] | None:
    """Return (account id, fingerprint) of a genuine link, None if forged; raise LinkExpired if too old."""
    salt, max_age = ACCOUNT_LINKS[purpose]
    try:
        value = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkExpired from exc
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2):
        return None
    user_id, fingerprint = value
    if isinstance(user_id, bool) or not isinstance(user_id, int) or not isinstance(fingerprint, str):
        return None
    return user_id, fingerprint
