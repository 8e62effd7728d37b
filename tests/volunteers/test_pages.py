"""The coordinators' volunteer pages: list, add, edit, absences; login required."""

from __future__ import annotations

from sqlmodel import select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import Absence, Volunteer

FORM = {
    "name": "Ahmad S.",
    "email": "ahmad@example.org",
    "phone": "",
    "gender": "m",
    "home": "hueckelhoven",
    "max_distance_km": "12,5",
    "max_per_week": "2",
    "languages": ["fa", "prs"],
    "availability": "Di-Do 9-12",
    "iban": "DE89 3704 0044 0532 0130 00",
}


def test_pages_need_login(client):
    assert client.get("/koordination/sprachmittelnde").status_code == 302
    assert client.post("/koordination/sprachmittelnde/neu", data=FORM).status_code == 302


def test_add_edit_and_list_a_volunteer_through_the_form(coordinator_client, app):
    created = coordinator_client.post("/koordination/sprachmittelnde/neu", data=FORM)
    detail_url = created.headers["Location"]
    edited = coordinator_client.post(
        detail_url, data=FORM | {"name": "Ahmad Sadeghi", "iban": "", "active": "1"}
    )
    absence = coordinator_client.post(
        f"{detail_url}/abwesenheiten", data={"start": "2030-05-01", "end": "2030-05-03"}
    )
    listing = coordinator_client.get("/koordination/sprachmittelnde").get_data(as_text=True)
    detail = coordinator_client.get(detail_url).get_data(as_text=True)

    assert created.status_code == 302 and edited.status_code == 302 and absence.status_code == 302
    assert "Ahmad Sadeghi" in listing and "Hückelhoven" in listing and "Dari" in listing
    assert "DE89 **** **** **** **30 00" in detail and "0532013000" not in detail
    assert "Di 09:00-12:00; Mi 09:00-12:00; Do 09:00-12:00" in detail
    assert "01.05.2030" in detail
    with app.app_context(), new_session(write=False) as db:
        volunteer = db.exec(select(Volunteer)).one()
        assert volunteer.iban_encrypted is not None and volunteer.max_distance_km == 12.5
        assert len(db.exec(select(Absence)).all()) == 1


def test_invalid_form_shows_german_messages_and_keeps_input(coordinator_client):
    response = coordinator_client.post(
        "/koordination/sprachmittelnde/neu",
        data=FORM | {"availability": "Mo 13-8", "iban": "DE00 1234", "languages": []},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "liegt das Ende nicht nach dem Beginn" in page
    assert "Die IBAN ist ungültig" in page
    assert "Dieses Feld ist erforderlich." in page
    assert 'value="Ahmad S."' in page


def test_openapi_describes_the_volunteer_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert {"post", "get"} <= set(paths["/api/v1/volunteers"])
    assert {"get", "patch"} <= set(paths["/api/v1/volunteers/{volunteer_id}"])
    assert "422" in paths["/api/v1/volunteers/{volunteer_id}/absences"]["post"]["responses"]
