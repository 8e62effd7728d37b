"""Login with throttling shared across workers (the failures live in the database)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlmodel import func, select

from sprachmittlerpool import security
from sprachmittlerpool.auth import bp
from sprachmittlerpool.auth.forms import LoginForm
from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import Role, User, local_now
from sprachmittlerpool.services.audit import record
from sprachmittlerpool.services.security_events import RATE_LIMITED, record_login_failure, record_refusal
from sprachmittlerpool.web import pin_session_to_password


@bp.route("/anmelden", methods=["GET", "POST"])
def login():
    """Show the login form and log a coordinator in."""
    if current_user.is_authenticated:
        return redirect(_home())
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    db = get_session()
    config = current_app.config
    now = local_now()
    keys = security.throttle_keys(form.email.data, request.remote_addr)
    limits = {"limit": config["LOGIN_MAX_FAILURES"], "window_minutes": config["LOGIN_WINDOW_MINUTES"]}
    if security.is_throttled(db, keys, now=now, **limits):
        record_refusal(RATE_LIMITED)
        flash(
            f"Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie {limits['window_minutes']} Minuten.",
            "error",
        )
        return render_template("auth/login.html", form=form), 429
    email = form.email.data.strip().lower()
    user = db.exec(select(User).where(func.lower(User.email) == email)).first()
    password_ok = security.check_login(user.password_hash if user else None, form.password.data)
    if user is None or not user.active or not password_ok:
        security.record_failure(db, keys, now=now, window_minutes=limits["window_minutes"])  # commits
        record_login_failure(user.email if user is not None else None)
        flash("E-Mail-Adresse oder Passwort ist falsch.", "error")
        return render_template("auth/login.html", form=form), 401
    return start_session(user, now)


def start_session(user: User, now):
    """Log in with a fresh session, so nothing from before the login carries over (also after a password link)."""
    db = get_session()
    session.clear()
    login_user(user)
    pin_session_to_password(user)
    session["login_at"] = now.isoformat()
    session.permanent = True
    user.last_login_at = now
    record(db, actor=f"user:{user.id}", entity="user", entity_id=str(user.id), action="login")
    db.commit()
    return redirect(_safe_next(request.args.get("next")))


def _safe_next(target: str | None) -> str:
    """Follow ?next= only to a path on this site (no open redirect).

    Browsers drop tabs and newlines from URLs, read a backslash as a slash and fold some non-ASCII
    characters, so only a plain ASCII path without any of them counts: one leading slash, no scheme,
    no host; anything else goes to the dashboard (never a 500 from a header value that cannot be sent).
    """
    if target and _plain_local_path(target):
        return target
    return _home()


def _home() -> str:
    """Where a logged-in account starts: an operator on the state's figures, everyone else on the dashboard."""
    if getattr(current_user, "role", None) == Role.OPERATOR:
        return url_for("operator.state_page")
    return url_for("coordination.dashboard")


def _plain_local_path(target: str) -> bool:
    if not all("!" <= char <= "~" for char in target) or "\\" in target:
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


@bp.route("/abmelden", methods=["POST"])
def logout():
    """Log out on the server too: every session of the account begun until now ends, a copied cookie with it."""
    if current_user.is_authenticated:
        db = get_session()
        user = db.get(User, current_user.id)
        user.session_generation += 1
        record(db, actor=f"user:{user.id}", entity="user", entity_id=str(user.id), action="logout")
        db.commit()
    logout_user()
    session.clear()
    flash("Sie sind abgemeldet – auf diesem und jedem anderen Gerät.", "success")
    return redirect(url_for("public.home"))
