"""The committee's figures as a page with charts, and as CSV and XLSX."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, render_template, request
from flask_login import login_required
from markupsafe import Markup

from sprachmittlerpool.charts import bar_chart_svg, line_chart_svg
from sprachmittlerpool.db import get_session
from sprachmittlerpool.exports.formatting import money_de, month_de
from sprachmittlerpool.models import local_now
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.reports import bp
from sprachmittlerpool.services import reports
from sprachmittlerpool.services.payouts import FIRST_YEAR, LAST_YEAR

MAX_DAYS = 366 * 10


@bp.before_request
@login_required
def _require_login() -> None:
    """Deny the figures to anyone not logged in as a coordinator."""


def _period() -> tuple[date, date]:
    """Read ?from=&to= (ISO dates), this year by default; 400 for nonsense."""
    start, end = reports.default_period(local_now().date())
    try:
        if request.args.get("from"):
            start = date.fromisoformat(request.args["from"])
        if request.args.get("to"):
            end = date.fromisoformat(request.args["to"])
    except ValueError:
        abort(400, "Bitte Datumsangaben als JJJJ-MM-TT.")
    if end < start or (end - start).days > MAX_DAYS:
        abort(400, "Der Zeitraum ist ungültig.")
    if not (start.year >= FIRST_YEAR and end.year <= LAST_YEAR):  # month arithmetic needs room on both sides
        abort(400, f"Bitte einen Zeitraum zwischen {FIRST_YEAR} und {LAST_YEAR} wählen.")
    return start, end


@bp.get("/berichte")
def page():
    """Show the period's figures with server-rendered SVG charts."""
    start, end = _period()
    report = reports.build_report(get_session(), start, end, pool_id=current_pool_id(get_session()))
    charts = {
        "languages": _svg(bar_chart_svg("Meistgefragte Sprachen", report.languages, unit="Anfragen")),
        "months": _svg(
            line_chart_svg(
                "Anfragen je Monat", [(month_de(m), n) for m, n in report.per_month], unit="Anfragen"
            )
        ),
        "rejections": _svg(bar_chart_svg("Abgelehnt nach Regel", report.rejections, unit="Anfragen")),
        "unfilled": _svg(bar_chart_svg("Nicht besetzt nach Grund", report.unfilled_reasons, unit="Anfragen")),
    }
    query = {"from": start.isoformat(), "to": end.isoformat()}
    return render_template(
        "reports/page.html", report=report, charts=charts, query=query, money=money_de, month_de=month_de
    )


@bp.get("/berichte.csv")
def csv_file():
    """Send the period's figures as CSV."""
    start, end = _period()
    data = reports.to_csv(
        reports.build_report(get_session(), start, end, pool_id=current_pool_id(get_session()))
    )
    return _attachment(data, "text/csv; charset=utf-8", f"bericht-{start}-{end}.csv")


@bp.get("/berichte.xlsx")
def xlsx_file():
    """Send the period's figures as an Excel workbook."""
    start, end = _period()
    data = reports.to_xlsx(
        reports.build_report(get_session(), start, end, pool_id=current_pool_id(get_session()))
    )
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _attachment(data, mimetype, f"bericht-{start}-{end}.xlsx")


def _svg(svg: str) -> Markup:
    """Mark a chart as markup: charts.py escapes every label and value it draws."""
    return Markup(svg)  # noqa: S704 - built by charts.py from escaped text only


def _attachment(data: bytes, content_type: str, filename: str) -> Response:
    """Wrap a file as a download that is not cached; the content type is sent as given (one charset)."""
    response = Response(data, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
