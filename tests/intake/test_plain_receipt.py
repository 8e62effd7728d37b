"""The institution is told plainly and at once: a rejected request's receipt says it cannot be handled and
why (the rule's German title and its explanation), a request in review that it will be checked, and the
coordinator's note on a decision shows on the status page.
"""

from __future__ import annotations

import re

from tests.confirm import CONFIRMED
from tests.intake.conftest import payload
from tests.intake.test_form import form_data


def heading(page: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", page, re.S).group(1).strip()


def test_a_rejected_request_s_receipt_says_at_once_that_it_cannot_be_handled_and_why(client):
    page = client.post(
        "/anfrage", data=form_data(appointment_type="polizei"), follow_redirects=True
    ).get_data(as_text=True)

    assert heading(page) == "Diese Anfrage können wir leider nicht vermitteln."
    reasons = re.search(r'<ul class="reasons" id="reasons">(.*?)</ul>', page, re.S).group(1)
    assert "<strong>Termine bei der Polizei:</strong> Termine bei der Polizei (z. B. Vernehmungen" in reasons
    assert "Vielen Dank" not in page and "legal.police" not in page


def test_a_request_in_review_s_receipt_says_it_will_be_checked(client):
    page = client.post(
        "/anfrage", data=form_data(topic="Fragen zum Antrag auf Wohngeld"), follow_redirects=True
    ).get_data(as_text=True)

    assert heading(page) == "Ihre Anfrage ist eingegangen und wird geprüft."
    assert "Noch ist keine Sprachmittlung zugesagt." in page
    assert "Anträge auf Sozialleistungen:" in page


def test_an_open_request_s_receipt_thanks_and_says_we_are_looking(client):
    page = client.post("/anfrage", data=form_data(), follow_redirects=True).get_data(as_text=True)

    assert heading(page) == "Vielen Dank, Ihre Anfrage ist eingegangen."
    assert "Wir suchen eine passende Sprachmittlerin" in page


def test_the_coordinator_s_note_shows_on_the_institution_s_status_page(client, coordinator_client, db):
    body = client.post("/api/v1/requests", json=payload(topic="Vaterschaft klären")).get_json()

    coordinator_client.post(
        f"/koordination/pruefung/{body['id']}",
        data={"decision": "reject", "note": "Bitte wenden Sie sich an das Notariat.", **CONFIRMED},
    )

    page = client.get(body["status_url"].removeprefix("http://localhost")).get_data(as_text=True)
    assert "Hinweis der Koordination" in page and "Bitte wenden Sie sich an das Notariat." in page
    assert "Vaterschaftsanerkennungen und Sorgeerklärungen:" in page and "legal.paternity" not in page
