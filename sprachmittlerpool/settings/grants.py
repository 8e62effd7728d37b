"""Settings: the state grant per year, the budget that payout pages and reports set the allowances against."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from sprachmittlerpool.db import get_session
from sprachmittlerpool.exports.formatting import money_de
from sprachmittlerpool.grants import LAST_YEAR, check_grant
from sprachmittlerpool.models import local_now
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import grants as service
from sprachmittlerpool.settings import SECTIONS, bp
from sprachmittlerpool.tariff import from_cents

SECTIONS.append(
    (
        "settings.grants",
        "Landeszuschuss",
        "Der Zuschuss des Landes je Jahr, gegen den Auszahlungen und Berichte die Ausgaben stellen.",
    )
)


def _page(values: dict[str, str], errors: dict[str, str]) -> str:
    db = get_session()
    rows = [
        (row.year, money_de(from_cents(row.amount_cents)))
        for row in service.grants_of(db, pool_id=current_pool_id(db))
    ]
    return render_template("settings/grants.html", rows=rows, values=values, errors=errors)


@bp.get("/zuschuss")
def grants():
    """List the recorded grants and offer a form for a year's grant."""
    return _page({"year": str(local_now().year), "amount": ""}, {})


@bp.post("/zuschuss")
def save_grant():
    """Record or change a year's grant (German amounts such as 50.000,00)."""
    checked, errors = check_grant(request.form)
    if checked is None:
        return _page(
            {"year": request.form.get("year", ""), "amount": request.form.get("amount", "")}, errors
        ), 422
    year, cents = checked
    db = get_session()
    changed = service.set_grant(
        db, pool_id=current_pool_id(db), year=year, amount_cents=cents, actor=_actor()
    )
    amount = money_de(from_cents(cents))
    flash(f"Landeszuschuss {year}: {amount} gespeichert." if changed else "Nichts geändert.", "success")
    return redirect(url_for("settings.grants"))


@bp.post("/zuschuss/<int:year>/entfernen")
def remove_grant(year: int):
    """Remove a year's grant; the budget then says that no grant is on record."""
    if year > LAST_YEAR:
        abort(404)
    db = get_session()
    if not service.remove_grant(db, pool_id=current_pool_id(db), year=year, actor=_actor()):
        abort(404)
    flash(f"Der Landeszuschuss {year} ist entfernt; für {year} ist nun kein Zuschuss hinterlegt.", "success")
    return redirect(url_for("settings.grants"))


def _actor() -> str:
    return f"user:{current_user.id}"
