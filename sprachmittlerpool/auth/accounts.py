"""Passwords without a developer: forgotten password, invitation and reset links, changing one's own."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from sprachmittlerpool.auth import bp
from sprachmittlerpool.auth.views import start_session
from sprachmittlerpool.db import get_session
from sprachmittlerpool.links import LinkExpired
from sprachmittlerpool.models import local_now
from sprachmittlerpool.pools import use_pool
from sprachmittlerpool.security import MIN_PASSWORD_LENGTH
from sprachmittlerpool.services import accounts
from sprachmittlerpool.web import pin_session_to_password

NEUTRAL_ANSWER = (
    "Wenn es zu dieser E-Mail-Adresse ein aktives Konto gibt, ist eine E-Mail mit einem Link unterwegs. "
    "Der Link gilt 2 Stunden. Bitte sehen Sie auch im Spam-Ordner nach."
)
LINK_TITLES = {"invite": "Zugang einrichten", "reset": "Neues Passwort festlegen"}


@bp.route("/passwort-vergessen", methods=["GET", "POST"])
def forgot_password():
    """Ask for the e-mail address and answer the same whether an account has it or not."""
    if request.method == "GET":
        return render_template("auth/forgot.html", email="", errors={})
    email = request.form.get("email", "").strip()[:254]
    if "@" not in email:
        errors = {"email": "Bitte geben Sie Ihre E-Mail-Adresse ein."}
        return render_template("auth/forgot.html", email=email, errors=errors), 422
    if not accounts.request_reset(
        get_session(), email=email, remote_addr=request.remote_addr, now=local_now()
    ):
        flash(
            "Zu viele Anfragen. Bitte warten Sie eine Viertelstunde und versuchen Sie es dann erneut.",
            "error",
        )
        return render_template("auth/forgot.html", email=email, errors={}), 429
    flash(NEUTRAL_ANSWER, "success")
    return redirect(url_for("auth.login"))


@bp.route("/einladung/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Let an invited person set their password and log in."""
    return _password_link("invite", token)


@bp.route("/passwort-neu/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Let someone who forgot their password set a new one and log in."""
    return _password_link("reset", token)


def _password_link(purpose: str, token: str):
    """Show the form of a genuine, unused link; on POST set the password, which voids the link, and log in."""
    db = get_session()
    try:
        user = accounts.user_for_link(db, purpose=purpose, token=token)
    except LinkExpired:
        return render_template("auth/link_invalid.html", purpose=purpose, expired=True), 410
    if user is None:
        return render_template("auth/link_invalid.html", purpose=purpose, expired=False), 404
    use_pool(user.pool_id)  # the page carries the identity of the pool the account belongs to
    page = {"purpose": purpose, "title": LINK_TITLES[purpose], "user": user, "minimum": MIN_PASSWORD_LENGTH}
    if request.method == "GET":
        return render_template("auth/set_password.html", errors={}, **page)
    try:
        accounts.set_password_from_link(
            db, user=user, purpose=purpose,
            new=request.form.get("new_password", ""), repeated=request.form.get("repeated", ""),
        )  # fmt: skip
    except accounts.AccountError as exc:
        return render_template("auth/set_password.html", errors={exc.field: exc.message}, **page), 422
    flash("Ihr Passwort ist gespeichert. Sie sind angemeldet.", "success")
    return start_session(user, local_now())


@bp.route("/konto/passwort", methods=["GET", "POST"])
@login_required
def change_password():
    """Let every logged-in account change its own password; its other sessions end."""
    page = {"minimum": MIN_PASSWORD_LENGTH}
    if request.method == "GET":
        return render_template("auth/change_password.html", errors={}, **page)
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    try:
        accounts.change_own_password(
            get_session(), user=user, old=request.form.get("old_password", ""),
            new=request.form.get("new_password", ""), repeated=request.form.get("repeated", ""),
        )  # fmt: skip
    except accounts.AccountError as exc:
        return render_template("auth/change_password.html", errors={exc.field: exc.message}, **page), 422
    pin_session_to_password(user)
    flash(
        "Ihr neues Passwort ist gespeichert. Andere Anmeldungen mit dem alten Passwort sind beendet.",
        "success",
    )
    return redirect(url_for("auth.change_password"))
