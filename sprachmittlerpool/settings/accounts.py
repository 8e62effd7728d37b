"""Settings: the pool's accounts (invite, change role, deactivate, reactivate), each change confirmed first."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from sprachmittlerpool import security
from sprachmittlerpool.db import get_session
from sprachmittlerpool.german import moment_short
from sprachmittlerpool.models import Role, User, local_now
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import accounts as service
from sprachmittlerpool.settings import SECTIONS, bp

SECTIONS.append(
    (
        "settings.users",
        "Konten",
        "Wer sich anmelden darf: Konten einladen, Rollen ändern, Konten deaktivieren und wieder freischalten.",
    )
)

# The change named in the address -> (question, button, message afterwards, what the page explains).
CHANGES = {
    "administration": (
        "{name} zur Administration machen?", "Zur Administration machen", "{name} gehört jetzt zur Administration.",
        "Die Administration verwaltet zusätzlich die Einstellungen, Konten und API-Tokens des Pools.",
    ),
    "koordination": (
        "{name} zur Koordination machen?", "Zur Koordination machen", "{name} gehört jetzt zur Koordination.",
        "Die Koordination erledigt die tägliche Arbeit, sieht aber keine Einstellungen, Konten und API-Tokens mehr.",
    ),
    "deaktivieren": (
        "Konto von {name} deaktivieren?", "Konto deaktivieren", "Das Konto von {name} ist deaktiviert.",
        "Die Person wird sofort abgemeldet, kann sich nicht mehr anmelden, und ihre API-Tokens werden "
        "nicht mehr angenommen. Sie können das Konto später wieder freischalten.",
    ),
    "reaktivieren": (
        "Konto von {name} wieder freischalten?", "Konto freischalten", "Das Konto von {name} ist wieder aktiv.",
        "Die Person kann sich wieder mit ihrem bisherigen Passwort anmelden; ihre gültigen API-Tokens gelten wieder.",
    ),
    "einladung": (
        "Einladung an {name} neu senden?", "Einladung senden", "Eine neue Einladung an {email} ist unterwegs.",
        "Die Person bekommt einen neuen Link, der 7 Tage gilt; frühere Einladungslinks gelten nicht mehr.",
    ),
}  # fmt: skip


@bp.app_template_filter("moment_short")
def _moment_short(moment):
    return moment_short(moment)


@bp.app_template_global("role_de")
def role_de(role: str) -> str:
    """Name a role in German."""
    return service.ROLE_DE.get(Role(role), role)


@bp.app_template_global("has_password")
def has_password(user: User) -> bool:
    """Tell whether an account has set its password (an invited one has not)."""
    return security.has_usable_password(user.password_hash)


def _users_page(values: dict[str, str], errors: dict[str, str], status: int = 200):
    db = get_session()
    users = service.pool_users(db, pool_id=current_pool_id(db))
    return render_template(
        "settings/users.html", users=users, values=values, errors=errors, roles=service.ROLE_DE
    ), status


@bp.get("/konten")
def users():
    """List the pool's accounts with the form to invite one."""
    return _users_page({"email": "", "name": "", "role": Role.COORDINATOR}, {})


@bp.post("/konten")
def invite_user():
    """Create an account and mail its owner a link to set the password."""
    values = {field: request.form.get(field, "").strip() for field in ("email", "name", "role")}
    db = get_session()
    try:
        user = service.invite(
            db, pool_id=current_pool_id(db), email=values["email"], name=values["name"], role=values["role"],
            actor=f"user:{current_user.id}", now=local_now(),
        )  # fmt: skip
    except service.AccountError as exc:
        return _users_page(values, {exc.field or "email": exc.message}, 422)
    flash(
        f"{user.name} ist eingeladen: Eine E-Mail mit dem Link zum Passwort ist an {user.email} unterwegs.",
        "success",
    )
    return redirect(url_for("settings.users"))


def _target(user_id: int) -> User:
    db = get_session()
    user = service.user_in_pool(db, pool_id=current_pool_id(db), user_id=user_id)
    if user is None or user.role == Role.OPERATOR:  # the installation's operator is no pool account
        abort(404)
    return user


@bp.get(
    "/konten/<int:user_id>/<any(administration, koordination, deaktivieren, reaktivieren, einladung):change>"
)
def confirm_user_change(user_id: int, change: str):
    """Ask before an account changes (nothing happens on this page)."""
    user = _target(user_id)
    question, button, _done, explanation = CHANGES[change]
    return render_template(
        "settings/user_confirm.html", user=user, change=change, button=button, explanation=explanation,
        question=question.format(name=user.name or user.email),
    )  # fmt: skip


@bp.post(
    "/konten/<int:user_id>/<any(administration, koordination, deaktivieren, reaktivieren, einladung):change>"
)
def change_user(user_id: int, change: str):
    """Make the confirmed change; a refused one (e.g. the last admin) says why."""
    user = _target(user_id)
    try:
        _apply(user, change)
    except service.AccountError as exc:
        flash(exc.message, "error")
        return redirect(url_for("settings.users"))
    flash(CHANGES[change][2].format(name=user.name or user.email, email=user.email), "success")
    if user.id == current_user.id and change in ("koordination", "deaktivieren"):
        return redirect(url_for("coordination.dashboard"))  # this page is no longer theirs
    return redirect(url_for("settings.users"))


def _apply(user: User, change: str) -> None:
    db = get_session()
    common = {"pool_id": user.pool_id, "user_id": user.id, "actor": f"user:{current_user.id}"}
    if change in ("administration", "koordination"):
        role = Role.ADMIN if change == "administration" else Role.COORDINATOR
        service.change_role(db, role=role, **common)
    elif change == "einladung":
        service.resend_invitation(db, now=local_now(), **common)
    else:
        service.set_active(db, active=change == "reaktivieren", **common)
