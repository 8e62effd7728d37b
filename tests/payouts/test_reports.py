"""The committee's figures: page with SVG charts, CSV/XLSX, and the CLI."""

from __future__ import annotations

import io
import re
from datetime import datetime

import openpyxl
import pytest

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import InterpretingRequest
from sprachmittlerpool.services import payouts
from tests.factories import FIRST_POOL
from tests.payouts import helpers


@pytest.fixture
def year_2025(app):
    """Two completed assignments, one rejected and one unfilled request in 2025."""
    with app.app_context():
        s = new_session(write=True)
        inst = helpers.institution(s)
        vol = helpers.volunteer(s, name="<script>alert(1)</script>")
        for start, cents, lang in (
            (datetime(2025, 2, 3, 9), 2500, "uk"),
            (datetime(2025, 3, 3, 9), 3500, "ar"),
        ):
            assignment = helpers.completed(s, vol.id, inst.id, start, cents, language=lang)
            payouts.book_allowance(s, assignment, now=start)
        rejected = helpers.completed(s, vol.id, inst.id, datetime(2025, 4, 1, 9), 0)
        request = s.get(InterpretingRequest, rejected.request_id)
        s.delete(rejected)
        s.flush()
        request.status = "rejected"
        request.reasons = [
            {"rule": "legal.police", "effect": "reject"},
            {"rule": "x.review", "effect": "review"},
        ]
        unfilled = helpers.completed(s, vol.id, inst.id, datetime(2025, 5, 1, 9), 0)
        request2 = s.get(InterpretingRequest, unfilled.request_id)
        s.delete(unfilled)
        s.flush()
        request2.status = "unfilled"
        request2.unfilled_reason = "no_candidate"
        s.commit()
        s.close()


def test_report_page_has_figures_and_escaped_svg_charts(coordinator_client, year_2025) -> None:
    response = coordinator_client.get("/berichte?from=2025-01-01&to=2025-12-31")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<svg") == 9  # assignments by five dimensions, money by month, grant, rules, reasons
    assert "60,00 €" in html
    assert "66,7 %" in html  # 2 placed of 3 tried
    assert "Termine bei der Polizei" in html
    assert "legal.police" not in html and "x.review" not in html
    assert "keine passende Person" in html
    assert "<script" not in html


def test_report_exports_and_login(client, coordinator_client, year_2025) -> None:
    assert client.get("/berichte").status_code == 302
    assert client.get("/berichte.csv").status_code == 302
    csv = coordinator_client.get("/berichte.csv?from=2025-01-01&to=2025-12-31")
    assert csv.mimetype == "text/csv"
    text = csv.data.decode("utf-8-sig")
    assert "Kennzahlen;Anfragen;4" in text and "Kennzahlen;Einsätze;2" in text
    assert "Aufwandsentschädigungen gesamt, vorläufig (EUR);60,00" in text
    xlsx = coordinator_client.get("/berichte.xlsx?from=2025-01-01&to=2025-12-31")
    assert xlsx.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx.data[:2] == b"PK"
    assert coordinator_client.get("/berichte?from=2025-13-01").status_code == 400


def test_cli_report_and_payout_export(app, year_2025, tmp_path) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["report", "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert "Anfragen: 4" in result.output and "Berechne Kennzahlen 2025" in result.output
    result = runner.invoke(args=["report", "--year", "2025", "--format", "csv"])
    assert "Kennzahlen;Einsätze;2" in result.output
    out = tmp_path / "feb.csv"
    result = runner.invoke(args=["payouts", "export", "2025-02", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "[3/3]" in result.output and out.read_bytes().startswith(b"\xef\xbb\xbf")
    result = runner.invoke(
        args=["payouts", "export", "2025-02", "--format", "sepa", "--out", str(tmp_path / "x.xml")]
    )
    assert result.exit_code != 0 and "noch nicht abgeschlossen" in result.output
    assert not (tmp_path / "x.xml").exists()


def test_the_year_report_separates_closed_months_from_provisional_open_ones(
    app, coordinator_client, year_2025
) -> None:
    with app.app_context(), new_session(write=True) as s:
        payouts.close_month(s, "2025-02", pool_id=FIRST_POOL, user_id=None, actor="test")
    query = "from=2025-01-01&to=2025-12-31"

    html = coordinator_client.get(f"/berichte?{query}").get_data(as_text=True)
    csv = coordinator_client.get(f"/berichte.csv?{query}").data.decode("utf-8-sig")
    workbook = openpyxl.load_workbook(io.BytesIO(coordinator_client.get(f"/berichte.xlsx?{query}").data))
    xlsx = "\n".join(
        ";".join("" if cell is None else str(cell) for cell in row)
        for row in workbook.active.iter_rows(values_only=True)
    )
    text = app.test_cli_runner().invoke(args=["report", "--year", "2025"]).output

    assert "Februar 2025" in html and "März 2025" in html
    assert re.search(r"März 2025\s*</th>\s*<td[^>]*>\s*<span[^>]*>\s*vorläufig", html), html
    assert "Aufwandsentschädigungen je Monat;Februar 2025 (abgeschlossen);25,00" in csv
    assert "Aufwandsentschädigungen je Monat;März 2025 (vorläufig);35,00" in csv
    assert "Aufwandsentschädigungen abgeschlossener Monate (EUR);25,00" in csv
    assert "Aufwandsentschädigungen offener Monate, vorläufig (EUR);35,00" in csv
    assert "März 2025 (vorläufig);35" in xlsx and "Februar 2025 (abgeschlossen);25" in xlsx
    assert "März 2025 (vorläufig)" in text and "vorläufig" in text.split("Summe")[-1]
