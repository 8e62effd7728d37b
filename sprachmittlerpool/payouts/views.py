"""Coordinators' payout pages: months, one month's list, closing, downloads, SEPA files."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from sprachmittlerpool.db import get_session
from sprachmittlerpool.exports.formatting import month_de
from sprachmittlerpool.models import local_now
from sprachmittlerpool.payouts import bp
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import payouts
from sprachmittlerpool.tax_limits import limit_for_year

DOWNLOAD_FORMATS = {"csv": "csv", "xlsx": "xlsx", "pdf": "pdf"}


@bp.before_request
@login_required
def _require_login() -> None:
    """Deny every payout page to anyone not logged in as a coordinator."""


def _month_or_404(month: str) -> str:
    """Return a valid 'YYYY-MM' or answer 404."""
    try:
        return payouts.parse_month(month)
    except ValueError:
        abort(404)


@bp.get("/auszahlungen")
def months():
    """List the payout months with their sums and state, and the year's budget."""
    db = get_session()
    year = local_now().year
    return render_template(
        "payouts/months.html",
        months=payouts.list_months(db, pool_id=current_pool_id(db)),
        budget=payouts.year_budget(db, year, pool_id=current_pool_id(db)),
        year=year,
        current_month=payouts.month_of(local_now()),
    )


@bp.get("/auszahlungen/<month>")
def month_detail(month: str):
    """Show one month's list per volunteer with year-to-date totals against the tax-free limit."""
    month = _month_or_404(month)
    db = get_session()
    payout_list = payouts.build_payout_list(db, month, pool_id=current_pool_id(db))
    year = payout_list.year
    return render_template(
        "payouts/month.html",
        payout_list=payout_list,
        limit=limit_for_year(year),
        budget=payouts.year_budget(db, year, pool_id=current_pool_id(db)),
        sepa_count=sum(1 for line in payout_list.lines if line.iban_masked and line.amount > 0),
        iban_warning=payouts.iban_warning(payout_list),
        hundred=Decimal(100),
    )


@bp.get("/auszahlungen/<month>/abschliessen")
def confirm_close(month: str):
    """Ask for confirmation before a month is frozen for good, warning of volunteers without an IBAN."""
    month = _month_or_404(month)
    db = get_session()
    payout_list = payouts.build_payout_list(db, month, pool_id=current_pool_id(db))
    if payout_list.closed:
        flash(f"Der Monat {month_de(month)} ist bereits abgeschlossen.", "error")
        return redirect(url_for("payouts.month_detail", month=month))
    try:
        payouts.check_closable(month, local_now().date())
    except payouts.MonthNotClosableError as error:
        flash(str(error), "error")
        return redirect(url_for("payouts.month_detail", month=month))
    return render_template(
        "payouts/confirm_close.html", payout_list=payout_list, iban_warning=payouts.iban_warning(payout_list)
    )


@bp.post("/auszahlungen/<month>/abschliessen")
def close(month: str):
    """Close the month: write its snapshot, total and checksum; a second close changes nothing."""
    month = _month_or_404(month)
    db = get_session()
    try:
        payouts.close_month(
            db,
            month,
            pool_id=current_user.pool_id,
            user_id=current_user.id,
            actor=f"user:{current_user.id}",
        )
    except payouts.MonthClosedError:
        flash(f"Der Monat {month_de(month)} ist bereits abgeschlossen; nichts wurde geändert.", "error")
        return redirect(url_for("payouts.month_detail", month=month)), 409
    except payouts.MonthNotClosableError as error:
        flash(str(error), "error")
        return redirect(url_for("payouts.month_detail", month=month))
    flash(
        f"Der Monat {month_de(month)} ist abgeschlossen. Spätere Änderungen werden als Korrektur gebucht.",
        "success",
    )
    return redirect(url_for("payouts.month_detail", month=month))


@bp.get("/payouts/<month>.<ext>")
def download(month: str, ext: str):
    """Send a month's list as CSV, XLSX or PDF (never with IBANs)."""
    month = _month_or_404(month)
    fmt = DOWNLOAD_FORMATS.get(ext)
    if fmt is None:
        abort(404)
    db = get_session()
    return _attachment(payouts.render_export(db, month, fmt, current_app.config, pool_id=current_pool_id(db)))


@bp.post("/payouts/<month>/sepa")
def sepa(month: str):
    """Make a new SEPA transfer file of a closed month (each one a payment order with its own number)."""
    month = _month_or_404(month)
    try:
        export = payouts.create_sepa_file(
            get_session(),
            month,
            current_app.config,
            pool_id=current_user.pool_id,
            actor=f"user:{current_user.id}",
        )
    except payouts.SepaRefusedError as error:
        flash(str(error), "error")
        return redirect(url_for("payouts.month_detail", month=month))
    return _attachment(export)


def _attachment(export: payouts.ExportFile) -> Response:
    """Send a file as a download that is not cached; its content type is sent as given (one charset)."""
    response = Response(export.data, content_type=export.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def _formatting() -> dict[str, object]:
    """Offer the German money, date and month formats to the payout templates."""
    from sprachmittlerpool.exports import formatting

    return {
        "money": formatting.money_de,
        "date_de": formatting.date_de,
        "datetime_de": formatting.datetime_de,
        "month_de": formatting.month_de,
        "outcome_de": formatting.outcome_de,
        "warning_de": formatting.warning_de,
        "status_de": formatting.status_de,
    }
