"""Who may do what: an admin manages the pool's settings, accounts and tokens; a coordinator does the pool's work."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from sprachmittlerpool.models import Role


def is_admin(user: object) -> bool:
    """Tell whether a (logged-in) account may change the pool's settings and accounts."""
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) == Role.ADMIN


def require_admin() -> None:
    """Refuse anyone but an admin with 403 (anonymous visitors are sent to the login first)."""
    if not current_user.is_authenticated:
        from sprachmittlerpool.extensions import login_manager

        abort(login_manager.unauthorized())
    if not is_admin(current_user):
        abort(403)
