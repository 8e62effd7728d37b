"""The public request form at /anfrage: choices from the database, errors in place, one request per key."""

from __future__ import annotations

import re
from typing import Any

import pytest

from sprachmittlerpool.models import InterpretingRequest, RequestStatus
from tests.intake.conftest import appointment, count, payload, stored_nothing


def form_data(**overrides: Any) -> dict[str, Any]:
    """Return what a person fills in: the API's fields with date and times split as on the page."""
    start, end = appointment()
    data = payload(gender_required="", persons="2", idempotency_key="form-key-1", website="")
    del data["start"], data["end"]
    data |= {"date": f"{start:%Y-%m-%d}", "start_time": f"{start:%H:%M}", "end_time": f"{end:%H:%M}"}
    data.update(overrides)
    return data


def test_the_form_offers_the_pools_languages_municipalities_and_the_rule_sets_types_in_german(client):
    page = client.get("/anfrage").get_data(as_text=True)

    assert '<option value="uk">Ukrainisch</option>' in page
    assert '<option value="heinsberg">Heinsberg</option>' in page
    assert '<option value="kita">Kindertageseinrichtung (Kita)</option>' in page
    assert '<option value="elterngespraech">Elterngespräch</option>' in page
    assert re.search(r'name="idempotency_key" type="hidden" value="[\w-]{20,}"', page)
    assert re.search(r'class="hp-field"[^>]*>\s*<label for="website"', page)


def test_each_render_carries_a_fresh_idempotency_key(client):
    pattern = r'name="idempotency_key" type="hidden" value="([\w-]+)"'

    first = re.search(pattern, client.get("/anfrage").get_data(as_text=True)).group(1)
    second = re.search(pattern, client.get("/anfrage").get_data(as_text=True)).group(1)

    assert first != second


def test_a_valid_request_leads_to_the_receipt_with_the_status_link(client, db):
    response = client.post("/anfrage", data=form_data(), follow_redirects=True)

    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Ihre Anfrage ist eingegangen" in page
    link = re.search(r'id="status-link">(http://localhost/status/[\w-]+)<', page).group(1)
    row = db.get(InterpretingRequest, 1)
    assert row.status == RequestStatus.OPEN and row.persons == 2 and row.gender_required is None
    assert client.get(link.removeprefix("http://localhost")).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({}, "open"),
        ({"topic": "Fragen zum Antrag auf Wohngeld"}, "review"),
        ({"appointment_type": "arzt"}, "rejected"),
    ],
    ids=["open", "review", "rejected"],
)
def test_the_form_stores_the_rules_decision(client, db, overrides, status):
    client.post("/anfrage", data=form_data(**overrides))

    assert db.get(InterpretingRequest, 1).status == status


def test_errors_show_next_to_each_field_with_the_values_kept_and_nothing_stored(client, db):
    data = form_data(contact_email="leitung@", language="xx", persons="zwei", date="2020-03-17")

    response = client.post("/anfrage", data=data)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        'value="leitung@"' in page and 'value="zwei"' in page and 'value="Städtische Kita Regenbogen"' in page
    )
    for field in ("contact_email", "language", "persons", "date"):
        assert re.search(rf'aria-invalid="true"[^>]*id="{field}"', page), field
        assert f'<p class="field-error" id="{field}-error">' in page
    assert "Der Termin liegt in der Vergangenheit" in page
    assert "Bitte geben Sie eine gültige E-Mail-Adresse" in page
    assert 'aria-invalid="true"' not in page.split('id="address"')[0].rsplit("<input", 1)[1]
    assert stored_nothing(db)


def test_missing_date_and_times_are_named_in_place(client, db):
    response = client.post("/anfrage", data=form_data(date="", start_time="10 Uhr", end_time=""))

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Bitte geben Sie das Datum an." in page
    assert "Bitte geben Sie die Uhrzeit als HH:MM an" in page
    assert "Bitte geben Sie die Uhrzeit an." in page
    assert stored_nothing(db)


def test_german_date_notation_is_understood(client, db):
    start, _ = appointment()

    client.post("/anfrage", data=form_data(date=f"{start:%d.%m.%Y}"))

    assert db.get(InterpretingRequest, 1).start == start


def test_a_double_click_makes_one_request(client, db):
    first = client.post("/anfrage", data=form_data())
    second = client.post("/anfrage", data=form_data())

    assert first.status_code == second.status_code == 302
    assert count(db, InterpretingRequest) == 1
    assert "status-link" in client.get("/anfrage/eingegangen").get_data(as_text=True)


def test_a_filled_honeypot_is_silently_discarded(client, db):
    response = client.post("/anfrage", data=form_data(website="http://spam.example"))

    assert response.status_code == 302
    assert stored_nothing(db)
    assert "Vielen Dank" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_form_refuses_a_post_without_csrf_token_when_csrf_is_on(app_config, db):
    app_config["WTF_CSRF_ENABLED"] = True
    from sprachmittlerpool import create_app

    app = create_app(app_config)

    response = app.test_client().post("/anfrage", data=form_data())

    assert response.status_code == 400
    assert count(db, InterpretingRequest) == 0
    app.extensions["sqlalchemy_engine"].dispose()
