"""Phone and video requests at intake: only where the pool brokers them, with how the call comes about."""

from __future__ import annotations

from sqlmodel import select

from sprachmittlerpool.models import InterpretingRequest, OutboxMail, Pool
from tests.factories import FIRST_POOL
from tests.intake.conftest import fresh, payload, stored_nothing
from tests.intake.test_form import form_data

CALL = "Wir rufen die Sprachmittlung unter ihrer Nummer an."


def _broker_calls(db) -> None:
    pool = db.get(Pool, FIRST_POOL)
    pool.remote_modes = ["phone", "video"]
    db.add(pool)
    db.commit()


def test_a_pool_that_brokers_only_in_person_refuses_a_phone_request_and_hides_the_choice(client, db):
    response = client.post("/api/v1/requests", json=payload(mode="phone", address="", call_details=CALL))

    assert response.status_code == 422
    assert "Telefon oder per Video vermittelt dieser Pool nicht" in response.get_json()["fields"]["mode"]
    assert stored_nothing(db)
    page = client.get("/anfrage").get_data(as_text=True)
    assert 'name="mode"' not in page and "Wie kommt das Gespräch zustande" not in page


def test_a_phone_request_needs_no_address_but_how_the_call_comes_about(client, db):
    _broker_calls(db)

    refused = client.post("/api/v1/requests", json=payload(mode="phone", address=""))
    assert refused.status_code == 422 and set(refused.get_json()["fields"]) == {"call_details"}
    accepted = client.post(
        "/api/v1/requests", json=payload(mode="phone", address="Apfelstraße 1", call_details=CALL)
    )

    assert accepted.status_code == 201
    row = fresh(db).get(InterpretingRequest, int(accepted.get_json()["id"]))
    assert (row.mode, row.address, row.call_details) == ("phone", "", CALL)


def test_an_in_person_request_still_needs_its_address(client, db):
    _broker_calls(db)

    response = client.post("/api/v1/requests", json=payload(mode="in_person", address=""))

    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"address"}


def test_an_unknown_mode_is_named(client, db):
    response = client.post("/api/v1/requests", json=payload(mode="fax"))

    assert response.status_code == 422
    assert response.get_json()["fields"]["mode"] == "Bitte wählen Sie einen Eintrag aus der Liste aus."


def test_the_form_offers_phone_and_video_and_the_status_page_says_how(client, db):
    _broker_calls(db)
    page = client.get("/anfrage").get_data(as_text=True)
    assert (
        '<option value="phone">am Telefon</option>' in page
        and '<option value="video">per Video</option>' in page
    )

    response = client.post(
        "/anfrage", data=form_data(mode="video", address="", call_details=CALL), follow_redirects=True
    )

    assert response.status_code == 200
    row = fresh(db).exec(select(InterpretingRequest)).one()
    assert (row.mode, row.call_details) == ("video", CALL)
    [mail] = fresh(db).exec(select(OutboxMail)).all()
    status_link = next(word for word in mail.body_text.split() if "/status/" in word)
    status_page = client.get(status_link.replace("http://localhost", "")).get_data(as_text=True)
    assert f"per Video ({CALL}), Einrichtung in Heinsberg" in status_page
