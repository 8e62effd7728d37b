"""GET, PATCH /api/v1/requests/<id> and POST …/cancel: one request with its history, changed or cancelled (api.md)."""

from __future__ import annotations

from datetime import timedelta

from sprachmittlerpool.models import AssignmentStatus, RequestStatus
from tests.coordination.day_world import second_pool
from tests.coordination.helpers import confirmed, mails, open_request, reload

STAMP = "%Y-%m-%dT%H:%M"


def test_a_request_comes_with_string_ids_and_its_history_in_words(app, client, db, factories, api_headers):
    request, _offer, _token, assignment = confirmed(app, factories)

    answer = client.get(f"/api/v1/requests/{request.id}", headers=api_headers)

    body = answer.get_json()
    assert answer.status_code == 200
    assert body["id"] == str(request.id) and body["assignment"] == str(assignment.id)
    assert body["volunteer"] == str(assignment.volunteer_id) and body["status"] == "confirmed"
    assert body["status_label"] == "bestätigt" and body["municipality_name"] == "Heinsberg"
    assert body["start"] == request.start.strftime(STAMP)
    assert any(entry["what"].startswith("Einsatz bestätigt") for entry in body["history"])
    assert all(set(entry) == {"at", "who", "what"} for entry in body["history"])


def test_reading_needs_a_coordinator_of_the_requests_pool(client, db, factories, api_headers):
    other = open_request(factories, **second_pool(db))

    assert client.get(f"/api/v1/requests/{other.id}").status_code == 401
    assert client.get(f"/api/v1/requests/{other.id}", headers=api_headers).status_code == 404
    assert client.patch(f"/api/v1/requests/{other.id}", json={}, headers=api_headers).status_code == 404
    assert client.post(f"/api/v1/requests/{other.id}/cancel", headers=api_headers).status_code == 404
    assert client.get("/api/v1/requests/99999999999999", headers=api_headers).status_code == 404


def test_patch_re_dates_a_confirmed_request_and_sends_the_volunteer_the_new_entry(
    app, client, db, factories, api_headers
):
    request, _offer, _token, assignment = confirmed(app, factories)
    later = request.start + timedelta(hours=1)

    answer = client.patch(
        f"/api/v1/requests/{request.id}",
        json={"start": later.strftime(STAMP), "end": (later + timedelta(hours=1)).strftime(STAMP)},
        headers=api_headers,
    )

    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["start"] == later.strftime(STAMP)
    moved = reload(db, assignment)
    assert (
        moved.start == later and moved.calendar_sequence == 1 and moved.status == AssignmentStatus.CONFIRMED
    )
    keys = [m.dedupe_key for m in mails(db)]
    assert any(k.startswith(f"assignment_changed:{assignment.id}:") for k in keys)
    assert any(k.startswith(f"request_changed:{request.id}:") for k in keys)
    assert "Kim Koordination" in {entry["who"] for entry in answer.get_json()["history"]}


def test_patch_names_wrong_fields_in_german_and_changes_nothing(client, db, factories, api_headers):
    request = open_request(factories)

    answer = client.patch(
        f"/api/v1/requests/{request.id}",
        json={"start": "2020-01-01T10:00", "municipality": "atlantis", "address": ""},
        headers=api_headers,
    )

    body = answer.get_json()
    assert answer.status_code == 422 and body["error"] == "invalid"
    assert set(body["fields"]) == {"start", "municipality", "address"}
    assert "Vergangenheit" in body["fields"]["start"]
    assert reload(db, request).address == "Apfelstraße 1" and mails(db) == []


def test_patch_refuses_unknown_fields_and_finished_requests(client, db, factories, api_headers):
    done = open_request(factories, status=RequestStatus.COMPLETED)

    unknown = client.patch(f"/api/v1/requests/{done.id}", json={"topic": "x"}, headers=api_headers)
    finished = client.patch(f"/api/v1/requests/{done.id}", json={"address": "Neu 1"}, headers=api_headers)

    assert unknown.status_code == 400 and finished.status_code == 409
    assert "durchgeführt" in finished.get_json()["message"]


def test_patch_with_the_same_values_answers_the_request_and_sends_nothing(client, db, factories, api_headers):
    request = open_request(factories)

    answer = client.patch(
        f"/api/v1/requests/{request.id}", json={"address": request.address}, headers=api_headers
    )

    assert answer.status_code == 200 and mails(db) == []


def test_cancel_tells_institution_and_volunteer_and_a_second_cancel_conflicts(
    app, client, db, factories, api_headers
):
    request, _offer, _token, assignment = confirmed(app, factories)

    first = client.post(f"/api/v1/requests/{request.id}/cancel", headers=api_headers)
    second = client.post(f"/api/v1/requests/{request.id}/cancel", headers=api_headers)

    assert first.status_code == 200 and first.get_json() == {"id": str(request.id), "status": "cancelled"}
    assert second.status_code == 409
    assert reload(db, request).status == RequestStatus.CANCELLED
    keys = [m.dedupe_key for m in mails(db)]
    assert f"request:{request.id}:cancelled" in keys and f"assignment_cancelled:{assignment.id}" in keys


def test_the_openapi_description_lists_the_new_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert set(paths["/api/v1/requests/{id}"]) == {"get", "patch"}
    assert set(paths["/api/v1/requests/{id}/cancel"]) == {"post"}
