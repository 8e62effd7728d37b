"""Importing a pool's list: CSV and XLSX, all or nothing, over the page and the CLI."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from sqlmodel import func, select

from sprachmittlerpool.models import Availability, Qualification, Volunteer, VolunteerLanguage

HEADER = ["Name", "E-Mail", "Telefon", "Geschlecht", "Wohnort", "Entfernung km", "Sprachen", "Verfügbarkeit"]
HEADER += ["Einsätze pro Woche", "IBAN"]
ROWS = [
    ["Olena K.", "olena@example.org", "0170 1", "w", "Heinsberg", "25", "uk, Russisch", "Mo 08:00-13:00; Mi 14-18", "3",
     "DE89370400440532013000"],
    ["Ahmad S.", "ahmad@example.org", "", "m", "HÜCKELHOVEN", "12,5", "Persisch, prs", "Di-Do 9-12", "2", ""],
    ["Ayşe Y.", "ayse@example.org", "", "", "Übach-Palenberg", "", "tr", "", "", ""],
]  # fmt: skip


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows([HEADER, *rows])
    return ("\ufeff" + buffer.getvalue()).encode()


def _xlsx(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _count(db, table) -> int:
    return db.exec(select(func.count()).select_from(table)).one()


def test_valid_csv_upload_imports_every_row(coordinator_client, db):
    response = coordinator_client.post(
        "/koordination/sprachmittelnde/import",
        data={"file": (io.BytesIO(_csv(ROWS)), "liste.csv")},
        content_type="multipart/form-data",
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    olena = db.exec(select(Volunteer).where(Volunteer.email == "olena@example.org")).one()
    assert "Alle Zeilen wurden übernommen." in page
    assert _count(db, Volunteer) == 3
    assert _count(db, VolunteerLanguage) == 5
    assert _count(db, Availability) == 5
    assert olena.iban_masked == "DE89 **** **** **** **30 00"


def test_valid_xlsx_upload_imports_every_row(coordinator_client, db):
    rows = [row[:5] + [25 if i == 0 else row[5]] + row[6:] for i, row in enumerate(ROWS)]

    response = coordinator_client.post(
        "/koordination/sprachmittelnde/import",
        data={"file": (io.BytesIO(_xlsx(rows)), "liste.xlsx")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    assert _count(db, Volunteer) == 3


def test_one_bad_row_imports_nothing_and_names_the_row(coordinator_client, db):
    bad = ROWS + [["Kim", "kim@example.org", "", "", "Heinsberg", "", "Klingonisch", "", "", ""]]

    response = coordinator_client.post(
        "/koordination/sprachmittelnde/import",
        data={"file": (io.BytesIO(_csv(bad)), "liste.csv")},
        content_type="multipart/form-data",
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Zeile 5: Sprache „Klingonisch“ ist unbekannt." in page
    assert "Es wurde nichts übernommen." in page
    assert _count(db, Volunteer) == 0


def test_dry_run_checks_without_importing(coordinator_client, db):
    response = coordinator_client.post(
        "/koordination/sprachmittelnde/import",
        data={"file": (io.BytesIO(_csv(ROWS)), "liste.csv"), "dry_run": "1"},
        content_type="multipart/form-data",
    )

    assert response.status_code == 200
    assert "nur geprüft" in response.get_data(as_text=True)
    assert _count(db, Volunteer) == 0


def test_cli_import_prints_progress_and_summary(app, db, tmp_path: Path):
    file = tmp_path / "liste.csv"
    file.write_bytes(_csv(ROWS))

    result = app.test_cli_runner().invoke(args=["volunteers", "import", str(file)])

    assert result.exit_code == 0, result.output
    assert "Geprüft: 3/3 Zeilen" in result.output
    assert "Übernommen: 3/3 Zeilen" in result.output
    assert "3 Zeilen gelesen, 3 Personen übernommen." in result.output
    assert _count(db, Volunteer) == 3


def test_cli_import_with_an_error_exits_1_and_imports_nothing(app, db, tmp_path: Path):
    file = tmp_path / "liste.csv"
    file.write_bytes(_csv(ROWS + [["X", "kein-mail", "", "", "Heinsberg", "", "uk", "", "", ""]]))

    result = app.test_cli_runner().invoke(args=["volunteers", "import", str(file)])

    assert result.exit_code == 1
    assert "Zeile 5: „kein-mail“ ist keine gültige E-Mail-Adresse." in result.output
    assert _count(db, Volunteer) == 0


def test_cli_import_twice_reports_existing_emails(app, db, tmp_path: Path):
    file = tmp_path / "liste.csv"
    file.write_bytes(_csv(ROWS))
    runner = app.test_cli_runner()
    runner.invoke(args=["volunteers", "import", str(file)])

    again = runner.invoke(args=["volunteers", "import", str(file)])

    assert again.exit_code == 1
    assert "Zeile 2: Die E-Mail-Adresse olena@example.org gehört schon einer Person im Pool." in again.output
    assert _count(db, Volunteer) == 3


QUALIFIED = ["Telefon/Video", "Grundschulung am", "Verschwiegenheitserklärung am"]
QUALIFIED += ["Führungszeugnis ausgestellt am", "Führungszeugnis gültig bis", "Austauschtreffen"]


def _upload(client, data: bytes, name: str):
    return client.post(
        "/koordination/sprachmittelnde/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_xlsx_with_qualifications_and_remote_work_stores_them(coordinator_client, db):
    rows = [
        ROWS[0] + ["ja", datetime(2025, 12, 3), "03.12.2025", datetime(2026, 1, 15), "14.01.2031", ""],
        ROWS[1] + ["nein", "", "", "", "", ""],
    ]

    response = _upload(coordinator_client, _xlsx(rows, HEADER + QUALIFIED), "liste.xlsx")

    assert response.status_code == 200, response.get_data(as_text=True)
    olena, ahmad = (
        db.exec(select(Volunteer).where(Volunteer.email == e)).one()
        for e in ("olena@example.org", "ahmad@example.org")
    )
    held = {
        q.kind: (q.issued_on, q.valid_until)
        for q in db.exec(select(Qualification).where(Qualification.volunteer_id == olena.id))
    }
    assert (olena.remote, ahmad.remote) == (True, False)
    assert held == {
        "trained": (date(2025, 12, 3), None),
        "confidentiality": (date(2025, 12, 3), None),
        "clearance": (date(2026, 1, 15), date(2031, 1, 14)),
    }
    assert _count(db, Qualification) == 3


def test_a_wrong_date_in_a_qualification_column_imports_nothing_and_says_where(coordinator_client, db):
    header = ";".join(HEADER + QUALIFIED)
    good = ";".join(ROWS[2] + ["nein", "03.12.2025", "", "", "", ""])
    bad = ";".join(
        ["Kim", "kim@example.org", "", "", "Heinsberg", "", "uk", "", "", ""]
        + ["ja", "3.13.2025", "", "01.02.2026", "31.12.2025", ""]
    )

    response = _upload(coordinator_client, f"{header}\n{good}\n{bad}\n".encode(), "liste.csv")

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        "Zeile 3: Spalte „Grundschulung am“: „3.13.2025“ ist kein Datum (bitte TT.MM.JJJJ, etwa 03.12.2026)."
        in page
    )
    assert (
        "Zeile 3: Spalte „Führungszeugnis gültig bis“: Der 31.12.2025 liegt vor dem Ausstellungsdatum 01.02.2026."
        in page
    )
    assert (_count(db, Volunteer), _count(db, Qualification)) == (0, 0)


def test_cli_imports_the_qualification_columns_too(app, db, tmp_path: Path):
    file = tmp_path / "liste.xlsx"
    file.write_bytes(
        _xlsx(
            [ROWS[2] + ["x", "", "", datetime(2026, 1, 15), datetime(2031, 1, 14), "20.11.2026"]],
            HEADER + QUALIFIED,
        )
    )

    result = app.test_cli_runner().invoke(args=["volunteers", "import", str(file)])

    assert result.exit_code == 0, result.output
    ayse = db.exec(select(Volunteer)).one()
    held = {q.kind: (q.issued_on, q.valid_until) for q in db.exec(select(Qualification))}
    assert ayse.remote
    assert held == {
        "clearance": (date(2026, 1, 15), date(2031, 1, 14)),
        "exchange": (date(2026, 11, 20), None),
    }
