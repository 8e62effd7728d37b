"""A district that is not Heinsberg goes live on an empty database, without demo data and without a developer.

The commands are the README's "Go live" section; everything after them happens through the pages and the
links in the mails, until the completed assignment stands in the month's payout list at the admin's tariff.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import select

from notifications.jobs import find_job, run_job
from sprachmittlerpool import create_app
from sprachmittlerpool import tariff as tariffs
from sprachmittlerpool.db import new_session
from sprachmittlerpool.jobs import JOBS
from sprachmittlerpool.models import Assignment, InterpretingRequest, OutboxMail, RequestStatus, Volunteer
from sprachmittlerpool.tariff_form import form_values
from tests.coordination.helpers import now
from tests.intake.conftest import appointment

PASSWORD = "ein-sehr-langes-passwort"
ADMIN = "leitung@kreis-beispiel.example"
# An invented district with towns no shipped file knows, in both decimal spellings a sheet may use.
REGION_CSV = "name;lat;lon;kind\nNiederbruch;51,712;6,201;Stadt\nOberau;51.655;6.288;Gemeinde\n"
VOLUNTEERS_CSV = "Name;E-Mail;Wohnort;Sprachen;Verfügbarkeit\nOksana Hrytsenko;oksana@example.org;Oberau;Ukrainisch;Mo-Fr 8-18\n"


@pytest.fixture
def empty_app(app_config: dict[str, object]) -> Flask:
    """The app on a database that has seen `db upgrade` only: no region, no accounts, no demo pool."""
    application = create_app(app_config)
    yield application
    application.extensions["sqlalchemy_engine"].dispose()


def _cli(app: Flask, *args: str, stdin: str | None = None) -> str:
    result = app.test_cli_runner().invoke(args=list(args), input=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def _rows(app: Flask, model, *conditions):
    with app.app_context():
        session = new_session(write=False)
        try:
            return list(session.exec(select(model).where(*conditions)).all())
        finally:
            session.close()


def _last_link(app: Flask, recipient: str, path: str) -> str:
    mails = _rows(app, OutboxMail, OutboxMail.recipient == recipient)
    for mail in reversed(mails):
        found = re.search(rf"http://localhost(/{path}/\S+)", mail.body_text)
        if found:
            return found.group(1)
    raise AssertionError(f"no /{path}/ link in the mails to {recipient}")


def _going_live(app: Flask, tmp_path: Path) -> None:
    """Run the README's commands: region, first admin, the KI's volunteer list."""
    region = tmp_path / "kreis-beispiel.csv"
    region.write_text(REGION_CSV, encoding="utf-8-sig")
    volunteers = tmp_path / "ehrenamtliche.csv"
    volunteers.write_text(VOLUNTEERS_CSV, encoding="utf-8")
    _cli(app, "region", "import", str(region))
    _cli(app, "users", "create", ADMIN, "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    _cli(app, "volunteers", "import", str(volunteers))


def test_an_empty_database_has_the_standard_languages_but_no_region_and_no_demo_data(empty_app):
    page = empty_app.test_client().get("/anfrage").get_data(as_text=True)

    assert '<option value="uk">Ukrainisch</option>' in page
    assert "Heinsberg" not in page
    assert _rows(empty_app, Volunteer) == [] and _rows(empty_app, InterpretingRequest) == []


def test_a_new_district_goes_from_the_commands_to_a_payout_line_at_its_own_tariff(empty_app, tmp_path):
    app = empty_app
    _going_live(app, tmp_path)
    admin = app.test_client()
    assert admin.post("/anmelden", data={"email": ADMIN, "password": PASSWORD}).status_code == 302
    flat = form_values(
        tariffs.HEINSBERG, name="Pauschale Kreis Beispiel", valid_from=f"{now().year - 1}-01-01"
    )
    flat |= {"kind": "flat", "flat_amount": "30,00"}
    saved = admin.post("/einstellungen/tarife/speichern", data=flat, follow_redirects=True)
    assert "Pauschale Kreis Beispiel" in saved.get_data(as_text=True)

    public = app.test_client()
    form = public.get("/anfrage").get_data(as_text=True)
    assert '<option value="niederbruch">Niederbruch</option>' in form and "Oberau" in form
    start, end = appointment()
    answer = public.post(
        "/anfrage",
        data={
            "institution_name": "Gesamtschule Niederbruch",
            "institution_type": "schule",
            "contact_name": "Herr Peters",
            "contact_email": "sekretariat@gesamtschule.example",
            "language": "uk",
            "appointment_type": "elterngespraech",
            "topic": "Gespräch zur Schullaufbahn",
            "date": f"{start:%Y-%m-%d}",
            "start_time": f"{start:%H:%M}",
            "end_time": f"{end:%H:%M}",
            "municipality": "oberau",
            "address": "Schulweg 3",
            "idempotency_key": "go-live-first-request",
            "website": "",
        },
    )
    assert answer.status_code in (302, 303), answer.get_data(as_text=True)
    (request,) = _rows(app, InterpretingRequest)
    assert request.status == RequestStatus.OPEN

    # a school's request needs training, the confidentiality declaration and the police clearance
    (oksana,) = _rows(app, Volunteer)
    shown = {"trained_issued_on": "2024-02-01", "confidentiality_issued_on": "2024-02-01"}
    shown |= {"clearance_issued_on": "2024-02-01", "clearance_valid_until": f"{now().year + 4}-01-31"}
    assert (
        admin.post(f"/koordination/sprachmittelnde/{oksana.id}/qualifikationen", data=shown).status_code
        == 302
    )
    admin.post("/koordination/vorschlaege")
    proposals = admin.get("/koordination/vorschlaege").get_data(as_text=True)
    confirm = re.search(rf'action="(/koordination/vorschlaege/\d+/anfragen/{request.id})"', proposals)
    assert confirm, proposals
    admin.post(confirm.group(1))
    offer_link = _last_link(app, "oksana@example.org", "o")
    assert public.post(f"{offer_link}/accept").status_code == 200

    _move_into_past(app, request.id)
    assert run_job(app, find_job(JOBS, "ask_completion"), now=now()).startswith("1 ")
    completion = _last_link(app, "sekretariat@gesamtschule.example", "bestaetigung")
    done = public.post(completion, data={"outcome": "took_place", "duration_minutes": "60", "travel_km": "0"})
    assert done.status_code == 200, done.get_data(as_text=True)

    (assignment,) = _rows(app, Assignment)
    assert assignment.allowance_cents == 3000  # the admin's flat 30 €, not Heinsberg's 25 € for an hour
    month = f"{assignment.start:%Y-%m}"
    payouts = admin.get(f"/auszahlungen/{month}").get_data(as_text=True)
    assert "Oksana Hrytsenko" in payouts and "30,00" in payouts


def _move_into_past(app: Flask, request_id: int) -> None:
    """Let the appointment lie behind us, as the follow-up job expects."""
    start = now().replace(second=0, microsecond=0) - timedelta(hours=3)
    with app.app_context():
        session = new_session(write=True)
        for model, column in (
            (InterpretingRequest, InterpretingRequest.id),
            (Assignment, Assignment.request_id),
        ):
            for row in session.exec(select(model).where(column == request_id)).all():
                row.start, row.end = start, start + timedelta(hours=1)
                session.add(row)
        session.commit()
        session.close()
