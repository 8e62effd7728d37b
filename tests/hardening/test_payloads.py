"""XSS and SQL payloads in every free-text field: stored verbatim, shown escaped, mailed escaped, no table lost.

reliability.md 6.4: "XSS and SQL payloads in every text field come back escaped and harmless". Each
door a person types through is driven: the request form and API, the review note, the volunteer form
and API, the import file's cells, the decline reason, the login and the query strings. Mails go
through the real SMTP server of tests/smtp.py.
"""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlmodel import Session, select

from notifications.relay import deliver_due
from sprachmittlerpool.models import Institution, InterpretingRequest, Offer, Volunteer, local_now
from sprachmittlerpool.services import offers
from tests.confirm import CONFIRMED
from tests.hardening.payloads import (
    PAYLOADS,
    assert_mails_harmless,
    assert_no_raw_markup,
    assert_shown_escaped,
    assert_tables_intact,
    escaped,
    html_parts,
)
from tests.intake import conftest as intake_fixtures
from tests.intake.conftest import count, fresh
from tests.intake.conftest import payload as request_payload
from tests.intake.test_form import form_data
from tests.smtp import SmtpSink

REVIEW_WORD = "Gerichtstermin"  # a topic with it goes to the coordinators' review queue
REQUEST_FIELDS = ("contact_name", "contact_phone", "dialect", "address")
api_headers = intake_fixtures.api_headers  # the intake tests' fixture: a coordinator's bearer token

IMPORT_HEADER = ["Name", "E-Mail", "Telefon", "Wohnort", "Sprachen", "Verfügbarkeit", "Entfernung km"]


@pytest.fixture
def app_config(app_config: dict[str, object], smtp_server: SmtpSink) -> dict[str, object]:
    """Send mail to the real test SMTP server."""
    app_config.update(smtp_server.config())
    return app_config


def _request_texts(payload: str) -> dict[str, str]:
    texts = dict.fromkeys(REQUEST_FIELDS, payload)
    return texts | {"institution_name": payload, "topic": f"{payload} {REVIEW_WORD}"}


