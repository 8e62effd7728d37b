"""Configuration: defaults, then instance/config.py, then SPRACHMITTLERPOOL_* variables, then test overrides."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from limits import parse_many

ENV_PREFIX = "SPRACHMITTLERPOOL"


class ConfigError(Exception):
    """A setting is unusable; the message is one sentence for the person who set it."""


class DefaultConfig:
    """Defaults that make `make run` work with nothing configured."""

    DATABASE_URL: str | None = None  # None: SQLite file in instance/
    BASE_URL = "http://127.0.0.1:5000"
    SCHEDULER = True
    MAIL_SERVER: str | None = None  # None: mails go to .eml files under instance/mail/
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "Sprachmittlerpool <sprachmittlerpool@localhost>"
    MAIL_TIMEOUT_SECONDS = 10
    # PEM file of the CA that signed the mail server's certificate (an internal relay); added to the system
    # CAs. Verification and the hostname check stay on either way.
    MAIL_CA_FILE: str | None = None
    SEPA_EXECUTION_DAYS = 2  # bank working days (TARGET2) between making a SEPA file and its execution
    TIMEZONE = "Europe/Berlin"
    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE: bool | None = None  # None: Secure exactly when BASE_URL is https://
    SESSION_IDLE_MINUTES = 60
    SESSION_ABSOLUTE_HOURS = 12
    LOGIN_MAX_FAILURES = 5
    LOGIN_WINDOW_MINUTES = 15
    # Per-IP budget for the public submissions (form POST /anfrage and POST /api/v1/requests together);
    # a request over it gets 429 with Retry-After. Coordinators are authenticated and not limited by IP.
    RATELIMIT_ENABLED = True
    RATELIMIT_PUBLIC = "10 per minute;100 per day"
    RATELIMIT_STRATEGY = "moving-window"  # "10 per minute" means in any 60 s, not twice 10 across a boundary
    # memory:// counts inside one process: right for the single process of `make run`. Several gunicorn
    # workers would each count on their own (the limit multiplies by the workers), so give them one shared
    # storage: SPRACHMITTLERPOOL_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379 (needs the redis package).
    RATELIMIT_STORAGE_URI = "memory://"
    # If that shared storage is down, each process keeps counting in memory instead of refusing
    # institutions' requests; it switches back once the storage answers again.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True  # Retry-After on 429, X-RateLimit-* on limited routes
    WTF_CSRF_TIME_LIMIT = None  # a form may stay open for a long phone call; the session bounds it
    OFFER_VALID_HOURS = 48
    OFFER_CUTOFF_HOURS = 24
    UNFILLED_WARN_DAYS = 2  # institutions hear this early that nobody has accepted yet
    RETENTION_MONTHS = 24
    MATCHING_TIME_LIMIT_S = 10.0
    # Matching runs are solved off the web request by the scheduler's matching_runs job. A running run whose
    # heartbeat (renewed every MATCHING_HEARTBEAT_SECONDS) is older than MATCHING_STALE_SECONDS, or a queued
    # one nobody claimed within MATCHING_QUEUE_SECONDS, is marked failed so a new run can start.
    MATCHING_HEARTBEAT_SECONDS = 5.0
    MATCHING_STALE_SECONDS = 60.0
    MATCHING_QUEUE_SECONDS = 120.0
    # True: the request that starts a run solves it itself (the tests' setting; small pools are instant).
    MATCHING_INLINE = False
    # How many reverse proxies (nginx …) stand in front of the app; their X-Forwarded-For/-Proto are trusted.
    # 0: the headers are ignored, so nobody can fake an address to escape the per-IP limits.
    TRUSTED_PROXIES = 0


def cutoff_hours() -> int:
    """Return OFFER_CUTOFF_HOURS: offers end, volunteers may withdraw and cancelling is "late" this long before.

    Every German text that names the cut-off reads it from here, so changing the setting changes
    what people are told as well as what the app does.
    """
    return int(current_app.config["OFFER_CUTOFF_HOURS"])


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill app.config in the documented order and validate it."""
    app.config.from_object(DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env(prefix=ENV_PREFIX)
    else:
        app.config.from_mapping(test_config)
    _ensure_instance_folder(app)
    _fill_generated_secret(app, "SECRET_KEY", "secret_key")
    _fill_generated_secret(app, "IBAN_KEY", "iban_key")
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'sprachmittlerpool.sqlite'}"
    app.config.setdefault("MAIL_DIR", str(Path(app.instance_path) / "mail"))
    _validate(app.config)


