"""Abuse limits: per-IP budgets on the public submission routes (Flask-Limiter).

Views that take submissions from anyone carry `@public_submission`; `init_app` wraps exactly those
with one shared budget per client address (form and API together, so switching door buys nothing).
Coordinator pages and API calls are authenticated and not limited by address; login throttling
lives in the database (security.py) because it must hold across workers without extra storage.

Each app gets its own Limiter: Flask-Limiter keeps its storage and its enabled flag on the
Limiter object, so one module-level instance shared by several apps (tests, a second worker
built in one process) would let the last app built decide for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, request
from flask_limiter import Limiter

F = TypeVar("F", bound=Callable[..., object])

SCOPE = "public_submission"
_MARK = "_sprachmittlerpool_public_submission"


def public_submission(view: F) -> F:
    """Mark a view whose POSTs anyone may send: they count against the per-IP budget."""
    setattr(view, _MARK, True)
    return view


def client_address() -> str:
    """Return the address the budget is kept for (the peer as the WSGI server sees it)."""
    return request.remote_addr or "unknown"


def _public_limits() -> str:
    return str(current_app.config["RATELIMIT_PUBLIC"])


def init_app(app: Flask) -> Limiter:
    """Attach a limiter to the app and put the marked views under the public budget (call after blueprints)."""
    limiter = Limiter(key_func=client_address, storage_uri=app.config["RATELIMIT_STORAGE_URI"])
    limiter.init_app(app)
    app.extensions["rate_limiter"] = limiter
    if not limiter.enabled:
        return limiter
    budget = limiter.shared_limit(_public_limits, scope=SCOPE, methods=["POST"])
    for endpoint, view in list(app.view_functions.items()):
        if getattr(view, _MARK, False):
            app.view_functions[endpoint] = budget(view)
    return limiter
