"""The session cookie, signed with HMAC-SHA-256 under a salt of this app instead of Flask's SHA-1 default."""

from __future__ import annotations

import hashlib

from flask.sessions import SecureCookieSessionInterface

SESSION_SALT = "sprachmittlerpool.session.v1"


class SignedSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session with a stronger digest and an own salt.

    The salt separates session signatures from anything else signed with SECRET_KEY (a signature made
    for another purpose never passes as a session); bump the version to log everyone out at once.
    """

    digest_method = staticmethod(hashlib.sha256)
    salt = SESSION_SALT
