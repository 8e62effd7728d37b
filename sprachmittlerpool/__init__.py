"""Sprachmittlerpool: a municipal volunteer interpreter pool (Flask app factory)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from sprachmittlerpool import db, limits, web
from sprachmittlerpool.config import ConfigError, load_config
from sprachmittlerpool.extensions import babel, csrf, login_manager, mail
from sprachmittlerpool.pools import PoolPrefixMiddleware
from sprachmittlerpool.safe_json import SafeJSONProvider
from sprachmittlerpool.sessions import SignedSessionInterface


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app; a bad setting stops it with one sentence instead of a traceback."""
    instance_path = (test_config or {}).get("INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.json = SafeJSONProvider(app)
    try:
        load_config(app, test_config)
        _check_rule_file(app)
        db.init_app(app)
    except ConfigError as exc:
        raise SystemExit(f"Konfigurationsfehler: {exc}") from None
    app.session_interface = SignedSessionInterface()
    app.wsgi_app = PoolPrefixMiddleware(app.wsgi_app)  # type: ignore[method-assign]
    _trust_proxies(app)
    babel.init_app(app)
    csrf.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    web.init_app(app)
    _register_blueprints(app)
    limits.init_app(app)  # after the blueprints: it wraps their public submission views
    _register_cli(app)
    return app


def _check_rule_file(app: Flask) -> None:
    """Refuse to start with a district rule file that cannot be used (the message names the place)."""
    from matching.eligibility import RuleSetError
    from sprachmittlerpool.services.pool_rules import check_district_file

    try:
        check_district_file(app.instance_path)
    except RuleSetError as exc:
        raise ConfigError(f"Die Regeldatei des Pools ist fehlerhaft: {exc}") from exc


def _trust_proxies(app: Flask) -> None:
    """Behind nginx, take the client's address and scheme from the proxies' headers, but only then.

    Without TRUSTED_PROXIES the headers stay ignored: anyone could otherwise send X-Forwarded-For and
    get a fresh per-IP budget with every request.
    """
    count = app.config["TRUSTED_PROXIES"]
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]


def _register_blueprints(app: Flask) -> None:
    from sprachmittlerpool.api import bp as api_bp
    from sprachmittlerpool.auth import bp as auth_bp
    from sprachmittlerpool.coordination import bp as coordination_bp
    from sprachmittlerpool.devmail import bp as devmail_bp
    from sprachmittlerpool.intake import bp as intake_bp
    from sprachmittlerpool.operator import bp as operator_bp
    from sprachmittlerpool.payouts import bp as payouts_bp
    from sprachmittlerpool.public import bp as public_bp
    from sprachmittlerpool.reports import bp as reports_bp
    from sprachmittlerpool.settings import bp as settings_bp
    from sprachmittlerpool.volunteer import bp as volunteer_bp

    for blueprint in (
        public_bp,
        auth_bp,
        intake_bp,
        coordination_bp,
        volunteer_bp,
        payouts_bp,
        reports_bp,
        settings_bp,
        devmail_bp,
        operator_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)  # the API checks CSRF itself for cookie sessions; bearer tokens need none


def _register_cli(app: Flask) -> None:
    from sprachmittlerpool.cli import register

    register(app)
