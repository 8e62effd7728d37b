"""The report as a page, CSV, XLSX and PDF: the same hand-counted figures, German words and formats, one pool."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from pypdf import PdfReader

YEAR = "/berichte{suffix}?year=2025"
UKRAINIAN = ["Ukrainisch", "4", "2", "3,5", "65,00", "1", "0", "1"]
TOTAL = ["Summe", "7", "3", "4,5", "115,00", "2", "1", "1"]


def _csv_blocks(data: bytes) -> dict[str, list[list[str]]]:
    """Split the CSV at its empty lines into tables, keyed by their first heading cell."""
    blocks: dict[str, list[list[str]]] = {}
    for chunk in data.decode("utf-8-sig").split("\r\n\r\n"):
        rows = list(csv.reader(io.StringIO(chunk), delimiter=";"))
        blocks[rows[0][0]] = rows
    return blocks


def test_the_page_shows_each_breakdown_with_its_chart_and_table_in_german(coordinator_client, two_years):
    html = coordinator_client.get(YEAR.format(suffix="")).get_data(as_text=True)

    assert "Zeitraum: <strong>Jahr 2025</strong> (01.01.2025 bis 31.12.2025)" in html
    for heading in (
        "Nach Sprache",
        "Nach Art der Einrichtung",
        "Nach Art des Termins",
        "Nach Kommune",
        "Nach Monat",
    ):
        assert heading in html
    assert re.search(
        r"Ukrainisch</th>"
        + "".join(rf"<td class=\"num\">{v}</td>" for v in ("4", "2", "3,5", "65,00 €", "1", "0", "1")),
        html,
    )
    assert "Kindertageseinrichtung (Kita)" in html and "Elterngespräch" in html and "kita<" not in html
    assert "Termine bei der Polizei" in html and "andere Regel" in html
    assert "nach dem Tag des Eingangs" in html and "nach dem Monat der Auszahlungsliste" in html
    assert "1.000,00 €" in html and "885,00 €" in html and "11,50 %" in html
    assert (
        "<title>Zuschuss 2025: 1.000,00 €</title>" in html and "<title>gebucht 2025: 115,00 €</title>" in html
    )
    assert "Rumänisch" not in html and "Wegberg" not in html
    assert not re.search(r"legal\.|pool\.|private\.", html)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 9
    assert html.count('class="table-scroll"') >= 8


@pytest.mark.parametrize(
    ("query", "label", "requests"),
    [
        ("year=2025&part=Q2", "2. Quartal 2025 (April bis Juni)", 4),
        ("year=2025&part=03", "März 2025", 0),
        ("from=2025-02-01&to=2025-02-28", "Februar 2025", 1),
        ("from=2025-01-15&to=2025-02-10", "15. Januar 2025 bis 10. Februar 2025", 1),
        ("from=2024-12-01&to=2025-01-31", "1. Dezember 2024 bis 31. Januar 2025", 3),
        ("year=2024", "Jahr 2024", 2),
    ],
)
def test_a_period_is_chosen_as_a_year_a_quarter_a_month_or_two_dates(
    coordinator_client, two_years, query, label, requests
):
    html = coordinator_client.get(f"/berichte?{query}").get_data(as_text=True)

    assert f"Zeitraum: <strong>{label}</strong>" in html
    assert f'<div class="figure num">{requests}</div>Anfragen' in html


@pytest.mark.parametrize(
    "query",
    ["year=25", "year=abcd", "year=١٢٣٤", "year=2025&part=Q5", "year=2025&part=13", "from=2025-02-30"],
)
def test_a_period_that_is_not_one_is_refused_in_german(coordinator_client, query):
    response = coordinator_client.get(f"/berichte?{query}")

    assert response.status_code == 400
    assert "Bitte" in response.get_data(as_text=True)


def test_the_csv_has_the_key_figures_and_a_table_per_breakdown(coordinator_client, two_years):
    blocks = _csv_blocks(coordinator_client.get(YEAR.format(suffix=".csv")).data)

    assert ["Zeitraum", "Bezeichnung", "Jahr 2025"] in blocks["Bereich"]
    assert ["Zeitraum", "von", "01.01.2025"] in blocks["Bereich"]
    assert ["Abgelehnt nach Regel", "Termine bei der Polizei", "1"] in blocks["Bereich"]
    assert ["Landeszuschuss 2025", "Verbleibend (EUR)", "885,00"] in blocks["Bereich"]
    assert blocks["Sprache"][0][1:] == [
        "Anfragen",
        "Einsätze",
        "Stunden",
        "Aufwandsentschädigungen (EUR)",
        "Abgelehnt",
        "Nicht besetzt",
        "Abgesagt",
    ]
    assert blocks["Sprache"][1] == UKRAINIAN and blocks["Sprache"][-1] == TOTAL
    assert set(blocks) == {"Bereich", "Sprache", "Art der Einrichtung", "Art des Termins", "Kommune", "Monat"}
    assert len(blocks["Monat"]) == 1 + 12 + 1


def test_the_workbook_has_a_sheet_per_breakdown_with_numbers_as_numbers(coordinator_client, two_years):
    data = coordinator_client.get(YEAR.format(suffix=".xlsx")).data

    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook["Sprache"]
    ukrainian = [cell.value for cell in sheet[2]]
    money = sheet.cell(2, 5)

    assert workbook.sheetnames == [
        "Bericht",
        "Sprache",
        "Art der Einrichtung",
        "Art des Termins",
        "Kommune",
        "Monat",
    ]
    assert ukrainian[0] == "Ukrainisch" and ukrainian[1:3] == [4, 2]
    assert float(ukrainian[3]) == 3.5 and float(ukrainian[4]) == 65.0 and ukrainian[5:] == [1, 0, 1]
    assert "€" in money.number_format
    assert [cell.value for cell in workbook["Monat"]["A"]][1:4] == [
        "Januar 2025",
        "Februar 2025",
        "März 2025",
    ]


def test_the_pdf_prints_the_period_the_counting_the_grant_and_every_breakdown(coordinator_client, two_years):
    response = coordinator_client.get(YEAR.format(suffix=".pdf"))

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert "Bericht für den Ausschuss" in text and "Zeitraum: Jahr 2025 (01.01.2025 bis 31.12.2025)" in text
    assert "nach dem Tag des Eingangs" in text
    assert "1.000,00 €" in text and "885,00 €" in text and "11,50 %" in text
    for heading in (
        "Nach Sprache",
        "Nach Art der Einrichtung",
        "Nach Art des Termins",
        "Nach Kommune",
        "Nach Monat",
    ):
        assert heading in text
    assert "Kindertageseinrichtung (Kita)" in text and "65,00 €" in text and "115,00 €" in text
    assert "Termine bei der Polizei" in text and "andere Regel" in text
    assert "Rumänisch" not in text and not re.search(r"legal\.|pool\.|private\.", text)


def test_the_files_are_for_coordinators_only(client):
    for suffix in ("", ".csv", ".xlsx", ".pdf"):
        assert client.get(YEAR.format(suffix=suffix)).status_code == 302


def test_the_terminal_report_lists_each_breakdown_in_german(app, two_years):
    output = app.test_cli_runner().invoke(args=["report", "--year", "2025", "--pool", "pool"]).output

    assert "Nach Art des Termins" in output
    assert (
        "  Ukrainisch: Anfragen 4, Einsätze 2, Stunden 3,5, Aufwandsentschädigungen 65,00 €, Abgelehnt 1, "
        "Nicht besetzt 0, Abgesagt 1"
    ) in output
    assert "Termine bei der Polizei: 1" in output and "legal." not in output