def _assert_request_stored_verbatim(db: Session, payload: str) -> InterpretingRequest:
    row = fresh(db).exec(select(InterpretingRequest)).one()
    for name in REQUEST_FIELDS:
        assert getattr(row, name) == payload, name
    assert row.topic == f"{payload} {REVIEW_WORD}"
    assert db.get(Institution, row.institution_id).name == payload
    return row


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_in_every_text_field_of_an_api_request_is_stored_verbatim_and_shown_escaped(
    app: Flask,
    client: FlaskClient,
    coordinator_client: FlaskClient,
    db: Session,
    smtp_server: SmtpSink,
    payload,
) -> None:
    body = client.post("/api/v1/requests", json=request_payload(**_request_texts(payload))).get_json()

    _assert_request_stored_verbatim(db, payload)
    assert body["status"] == "review"
    status_page = client.get(body["status_url"].removeprefix("http://localhost")).get_data(as_text=True)
    assert_shown_escaped(status_page, payload, "status page")
    review = coordinator_client.get("/koordination/pruefung").get_data(as_text=True)
    assert_shown_escaped(review, payload, "review queue")
    assert_shown_escaped(
        coordinator_client.get("/koordination/").get_data(as_text=True), payload, "dashboard"
    )
    deliver_due(app, now=local_now())
    assert_mails_harmless(smtp_server.wait_for(1), payload)
    assert_tables_intact(app)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_through_the_request_form_and_the_review_note_is_stored_verbatim_and_mailed_escaped(
    app: Flask,
    client: FlaskClient,
    coordinator_client: FlaskClient,
    db: Session,
    smtp_server: SmtpSink,
    payload,
) -> None:
    receipt = client.post("/anfrage", data=form_data(**_request_texts(payload)), follow_redirects=True)
    row = _assert_request_stored_verbatim(db, payload)
    decided = coordinator_client.post(
        f"/koordination/pruefung/{row.id}",
        data={"decision": "reject", "note": payload, **CONFIRMED},
        follow_redirects=True,
    )

    assert receipt.status_code == 200
    assert_no_raw_markup(receipt.get_data(as_text=True), "receipt page")
    assert_no_raw_markup(decided.get_data(as_text=True), "review queue after the decision")
    assert fresh(db).get(InterpretingRequest, row.id).decision_note == payload
    deliver_due(app, now=local_now())
    mails = smtp_server.wait_for(2)
    assert_mails_harmless(mails, payload)
    assert any(f"Hinweis der Koordination: {escaped(payload)}" in html for html in html_parts(mails))
    assert_tables_intact(app)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_in_a_volunteers_name_and_phone_via_form_and_api_is_stored_verbatim_and_shown_escaped(
    app: Flask, coordinator_client: FlaskClient, api_headers: dict[str, str], db: Session, payload
) -> None:
    form = {"name": payload, "email": "olena@example.org", "phone": payload, "home": "heinsberg"}
    created = coordinator_client.post("/koordination/sprachmittelnde/neu", data=form | {"languages": "uk"})
    api = coordinator_client.post(
        "/api/v1/volunteers",
        json={"name": "Ahmad S.", "email": "ahmad@example.org", "home": "heinsberg", "languages": ["fa"]},
        headers=api_headers,
    )
    patched = coordinator_client.patch(
        f"/api/v1/volunteers/{api.get_json()['id']}", json={"name": payload}, headers=api_headers
    )

    assert created.status_code == 302, created.get_data(as_text=True)
    assert patched.status_code == 200 and patched.get_json()["name"] == payload
    stored = fresh(db).exec(select(Volunteer).order_by(Volunteer.id)).all()
    assert [(v.name, v.phone) for v in stored] == [(payload, payload), (payload, "")]
    assert_shown_escaped(
        coordinator_client.get("/koordination/sprachmittelnde").get_data(as_text=True), payload, "list"
    )
    detail = coordinator_client.get(f"/koordination/sprachmittelnde/{stored[0].id}").get_data(as_text=True)
    assert_shown_escaped(detail, payload, "volunteer form")
    assert_tables_intact(app)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_an_e_mail_address_carrying_a_payload_is_refused_by_form_api_import_and_cli(
    app: Flask, coordinator_client: FlaskClient, api_headers: dict[str, str], db: Session, payload
) -> None:
    address = f"{payload}@example.org"
    form = {"name": "Olena K.", "email": address, "home": "heinsberg", "languages": "uk"}

    by_form = coordinator_client.post("/koordination/sprachmittelnde/neu", data=form)
    by_api = coordinator_client.post(
        "/api/v1/volunteers", json=form | {"languages": ["uk"]}, headers=api_headers
    )
    by_import = _upload(
        coordinator_client, _csv([["Olena K.", address, "", "Heinsberg", "uk", "", ""]]), "liste.csv"
    )
    by_cli = app.test_cli_runner().invoke(
        args=["users", "create", address, "--password-stdin"], input="ein-sehr-langes-passwort\n"
    )

    assert by_form.status_code == 422
    assert_no_raw_markup(by_form.get_data(as_text=True), "volunteer form with errors")
    assert by_api.status_code == 422 and "email" in by_api.get_json()["fields"]
    assert by_import.status_code == 422
    assert_no_raw_markup(by_import.get_data(as_text=True), "import result")
    assert by_cli.exit_code != 0
    assert count(db, Volunteer) == 0
    assert_tables_intact(app)


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows([IMPORT_HEADER, *rows])
    return buffer.getvalue().encode()


