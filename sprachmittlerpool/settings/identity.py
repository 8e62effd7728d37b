"""Settings: the pool's identity (name, contact, Impressum, privacy notice) and its paying account."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from sprachmittlerpool.db import get_session
from sprachmittlerpool.ibans import parse_key
from sprachmittlerpool.identity import (
    IDENTITY_FIELDS,
    PoolIdentity,
    check_account,
    check_identity,
    render_markdown,
)
from sprachmittlerpool.pools import base_url_of, current_pool_id
from sprachmittlerpool.services import identity as service
from sprachmittlerpool.settings import SECTIONS, bp

LABELS = {field: label for field, label, *_ in IDENTITY_FIELDS} | {
    "account_holder": "Kontoinhaber",
    "iban": "IBAN",
    "bic": "BIC",
}

SECTIONS.append(
    (
        "settings.identity",
        "Auftritt und Kontakt",
        "Name des Pools, Anschrift und Erreichbarkeit des KI, Impressum und Datenschutzhinweis.",
    )
)
SECTIONS.append(
    (
        "settings.account",
        "Zahlungskonto",
        "Das Konto, von dem die Aufwandsentschädigungen per SEPA-Datei überwiesen werden.",
    )
)


def _actor() -> str:
    return f"user:{current_user.id}"


def _changed(fields: list[str]) -> str:
    """Name changed fields in German for the confirmation message."""
    return ", ".join(LABELS.get(field, field) for field in fields)


@bp.get("/auftritt")
def identity():
    """Show the pool's identity for editing."""
    db = get_session()
    pool = service.pool_row(db, current_pool_id(db))
    values = {field: getattr(pool, field) for field, *_ in IDENTITY_FIELDS}
    return render_template("settings/identity.html", values=values, errors={}, preview=None)


@bp.post("/auftritt")
def save_identity():
    """Check the identity; show a preview, or store it and say which fields changed."""
    values, errors = check_identity(request.form)
    if errors or request.form.get("action") == "preview":
        shown = {field: request.form.get(field, "") for field, *_ in IDENTITY_FIELDS}
        preview = None if errors else _preview(values)
        page = render_template("settings/identity.html", values=shown, errors=errors, preview=preview)
        return page, 422 if errors else 200
    db = get_session()
    changed = service.update_identity(db, pool_id=current_pool_id(db), values=values, actor=_actor())
    flash(f"Gespeichert. Geändert: {_changed(changed)}." if changed else "Nichts geändert.", "success")
    return redirect(url_for("settings.identity"))


def _preview(values: dict[str, str]) -> dict[str, object]:
    """Render the texts and the footer as the public pages will show them."""
    return {
        "impressum": render_markdown(values["impressum_md"]),
        "privacy": render_markdown(values["privacy_md"]),
        "pool": PoolIdentity(
            name=values["name"],
            organisation=values["organisation"],
            postal_address=values["postal_address"],
            phone=values["phone"],
            email=values["email"],
            opening_hours=values["opening_hours"],
            base_url=base_url_of(get_session(), current_pool_id(get_session())),
        ),
    }


@bp.get("/zahlungskonto")
def account():
    """Show the paying account, the IBAN masked only."""
    db = get_session()
    pool = service.pool_row(db, current_pool_id(db))
    values = {"account_holder": pool.account_holder, "bic": pool.bic}
    return render_template("settings/account.html", stored=pool, values=values, errors={})


@bp.post("/zahlungskonto")
def save_account():
    """Check and store the paying account; an empty IBAN field keeps the stored IBAN."""
    db = get_session()
    pool = service.pool_row(db, current_pool_id(db))
    checked, errors = check_account(request.form, has_iban=bool(pool.iban_encrypted))
    if checked is None:
        values = {
            "account_holder": request.form.get("account_holder", ""),
            "bic": request.form.get("bic", ""),
        }
        page = render_template("settings/account.html", stored=pool, values=values, errors=errors)
        return page, 422
    changed = service.update_account(
        db, pool_id=pool.id, account=checked, key=parse_key(current_app.config["IBAN_KEY"]), actor=_actor()
    )
    flash(f"Gespeichert. Geändert: {_changed(changed)}." if changed else "Nichts geändert.", "success")
    return redirect(url_for("settings.account"))


@bp.get("/zahlungskonto/entfernen")
def confirm_remove_account():
    """Ask before the paying account is removed (SEPA files stop until a new one is set)."""
    db = get_session()
    return render_template("settings/account_remove.html", stored=service.pool_row(db, current_pool_id(db)))


@bp.post("/zahlungskonto/entfernen")
def remove_account():
    """Remove the paying account."""
    db = get_session()
    removed = service.remove_account(db, pool_id=current_pool_id(db), actor=_actor())
    flash(
        "Das Zahlungskonto ist entfernt." if removed else "Es war kein Zahlungskonto hinterlegt.", "success"
    )
    return redirect(url_for("settings.account"))
