"""POST /api/v1/requests, the status JSON, the coordinators' list and review decisions (api.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from sprachmittlerpool.models import AuditEvent, InterpretingRequest, OutboxMail, RequestStatus, local_now
from tests.intake.conftest import appointment, count, mails, payload, stored_nothing, without


def post(client, data: Any, **headers: str):
    return client.post("/api/v1/requests", json=data, headers=headers)


def test_an_accepted_kind_of_request_is_stored_open_with_a_status_link_and_a_receipt_mail(client, db):
    response = post(client, payload())

    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "status", "message", "reasons", "status_url"}
    assert body["status"] == "open" and body["reasons"] == []
    assert body["message"].startswith("Die Anfrage ist eingegangen.")
    assert body["status_url"].startswith("http://localhost/status/")
    row = db.get(InterpretingRequest, int(body["id"]))
    assert row.status == RequestStatus.OPEN and row.persons == 2
    [mail] = mails(db)
    assert mail.subject.startswith("Ihre Anfrage für eine Sprachmittlung ist eingegangen")
    assert body["status_url"] in mail.body_text and body["status_url"] in mail.body_html
    audit = db.exec(select(AuditEvent).where(AuditEvent.entity == "request")).one()
    assert (audit.from_state, audit.to_state) == ("submitted", "open")


def test_a_topic_hinting_at_court_goes_to_review_with_the_rule_named(client, db):
    response = post(client, payload(topic="Gespräch vor dem Gerichtstermin der Mutter"))

    body = response.get_json()
    assert response.status_code == 201 and body["status"] == "review"
    assert [r["rule"] for r in body["reasons"]] == ["legal.court"]
    assert db.get(InterpretingRequest, int(body["id"])).reasons[0]["triggers"] == ["Gerichtstermin"]


def test_an_excluded_appointment_is_stored_rejected_and_the_mail_points_to_professionals(client, db):
    response = post(client, payload(appointment_type="gericht"))

    body = response.get_json()
    assert response.status_code == 201 and body["status"] == "rejected"
    assert body["reasons"][0]["rule"] == "legal.court" and "Gericht" in body["reasons"][0]["message"]
    assert body["message"].startswith("Diese Anfrage kann der Sprachmittlerpool nicht vermitteln.")
    assert body["reasons"][0]["title"] == "Termine bei Gerichten"
    assert count(db, InterpretingRequest) == 1
    [mail] = mails(db)
    assert (
        "leider" in mail.subject
        and "- Termine bei Gerichten: Termine bei Gerichten vermittelt" in mail.body_text
    )
    assert "legal.court" not in mail.body_text and "legal.court" not in mail.body_html
    assert "justiz-dolmetscher.de" in mail.body_text


def test_a_private_person_is_rejected(client):
    response = post(client, payload(institution_type="privatperson"))

    assert response.get_json()["status"] == "rejected"


def test_a_request_inside_the_lead_time_goes_to_review_as_urgent(client, db):
    tomorrow = local_now().replace(hour=10, minute=0, second=0) + timedelta(days=1)
    data = payload(start=f"{tomorrow:%Y-%m-%dT%H:%M}", end=f"{tomorrow + timedelta(hours=1):%Y-%m-%dT%H:%M}")

    body = post(client, data).get_json()

    assert body["status"] == "review"
    assert "pool.short_notice" in [r["rule"] for r in body["reasons"]]
    assert db.get(InterpretingRequest, int(body["id"])).urgent


_START, _END = appointment()
INVALID_CASES = {
    "missing institution": (without("institution_name"), "institution_name"),
    "empty contact name": (payload(contact_name="  "), "contact_name"),
    "missing e-mail": (without("contact_email"), "contact_email"),
    "broken e-mail": (payload(contact_email="leitung@"), "contact_email"),
    "start in the past": (payload(start="2020-03-17T10:00", end="2020-03-17T11:00"), "start"),
    "end before start": (payload(end=f"{_START - timedelta(hours=1):%Y-%m-%dT%H:%M}"), "end"),
    "end equal start": (payload(end=payload()["start"]), "end"),
    "end on another day": (payload(end=f"{_END + timedelta(days=1):%Y-%m-%dT%H:%M}"), "end"),
    "start not a time": (payload(start="morgen früh"), "start"),
    "start a number": (payload(start=20250318), "start"),
    "unknown language": (payload(language="xx"), "language"),
    "language a list": (payload(language=["uk"]), "language"),
    "unknown municipality": (payload(municipality="koeln"), "municipality"),
    "unknown institution type": (payload(institution_type="verein"), "institution_type"),
    "unknown appointment type": (payload(appointment_type="kaffeeklatsch"), "appointment_type"),
    "topic over 2000 characters": (payload(topic="a" * 2001), "topic"),
    "persons as a word": (payload(persons="zwei"), "persons"),
    "persons as a boolean": (payload(persons=True), "persons"),
    "persons zero": (payload(persons=0), "persons"),
    "persons beyond any integer column": (payload(persons=10**20), "persons"),
    "gender not f or m": (payload(gender_required="x"), "gender_required"),
    "unknown preferred volunteer": (payload(preferred_volunteer="999"), "preferred_volunteer"),
    "preferred volunteer as a number": (payload(preferred_volunteer=1), "preferred_volunteer"),
    "a NUL byte in the address": (payload(address="Apfelstraße\x00 1"), "address"),
    "a lone surrogate in the name": (payload(contact_name="Frau \ud800"), "contact_name"),
    "address a number": (payload(address=12), "address"),
}


@pytest.mark.parametrize(("data", "field"), INVALID_CASES.values(), ids=INVALID_CASES.keys())
def test_an_invalid_value_answers_422_naming_the_field_in_german_and_stores_nothing(client, db, data, field):
    response = post(client, data)

    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid" and body["message"]
    assert field in body["fields"]
    assert body["fields"][field][0].isupper() and body["fields"][field].endswith(".")
    assert stored_nothing(db)


def test_every_wrong_field_is_named_at_once(client, db):
    response = post(client, payload(language="xx", persons="zwei", contact_email="nein"))

    assert set(response.get_json()["fields"]) == {"language", "persons", "contact_email"}


def test_a_ten_megabyte_topic_is_refused_without_a_server_error(client, db):
    response = post(client, payload(topic="x" * (10 * 1024 * 1024)))

    assert response.status_code in (413, 422)
    assert response.is_json and response.get_json()["error"]
    assert stored_nothing(db)


def test_a_body_that_is_not_json_or_has_unknown_fields_answers_400(client, db):
    not_json = client.post("/api/v1/requests", data="institution_name=x", content_type="text/plain")
    unknown = post(client, payload(client_name="Familie Müller"))

    assert not_json.status_code == 400 and unknown.status_code == 400
    assert "client_name" in unknown.get_json()["fields"]
    assert stored_nothing(db)


def test_the_same_idempotency_key_twice_makes_one_request_and_one_mail(client, db):
    first = post(client, payload(), **{"Idempotency-Key": "5b0c5e8e-6b43-4c5e-9d1b-0f6d1f0f2a11"})
    second = post(client, payload(), **{"Idempotency-Key": "5b0c5e8e-6b43-4c5e-9d1b-0f6d1f0f2a11"})

    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert count(db, InterpretingRequest) == 1 and count(db, OutboxMail) == 1


def test_different_idempotency_keys_make_different_requests(client, db):
    post(client, payload(), **{"Idempotency-Key": "key-one"})
    post(client, payload(), **{"Idempotency-Key": "key-two"})

    assert count(db, InterpretingRequest) == 2


def test_an_overlong_idempotency_key_is_refused(client, db):
    response = post(client, payload(), **{"Idempotency-Key": "k" * 129})

    assert response.status_code == 400 and stored_nothing(db)


def test_the_status_json_shows_the_request_without_login_and_404s_a_tampered_token(client):
    url = post(client, payload()).get_json()["status_url"]
    token = url.rsplit("/", 1)[1]

    ok = client.get(f"/api/v1/requests/status/{token}")
    tampered = client.get(f"/api/v1/requests/status/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}")

    assert ok.status_code == 200
    body = ok.get_json()
    assert body["status"] == "open" and body["language"] == "Ukrainisch" and body["cancellable"] is True
    assert body["volunteer_first_name"] is None
    assert tampered.status_code == 404 and tampered.get_json()["error"] == "not_found"


def test_the_list_needs_a_coordinator(client):
    assert client.get("/api/v1/requests").status_code == 401
    assert client.get("/api/v1/requests", headers={"Authorization": "Bearer falsch"}).status_code == 401


def test_the_list_gives_the_documented_fields_and_filters_by_status(client, api_headers):
    post(client, payload())
    post(client, payload(topic="Termin beim Amtsgericht"))

    everything = client.get("/api/v1/requests", headers=api_headers).get_json()["requests"]
    review = client.get("/api/v1/requests?status=review", headers=api_headers).get_json()["requests"]

    assert len(everything) == 2 and [r["status"] for r in review] == ["review"]
    assert set(review[0]) == {
        "id",
        "status",
        "language",
        "start",
        "end",
        "municipality",
        "institution_name",
        "institution_type",
        "appointment_type",
        "reasons",
        "volunteer",
        "assignment",
    }
    assert review[0]["institution_name"] == "Städtische Kita Regenbogen"
    assert review[0]["volunteer"] is None and review[0]["assignment"] is None
    assert client.get("/api/v1/requests?status=egal", headers=api_headers).status_code == 422


def _review_request(client) -> str:
    return post(client, payload(topic="Vorbereitung der Anhörung beim BAMF")).get_json()["id"]


def test_accepting_a_review_opens_the_request_and_tells_the_requester(client, db, api_headers):
    request_id = _review_request(client)

    response = client.post(
        f"/api/v1/requests/{request_id}/decision", json={"decision": "accept"}, headers=api_headers
    )

    assert response.status_code == 200 and response.get_json() == {"id": request_id, "status": "open"}
    assert db.get(InterpretingRequest, int(request_id)).status == "open"
    assert mails(db)[-1].subject == "Ihre Anfrage für eine Sprachmittlung wurde angenommen"


def test_rejecting_a_review_ends_the_request_with_the_note_in_the_mail(client, db, api_headers):
    request_id = _review_request(client)

    client.post(
        f"/api/v1/requests/{request_id}/decision",
        json={"decision": "reject", "note": "Es handelt sich um ein Asylverfahren."},
        headers=api_headers,
    )

    row = db.get(InterpretingRequest, int(request_id))
    assert row.status == "rejected" and row.decision_note == "Es handelt sich um ein Asylverfahren."
    assert "Es handelt sich um ein Asylverfahren." in mails(db)[-1].body_text


def test_a_second_decision_or_one_on_an_open_request_is_a_conflict(client, api_headers):
    request_id = _review_request(client)
    open_id = post(client, payload()).get_json()["id"]
    url = f"/api/v1/requests/{request_id}/decision"

    client.post(url, json={"decision": "accept"}, headers=api_headers)
    again = client.post(url, json={"decision": "reject"}, headers=api_headers)
    on_open = client.post(
        f"/api/v1/requests/{open_id}/decision", json={"decision": "accept"}, headers=api_headers
    )

    assert again.status_code == 409 and on_open.status_code == 409


def test_a_decision_needs_a_known_request_and_a_known_verb(client, api_headers):
    request_id = _review_request(client)

    unknown = client.post("/api/v1/requests/99999/decision", json={"decision": "accept"}, headers=api_headers)
    bad = client.post(
        f"/api/v1/requests/{request_id}/decision", json={"decision": "vielleicht"}, headers=api_headers
    )
    anonymous = client.post(f"/api/v1/requests/{request_id}/decision", json={"decision": "accept"})

    assert unknown.status_code == 404
    assert bad.status_code == 422 and "decision" in bad.get_json()["fields"]
    assert anonymous.status_code == 401


def test_the_openapi_description_lists_the_request_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert {"post", "get"} <= set(paths["/api/v1/requests"])
    assert "422" in paths["/api/v1/requests"]["post"]["responses"]
    assert "409" in paths["/api/v1/requests/{id}/decision"]["post"]["responses"]
