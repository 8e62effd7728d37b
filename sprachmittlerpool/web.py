"""Cross-cutting web behaviour: security headers, error pages, login loading, session timeouts."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, Response, abort, current_app, g, jsonify, render_template, request, session
from flask_limiter import RateLimitExceeded
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from sprachmittlerpool import logsafe, pools
from sprachmittlerpool.config import cutoff_hours
from sprachmittlerpool.db import get_session
from sprachmittlerpool.exports.formatting import outcome_de
from sprachmittlerpool.extensions import login_manager
from sprachmittlerpool.german import decimal, requests_words
from sprachmittlerpool.identity import PoolIdentity, neutral_identity
from sprachmittlerpool.models import User, local_now
from sprachmittlerpool.pools import NoPoolError, current_pool_id, use_pool
from sprachmittlerpool.services import identity
from sprachmittlerpool.services.accounts import fingerprint
from sprachmittlerpool.services.pool_rules import rule_title, rule_titles
from sprachmittlerpool.services.qualifications import MODE_LABELS  # the one word list for modes
from sprachmittlerpool.services.security_events import CSRF_FAILED, RATE_LIMITED, record_refusal
from sprachmittlerpool.text_check import whole_number

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

ERROR_TITLES = {
    400: "Ungültige Anfrage",
    401: "Anmeldung erforderlich",
    403: "Keine Berechtigung",
    404: "Nicht gefunden",
    405: "Methode nicht erlaubt",
    409: "Konflikt",
    413: "Anfrage zu groß",
    422: "Ungültige Eingabe",
    429: "Zu viele Anfragen",
    500: "Interner Fehler",
    503: "Vorübergehend nicht verfügbar",
}

ERROR_MESSAGES = {
    400: "Die Anfrage konnte nicht verstanden werden.",
    401: "Bitte melden Sie sich an.",
    403: "Sie haben keine Berechtigung für diese Seite.",
    404: "Diese Seite gibt es nicht (mehr).",
    405: "Diese Aktion ist auf diesem Weg nicht möglich.",
    409: "Der Vorgang passt nicht zum aktuellen Stand.",
    413: "Die gesendeten Daten sind zu groß.",
    422: "Die Eingaben sind ungültig.",
    429: "Zu viele Anfragen. Bitte warten Sie einen Moment.",
    500: "Ein interner Fehler ist aufgetreten. Bitte versuchen Sie es später erneut.",
    503: "Der Dienst ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal.",
}


STATUS_SHORT_DE = {
    "submitted": "eingegangen",
    "rejected": "abgelehnt",
    "review": "zur Prüfung",
    "open": "offen",
    "offered": "angefragt",
    "confirmed": "bestätigt",
    "completed": "durchgeführt",
    "settled": "abgerechnet",
    "unfilled": "nicht besetzt",
    "cancelled": "storniert",
    "no_show": "nicht erschienen",
}


def status_de(status: str) -> str:
    """Name a request's state in German for coordinators' tables."""
    return STATUS_SHORT_DE.get(str(status), str(status))


OFFER_STATUS_DE = {
    "pending": "wartet auf Antwort",
    "accepted": "angenommen",
    "declined": "abgelehnt",
    "expired": "abgelaufen",
    "withdrawn": "zurückgezogen",
}


def offer_status_de(status: str) -> str:
    """Name an offer's state in German."""
    return OFFER_STATUS_DE.get(str(status), str(status))


def mode_de(mode: str) -> str:
    """Name how a request is served in German: vor Ort, am Telefon, per Video, schriftliche Übersetzung."""
    return MODE_LABELS.get(str(mode), "andere Art")


def rule_title_de(rule_id: str) -> str:
    """Name a rule of this request's pool by its German title (the titles read once per request)."""
    if "rule_titles" not in g:
        session = get_session()
        g.rule_titles = rule_titles(
            session, pool_id=current_pool_id(session), instance_path=current_app.instance_path
        )
    return rule_title(g.rule_titles, rule_id)


def init_app(app: Flask) -> None:
    """Attach headers, error handlers, the login loader and the session timeouts."""
    app.permanent_session_lifetime = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    logsafe.install(app.logger)
    app.after_request(_security_headers)
    app.before_request(_enforce_session_timeouts)
    app.before_request(_choose_pool)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Bitte melden Sie sich an, um diese Seite zu sehen."
    login_manager.session_protection = "strong"
    app.context_processor(_pool_identity)
    app.jinja_env.globals["cutoff_hours"] = cutoff_hours
    # The German words for stored values, one filter each: templates never print a code.
    app.jinja_env.filters["status_de"] = status_de
    app.jinja_env.filters["offer_status_de"] = offer_status_de
    app.jinja_env.filters["outcome_de"] = outcome_de
    app.jinja_env.filters["mode_de"] = mode_de
    app.jinja_env.filters["rule_title"] = rule_title_de
    app.jinja_env.filters["requests_de"] = requests_words
    app.jinja_env.filters["decimal_de"] = decimal


SESSION_FINGERPRINT = "password_fingerprint"
SESSION_GENERATION = "session_generation"


