"""The committee's figures as a page with charts and data tables, and as CSV, XLSX and a printable PDF."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, render_template, request
from flask_login import login_required
from markupsafe import Markup

from sprachmittlerpool.charts import bar_chart_svg, top_items
from sprachmittlerpool.db import get_session
from sprachmittlerpool.exports.formatting import MONTHS_DE, date_de, money_de, month_de
from sprachmittlerpool.models import local_now
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.reports import bp
from sprachmittlerpool.reports.pdf import to_pdf
from sprachmittlerpool.services import identity, reports
from sprachmittlerpool.services.report_breakdowns import COUNTED_BY, MEASURES, figure_de

PARTS = (
    ("", "ganzes Jahr"),
    *((f"Q{n}", f"{n}. Quartal") for n in range(1, 5)),
    *((f"{n:02d}", name) for n, name in enumerate(MONTHS_DE, start=1)),
)


@bp.before_request
@login_required
def _require_login() -> None:
    """Deny the figures to anyone not logged in as a coordinator."""


def _report() -> reports.Report:
    """Build the report of the period the query asks for (this year by default); 400 for nonsense."""
    try:
        start, end = reports.choose_period(request.args, local_now().date())
    except reports.InvalidPeriod as exc:
        abort(400, str(exc))
    return _build(start, end)


def _build(start: date, end: date) -> reports.Report:
    """Build the report of the pool, its rules named by their titles."""
    db = get_session()
    pool_id = current_pool_id(db)
    titles = reports.rule_titles(db, pool_id=pool_id, instance_path=current_app.instance_path)
    return reports.build_report(db, start, end, pool_id=pool_id, titles=titles)


@bp.get("/berichte")
def page():
    """Show the period's figures: key figures, the grant, and each breakdown as a chart with its table.

    A period that is not one shows this year with the reason above the form (400), so the form stays at hand.
    """
    error = None
    try:
        start, end = reports.choose_period(request.args, local_now().date())
    except reports.InvalidPeriod as exc:
        error, (start, end) = str(exc), reports.default_period(local_now().date())
    report = _build(start, end)
    query = {"from": report.start.isoformat(), "to": report.end.isoformat()}
    return render_template(
        "reports/page.html",
        report=report,
        charts=_charts(report),
        query=query,
        parts=PARTS,
        chosen_year=str(report.start.year),
        chosen_part="" if error else request.args.get("part", ""),
        measures=MEASURES,
        counted_by=COUNTED_BY,
        figure=figure_de,
        money=money_de,
        month_de=month_de,
        date_de=date_de,
        error=error,
    ), (400 if error else 200)


@bp.get("/berichte.csv")
def csv_file():
    """Send the period's figures as CSV."""
    report = _report()
    return _attachment(reports.to_csv(report), "text/csv; charset=utf-8", _filename(report, "csv"))


@bp.get("/berichte.xlsx")
def xlsx_file():
    """Send the period's figures as an Excel workbook, a sheet per breakdown."""
    report = _report()
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _attachment(reports.to_xlsx(report), mimetype, _filename(report, "xlsx"))


@bp.get("/berichte.pdf")
def pdf_file():
    """Send the period's figures as a printable A4 PDF."""
    report = _report()
    pool_name = identity.pool_row(get_session(), current_pool_id(get_session())).name
    return _attachment(to_pdf(report, pool_name=pool_name), "application/pdf", _filename(report, "pdf"))


def _charts(report: reports.Report) -> dict[str, Markup]:
    """Draw the page's charts: assignments by each dimension, money by month, the grant, rejections, unfilled."""
    charts = {}
    for breakdown in report.breakdowns:
        items = [(row.label, row.assignments) for row in breakdown.rows]
        if breakdown.dimension != "month":
            items = top_items(sorted((item for item in items if item[1]), key=lambda item: -item[1]))
        charts[breakdown.dimension] = _svg(bar_chart_svg(f"Einsätze nach {breakdown.name}", items))
        if breakdown.dimension == "month":
            money = [(row.label, row.allowances) for row in breakdown.rows]
            charts["money"] = _svg(
                bar_chart_svg("Aufwandsentschädigungen je Monat", money, unit="€", places=2)
            )
    grant = [
        item
        for b in report.budgets
        for item in ((f"Zuschuss {b.year}", b.budget), (f"gebucht {b.year}", b.spent))
        if item[1] is not None
    ]
    charts["grant"] = _svg(bar_chart_svg("Zuschuss und gebuchte Beträge", grant, unit="€", places=2))
    charts["rejections"] = _svg(bar_chart_svg("Abgelehnt nach Regel", top_items(report.rejections)))
    charts["unfilled"] = _svg(bar_chart_svg("Nicht besetzt nach Grund", report.unfilled_reasons))
    return charts


def _svg(svg: str) -> Markup:
    """Mark a chart as markup: charts.py escapes every label and value it draws."""
    return Markup(svg)  # noqa: S704 - built by charts.py from escaped text only


def _filename(report: reports.Report, extension: str) -> str:
    return f"bericht-{report.start}-{report.end}.{extension}"


def _attachment(data: bytes, content_type: str, filename: str) -> Response:
    """Wrap a file as a download that is not cached; the content type is sent as given (one charset)."""
    response = Response(data, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