def _ensure_instance_folder(app: Flask) -> None:
    try:
        os.makedirs(app.instance_path, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"Der Ordner {app.instance_path} kann nicht angelegt werden ({exc.strerror})."
        ) from exc


def _fill_generated_secret(app: Flask, key: str, filename: str) -> None:
    """Generate a secret once into instance/ so restarts keep sessions, links and encrypted IBANs valid."""
    if app.config.get(key):
        return
    path = Path(app.instance_path) / filename
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    app.config[key] = path.read_text().strip()


def _validate(config: dict[str, Any]) -> None:
    port = config.get("MAIL_PORT")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigError(
            f"{ENV_PREFIX}_MAIL_PORT muss eine Portnummer zwischen 1 und 65535 sein, nicht {port!r}."
        )
    for flag in ("SCHEDULER", "MAIL_USE_TLS", "MAIL_USE_SSL"):
        if not isinstance(config.get(flag), bool):
            raise ConfigError(f"{ENV_PREFIX}_{flag} muss true oder false sein, nicht {config.get(flag)!r}.")
    ca_file = config.get("MAIL_CA_FILE")
    if ca_file and not Path(ca_file).is_file():
        raise ConfigError(f"{ENV_PREFIX}_MAIL_CA_FILE nennt keine lesbare Datei: {ca_file!r}.")
    url = config["DATABASE_URL"]
    if not isinstance(url, str) or not url.startswith(("sqlite", "postgresql")):
        raise ConfigError(
            f"{ENV_PREFIX}_DATABASE_URL muss eine sqlite:// oder postgresql+psycopg:// URL sein."
        )
    if not str(config.get("BASE_URL", "")).startswith(("http://", "https://")):
        raise ConfigError(f"{ENV_PREFIX}_BASE_URL muss mit http:// oder https:// beginnen.")
    _validate_rate_limits(config)
    _settle_cookie_secure(config)
    _validate_counts(config)


def _validate_rate_limits(config: dict[str, Any]) -> None:
    """Refuse a limit or storage the limiter would only choke on at the first public request."""
    try:
        parse_many(str(config.get("RATELIMIT_PUBLIC", "")))
    except ValueError:
        raise ConfigError(
            f"{ENV_PREFIX}_RATELIMIT_PUBLIC muss Grenzen wie „10 per minute;100 per day“ nennen, "
            f"nicht {config.get('RATELIMIT_PUBLIC')!r}."
        ) from None
    if not str(config.get("RATELIMIT_STORAGE_URI", "")).startswith(("memory://", "redis://", "rediss://")):
        raise ConfigError(
            f"{ENV_PREFIX}_RATELIMIT_STORAGE_URI muss memory:// (ein Prozess) oder eine redis:// URL sein."
        )


def _settle_cookie_secure(config: dict[str, Any]) -> None:
    """Send the session cookie only over TLS when the app is served over https, unless set explicitly."""
    secure = config.get("SESSION_COOKIE_SECURE")
    if secure is None:
        config["SESSION_COOKIE_SECURE"] = str(config["BASE_URL"]).startswith("https://")
    elif not isinstance(secure, bool):
        raise ConfigError(f"{ENV_PREFIX}_SESSION_COOKIE_SECURE muss true oder false sein, nicht {secure!r}.")


def _validate_counts(config: dict[str, Any]) -> None:
    """Refuse counts and durations that are not whole numbers in range (a typo must not disable a guard)."""
    counts = (
        ("SESSION_IDLE_MINUTES", 1),
        ("SESSION_ABSOLUTE_HOURS", 1),
        ("TRUSTED_PROXIES", 0),
        ("OFFER_VALID_HOURS", 1),
        ("OFFER_CUTOFF_HOURS", 0),
        ("UNFILLED_WARN_DAYS", 1),
        ("SEPA_EXECUTION_DAYS", 0),
    )
    for key, low in counts:
        value = config.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ConfigError(f"{ENV_PREFIX}_{key} muss eine ganze Zahl ab {low} sein, nicht {value!r}.")
    _validate_warning_before_cutoff(config)


def _validate_warning_before_cutoff(config: dict[str, Any]) -> None:
    """Refuse an early warning that would fall on or after the cut-off: it would never be sent."""
    days, hours = config["UNFILLED_WARN_DAYS"], config["OFFER_CUTOFF_HOURS"]
    if days * 24 <= hours:
        raise ConfigError(
            f"{ENV_PREFIX}_UNFILLED_WARN_DAYS ({days} Tage) muss vor dem Stichtag "
            f"{ENV_PREFIX}_OFFER_CUTOFF_HOURS ({hours} Stunden) liegen, sonst geht die Vorwarnung nie hinaus."
        )
