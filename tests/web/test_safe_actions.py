"""Nothing irreversible happens on one click: cancelling a request, withdrawing from an assignment, rejecting
a request in review and erasing a volunteer each show a confirmation page first (what will happen, who gets
mail), and only its own button, which sends the form again with `confirm=ja`, does it.
"""

from __future__ import annotations

import re

from sprachmittlerpool.models import AssignmentStatus, InterpretingRequest, OfferStatus, RequestStatus
from sprachmittlerpool.security import new_token, token_hash
from tests.confirm import CONFIRMED
from tests.coordination.helpers import confirmed, open_request, reload, trail_counts
from tests.intake.conftest import payload


def confirmation_form(page: str) -> dict[str, str]:
    """Return the hidden fields the confirmation page's button sends (the CSRF token aside)."""
    form = re.search(r'<section class="card confirm-step">.*?</section>', page, re.S)
    assert form is not None, "no confirmation step"
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(0)))
    fields.pop("csrf_token", None)
    return fields


def says_what_and_who(page: str) -> bool:
    """Tell whether a confirmation page names what will happen and who gets mail."""
    return "Was passiert" in page and "Wer eine E-Mail bekommt" in page and 'id="confirm"' in page


def test_cancelling_a_request_asks_first_and_a_single_post_changes_nothing(app, client, db, factories):
    token = new_token()
    request = open_request(factories, status_token_hash=token_hash(token))
    before = trail_counts(db)

    asked = client.post(f"/status/{token}/stornieren")

    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and says_what_and_who(page)
    assert "Anfrage wirklich stornieren?" in page and "Sie bekommen eine Bestätigung" in page
    assert confirmation_form(page) == CONFIRMED
    assert reload(db, request).status == RequestStatus.OPEN
    assert trail_counts(db) == before


def test_an_unconfirmed_cancel_of_a_finished_request_says_so_and_changes_nothing(client, db, factories):
    token = new_token()
    request = open_request(factories, status_token_hash=token_hash(token), status=RequestStatus.COMPLETED)
    before = trail_counts(db)

    answer = client.post(f"/status/{token}/stornieren", follow_redirects=True)

    assert "kann nicht mehr storniert werden" in answer.get_data(as_text=True)
    assert reload(db, request).status == RequestStatus.COMPLETED
    assert trail_counts(db) == before


def test_the_confirmed_cancel_cancels_the_request(app, client, db, factories):
    token = new_token()
    request = open_request(factories, status_token_hash=token_hash(token))

    client.post(f"/status/{token}/stornieren", data=CONFIRMED)

    assert reload(db, request).status == RequestStatus.CANCELLED


def test_cancelling_a_confirmed_request_says_the_volunteer_is_told(app, client, db, factories):
    token = new_token()
    request, _offer, _offer_token, assignment = confirmed(app, factories, status_token_hash=token_hash(token))

    page = client.post(f"/status/{token}/stornieren").get_data(as_text=True)

    assert "Der bestätigte Einsatz wird abgesagt." in page and "bekommt eine Absage" in page
    assert reload(db, assignment).status == AssignmentStatus.CONFIRMED
    assert reload(db, request).status == RequestStatus.CONFIRMED


def test_withdrawing_asks_first_and_a_single_post_changes_nothing(app, client, db, factories):
    request, offer, token, assignment = confirmed(app, factories)
    before = trail_counts(db)

    asked = client.post(f"/o/{token}/withdraw")

    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and says_what_and_who(page)
    assert "Einsatz wirklich absagen?" in page and "Die Einrichtung erfährt per E-Mail" in page
    assert confirmation_form(page) == CONFIRMED
    assert asked.headers["Cache-Control"] == "no-store"
    assert reload(db, offer).status == OfferStatus.ACCEPTED
    assert reload(db, assignment).status == AssignmentStatus.CONFIRMED
    assert reload(db, request).status == RequestStatus.CONFIRMED
    assert trail_counts(db) == before


def test_the_confirmed_withdrawal_gives_the_assignment_back(app, client, db, factories):
    request, offer, token, assignment = confirmed(app, factories)

    assert client.post(f"/o/{token}/withdraw", data=CONFIRMED).status_code == 200

    assert reload(db, offer).status == OfferStatus.WITHDRAWN
    assert reload(db, request).status == RequestStatus.OPEN


def test_the_withdraw_button_is_the_secondary_one(app, client, factories):
    _request, _offer, token, _assignment = confirmed(app, factories)

    page = client.get(f"/o/{token}").get_data(as_text=True)

    assert re.search(r'<button type="submit" id="withdraw" class="secondary">', page)


def test_a_json_caller_must_confirm_the_withdrawal_too(app, client, db, factories):
    _request, offer, token, _assignment = confirmed(app, factories)

    answer = client.post(f"/o/{token}/withdraw", headers={"Accept": "application/json"})

    assert answer.status_code == 428 and answer.get_json()["status"] == "accepted"
    assert reload(db, offer).status == OfferStatus.ACCEPTED


def _in_review(client) -> int:
    body = client.post("/api/v1/requests", json=payload(topic="Vaterschaft klären")).get_json()
    assert body["status"] == "review"
    return int(body["id"])


def test_rejecting_in_review_asks_first_with_the_note_and_a_single_post_changes_nothing(
    client, coordinator_client, db
):
    request_id = _in_review(client)
    before = trail_counts(db)

    asked = coordinator_client.post(
        f"/koordination/pruefung/{request_id}", data={"decision": "reject", "note": "Bitte Notariat fragen."}
    )

    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and says_what_and_who(page)
    assert "Anfrage wirklich ablehnen?" in page and "leitung@kita-regenbogen.example" in page
    assert "„Bitte Notariat fragen.“" in page
    assert confirmation_form(page) == {"decision": "reject", "note": "Bitte Notariat fragen.", **CONFIRMED}
    assert fresh_status(db, request_id) == RequestStatus.REVIEW
    assert trail_counts(db) == before


def test_the_confirmed_rejection_ends_the_request_and_accepting_needs_no_confirmation(
    client, coordinator_client, db
):
    rejected, accepted = _in_review(client), _in_review(client)

    coordinator_client.post(f"/koordination/pruefung/{rejected}", data={"decision": "reject", **CONFIRMED})
    coordinator_client.post(f"/koordination/pruefung/{accepted}", data={"decision": "accept"})

    assert fresh_status(db, rejected) == RequestStatus.REJECTED
    assert fresh_status(db, accepted) == RequestStatus.OPEN


def test_erasing_a_volunteer_asks_first_and_a_single_post_changes_nothing(coordinator_client, db, factories):
    volunteer = factories.VolunteerFactory(name="Olena Kowalenko")
    before = trail_counts(db)

    asked = coordinator_client.post(f"/koordination/sprachmittelnde/{volunteer.id}/loeschen")

    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and says_what_and_who(page)
    assert "Persönliche Daten von Olena Kowalenko löschen?" in page
    assert "Das lässt sich nicht rückgängig machen." in page
    assert confirmation_form(page) == CONFIRMED
    assert reload(db, volunteer).anonymised_at is None and reload(db, volunteer).name == "Olena Kowalenko"
    assert trail_counts(db) == before


def fresh_status(db, request_id: int) -> str:
    """Read a request's status as the database has it now."""
    db.rollback()
    return db.get(InterpretingRequest, request_id, populate_existing=True).status