def _xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    for row in [IMPORT_HEADER, *rows]:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client: FlaskClient, content: bytes, filename: str):
    return client.post(
        "/koordination/sprachmittelnde/import",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_import_cells_are_imported_verbatim_or_named_escaped_in_the_errors(
    app: Flask, coordinator_client: FlaskClient, db: Session, payload, kind
) -> None:
    build = _csv if kind == "csv" else _xlsx
    bad_row = ["Kim", "kim@example.org", "", payload, payload, payload, payload]

    refused = _upload(coordinator_client, build([bad_row]), f"liste.{kind}")
    imported = _upload(
        coordinator_client,
        build([[payload, "olena@example.org", payload, "Heinsberg", "uk", "", ""]]),
        f"liste.{kind}",
    )

    assert refused.status_code == 422
    assert_shown_escaped(refused.get_data(as_text=True), payload, "import errors")
    assert imported.status_code == 200, imported.get_data(as_text=True)
    volunteer = fresh(db).exec(select(Volunteer)).one()
    assert (volunteer.name, volunteer.phone) == (payload, payload)
    assert_shown_escaped(
        coordinator_client.get("/koordination/sprachmittelnde").get_data(as_text=True), payload, "list"
    )
    assert_tables_intact(app)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_as_volunteer_name_and_decline_reason_is_mailed_escaped_and_exported_verbatim(
    app: Flask,
    client: FlaskClient,
    coordinator_client: FlaskClient,
    db: Session,
    factories,
    smtp_server: SmtpSink,
    payload,
) -> None:
    volunteer, wanted = factories.VolunteerFactory(name=payload), factories.RequestFactory()
    with app.app_context():
        offer, token = offers.make_offer(
            db, request_id=wanted.id, volunteer_id=volunteer.id, now=local_now(), actor="test"
        )

    answer = client.post(f"/o/{token}/decline", data={"reason": payload})

    assert answer.status_code == 200
    assert_no_raw_markup(answer.get_data(as_text=True), "answer page")
    assert fresh(db).get(Offer, offer.id).decline_reason == payload
    export = coordinator_client.get(f"/koordination/sprachmittelnde/{volunteer.id}/auskunft.json")
    assert export.mimetype == "application/json"  # served as data with nosniff, never as a page
    assert export.get_json()["volunteer"]["offers"][0]["decline_reason"] == payload
    deliver_due(app, now=local_now())
    assert_mails_harmless(smtp_server.wait_for(1), payload.split()[0])  # the offer mail greets by first name
    assert_tables_intact(app)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_as_login_e_mail_and_password_logs_no_one_in_and_comes_back_escaped(
    app: Flask, client: FlaskClient, coordinator, db: Session, payload
) -> None:
    response = client.post("/anmelden", data={"email": payload, "password": payload})

    assert response.status_code == 401
    assert_shown_escaped(response.get_data(as_text=True), payload, "login page")
    assert client.get("/koordination/").status_code == 302
    assert_tables_intact(app)


QUERY_PAGES = [
    ("/api/v1/requests", "status"),
    ("/berichte", "from"),
    ("/berichte", "to"),
    ("/koordination/", "status"),
    ("/koordination/sprachmittelnde", "q"),
    ("/auszahlungen", "month"),
    ("/anmelden", "next"),
    ("/anfrage", "institution_name"),
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_list_filters_and_query_strings_answer_without_error_or_raw_markup(
    app: Flask, coordinator_client: FlaskClient, api_headers: dict[str, str], db: Session, factories, payload
) -> None:
    factories.RequestFactory(), factories.VolunteerFactory()

    for path, name in QUERY_PAGES:
        response = coordinator_client.get(path, query_string={name: payload})
        assert response.status_code < 500, (path, name)
        assert_no_raw_markup(response.get_data(as_text=True), f"{path}?{name}=")
    api = coordinator_client.get("/api/v1/requests", query_string={"status": payload}, headers=api_headers)
    assert api.status_code == 422 and api.get_json()["fields"] == {"status": "Diesen Status gibt es nicht."}
    assert count(db, InterpretingRequest) == 1 and count(db, Volunteer) == 1
    assert_tables_intact(app)