def pin_session_to_password(user: User) -> None:
    """Tie this session to the current password and logout count: a change of either ends it."""
    session[SESSION_FINGERPRINT] = fingerprint(user)
    session[SESSION_GENERATION] = user.session_generation


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """Load the account from the database on every request, so deactivation or a new password acts at once."""
    number = whole_number(user_id)
    user = get_session().get(User, number) if number is not None else None
    if user is None or not user.active or session.get(SESSION_GENERATION) != user.session_generation:
        return None  # a logout since this session began ends it, a replayed old cookie included
    return user if session.get(SESSION_FINGERPRINT) == fingerprint(user) else None


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if not _is_static_asset():
        # Every page may show personal data or a live link (and the public ones carry the pool's
        # current rules): no browser, proxy or shared computer keeps a copy. Only assets stay cacheable.
        response.headers["Cache-Control"] = "no-store"
    return response


def _is_static_asset() -> bool:
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static")


def _enforce_session_timeouts() -> None:
    """End a coordinator session after the absolute lifetime even when it is used all day."""
    if not current_user.is_authenticated:
        return
    session.permanent = True
    started = session.get("login_at")
    limit = timedelta(hours=session_absolute_hours())
    if started is None or local_now() - datetime.fromisoformat(started) > limit:
        logout_user()
        session.clear()


def current_identity() -> PoolIdentity:
    """Return this request's pool identity (read once per request); a neutral one if the database fails."""
    if "pool_identity" not in g:
        try:
            session = get_session()
            pool_id = current_pool_id(session)
            g.pool_identity = identity.identity_of(
                session, pool_id=pool_id, base_url=pools.base_url_of(session, pool_id)
            )
        except (SQLAlchemyError, NoPoolError):
            # The error page of a database outage must still render: it gets a neutral name, not a 500.
            return neutral_identity(pools.installation_url())
    return g.pool_identity


def _pool_identity() -> dict[str, object]:
    """Offer every template the pool's name and contact, read from the pool row."""
    pool = current_identity()
    return {"pool": pool, "pool_name": pool.name}


# Blueprints whose pages belong to the pool their address names, even for a logged-in coordinator.
PUBLIC_BLUEPRINTS = frozenset({"public", "intake", "volunteer"})


def _choose_pool() -> None:
    """Choose the request's pool before the view (the order is explained in pools.py).

    A coordinator's own pages work for the pool of their account; a public page for the pool its
    host name or `/p/<slug>/` prefix names; an unknown prefix is a 404.
    """
    if _is_static_asset():
        return
    addressed = _addressed_pool()
    if current_user.is_authenticated and not (
        addressed is not None and request.blueprint in PUBLIC_BLUEPRINTS
    ):
        use_pool(current_user.pool_id)
    elif addressed is not None:
        use_pool(addressed)


def _addressed_pool() -> int | None:
    """Return the pool named by the request's prefix or host; a database outage leaves the default pool."""
    slug = request.environ.get(pools.ENVIRON_SLUG)
    try:
        return pools.addressed_pool_id(get_session(), slug=slug, host=request.host)
    except LookupError:
        g.pool_identity = neutral_identity(pools.installation_url())  # the 404 page names no pool
        abort(404)
    except SQLAlchemyError:
        if slug is not None:
            raise
        return None


def session_absolute_hours() -> int:
    """Return the absolute session lifetime in hours."""
    from flask import current_app

    return int(current_app.config["SESSION_ABSOLUTE_HOURS"])


def wants_json() -> bool:
    """Tell whether the caller is the JSON API (errors then come as JSON)."""
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> Response:
    """Answer an error as JSON for the API or as a German page for people."""
    if wants_json():
        body: dict[str, object] = {"error": code, "message": message}
        if fields:
            body["fields"] = fields
        response = jsonify(body)
        response.status_code = status
        return response
    title = ERROR_TITLES.get(status, "Fehler")
    html = render_template("error.html", status=status, title=title, message=message)
    return Response(html, status=status)


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    message = ERROR_MESSAGES.get(status, exc.description or "Fehler.")
    if isinstance(exc, CSRFError):
        record_refusal(CSRF_FAILED)
        message = "Das Formular ist abgelaufen oder unvollständig. Bitte laden Sie die Seite neu."
    elif isinstance(exc, RateLimitExceeded):
        record_refusal(RATE_LIMITED)
    response = error_response(status, _code_for(status), message)
    if status == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def _unexpected_error(exc: Exception) -> Response:
    from flask import current_app

    current_app.logger.exception(
        "Unerwarteter Fehler bei %s %s (%s)",
        request.method,
        logsafe.mask_tokens(request.path),
        request.endpoint,
    )
    from sqlalchemy.exc import OperationalError

    if isinstance(exc, OperationalError):
        return error_response(503, "unavailable", ERROR_MESSAGES[503])
    return error_response(500, "internal_error", ERROR_MESSAGES[500])


def _code_for(status: int) -> str:
    return {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
        422: "invalid",
        429: "too_many_requests",
    }.get(status, "error")
