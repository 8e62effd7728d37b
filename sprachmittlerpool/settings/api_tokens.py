"""Settings: the API tokens of the pool's accounts (create, shown once; revoke after a confirmation)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import local_now
from sprachmittlerpool.pools import current_pool, current_pool_id
from sprachmittlerpool.services import accounts, api_tokens
from sprachmittlerpool.settings import SECTIONS, bp
from sprachmittlerpool.text_check import whole_number

SECTIONS.append(
    (
        "settings.api_tokens_page",
        "API-Tokens",
        "Zugänge für andere Programme (z. B. die Fachsoftware des Jugendamts): anlegen, ansehen, widerrufen.",
    )
)


def _tokens_page(values: dict[str, str], errors: dict[str, str], created: str = "", status: int = 200):
    db = get_session()
    pool_id = current_pool_id(db)
    page = render_template(
        "settings/api_tokens.html",
        rows=api_tokens.pool_tokens(db, pool_id=pool_id, now=local_now()),
        users=[user for user in accounts.pool_users(db, pool_id=pool_id) if user.active],
        days=current_pool(db).api_token_days,
        state_de=api_tokens.STATE_DE,
        values=values, errors=errors, created=created,
    )  # fmt: skip
    return page, status


@bp.get("/api-tokens")
def api_tokens_page():
    """List the pool's tokens with the form to create one."""
    return _tokens_page({"user_id": "", "label": ""}, {})


@bp.post("/api-tokens")
def create_api_token():
    """Create a token and show it this once (it is not stored, so it cannot be shown again)."""
    values = {field: request.form.get(field, "").strip() for field in ("user_id", "label")}
    db = get_session()
    try:
        _token, plain = api_tokens.create_token(
            db, pool_id=current_pool_id(db), user_id=whole_number(values["user_id"]) or 0,
            label=values["label"], actor=f"user:{current_user.id}", now=local_now(),
        )  # fmt: skip
    except api_tokens.TokenError as exc:
        return _tokens_page(values, {exc.field or "label": exc.message}, status=422)
    return _tokens_page({"user_id": "", "label": ""}, {}, created=plain)


def _row(token_id: int) -> api_tokens.TokenRow:
    db = get_session()
    found = api_tokens.token_in_pool(db, pool_id=current_pool_id(db), token_id=token_id, now=local_now())
    return found or abort(404)


@bp.get("/api-tokens/<int:token_id>/widerrufen")
def confirm_revoke_api_token(token_id: int):
    """Ask before a token is revoked for good."""
    return render_template("settings/api_token_revoke.html", row=_row(token_id))


@bp.post("/api-tokens/<int:token_id>/widerrufen")
def revoke_api_token(token_id: int):
    """Revoke a token: every worker refuses it from the next call on."""
    row = _row(token_id)
    db = get_session()
    revoked = api_tokens.revoke(
        db, pool_id=row.owner.pool_id, token_id=token_id, actor=f"user:{current_user.id}", now=local_now()
    )
    label = row.token.label or f"Nr. {token_id}"
    flash(
        f"Das Token „{label}“ ist widerrufen." if revoked else f"Das Token „{label}“ war schon widerrufen.",
        "success",
    )
    return redirect(url_for("settings.api_tokens_page"))
