"""/betrieb/land: the state's yearly figures per pool and in total, as a page and as CSV, for operators only.

An operator account (Role.OPERATOR, `flask users create EMAIL --role operator`) opens these pages and nothing
else: the guard below turns it away from every pool page, and the API refuses its tokens (api/common.py).
Pool accounts, admins included, get 403 here: a pool sees only its own figures under /berichte.
"""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request
from flask_login import current_user, login_required

from sprachmittlerpool.db import get_session
from sprachmittlerpool.exports.formatting import money_de
from sprachmittlerpool.german import decimal
from sprachmittlerpool.models import Role, local_now
from sprachmittlerpool.operator import bp
from sprachmittlerpool.services import state_report
from sprachmittlerpool.services.payouts import FIRST_YEAR, LAST_YEAR

# Where an operator may go: its own pages, logging in and out, the public pages and the API (which refuses
# its tokens and sessions itself, answering in JSON).
OPERATOR_BLUEPRINTS = frozenset({"operator", "auth", "public", "intake", "api"})


def is_operator(user: object) -> bool:
    """Tell whether a (logged-in) account runs the installation."""
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) == Role.OPERATOR


@bp.before_app_request
def _operators_see_only_figures() -> None:
    """Refuse an operator every pool page: the account sees aggregate figures, no pool's personal data."""
    if (
        is_operator(current_user)
        and request.blueprint not in OPERATOR_BLUEPRINTS
        and request.endpoint != "static"
    ):
        abort(403)


@bp.before_request
@login_required
def _require_operator() -> None:
    """Let only operator accounts in; a pool's coordinators and admins get 403."""
    if not is_operator(current_user):
        abort(403)


def _year() -> int:
    """Read ?year= (this year by default); 400 for anything but a year the app can count."""
    text = (request.args.get("year") or "").strip()
    if not text:
        return local_now().year
    if not (text.isascii() and text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR):
        abort(400, f"Bitte ein Jahr zwischen {FIRST_YEAR} und {LAST_YEAR} angeben, z. B. 2026.")
    return int(text)


def _report(year: int) -> state_report.StateReport:
    return state_report.build(get_session(), year, instance_path=current_app.instance_path)


@bp.get("/land")
def state_page():
    """Show the year's figures per pool with the total row, rejections by rule and institutions by type."""
    report = _report(_year())
    return render_template(
        "operator/state.html",
        report=report,
        columns=state_report.COLUMNS,
        counted_by=state_report.COUNTED_BY,
        rule_table=state_report.rule_table(report),
        institution_table=state_report.institution_table(report),
        money=money_de,
        decimal=decimal,
    )


@bp.get("/land.csv")
def state_csv():
    """Send the year's figures as CSV for German Excel."""
    year = _year()
    response = Response(state_report.to_csv(_report(year)), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="landesauswertung-{year}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
