"""Markup typed into any field is kept as text and shown escaped on every page and in every mail."""

from __future__ import annotations

import re

from tests.confirm import CONFIRMED
from tests.intake.conftest import SCRIPT, mails, payload

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_script_in_name_topic_and_address_is_stored_as_text_and_shown_escaped_everywhere(
    client, coordinator_client, db
):
    data = payload(
        institution_name=f"Kita {SCRIPT}",
        contact_name=SCRIPT,
        topic=f"{SCRIPT} Gerichtstermin",
        address=f"Apfelstraße 1 {SCRIPT}",
    )

    body = client.post("/api/v1/requests", json=data).get_json()
    status_page = client.get(body["status_url"].removeprefix("http://localhost")).get_data(as_text=True)
    review_page = coordinator_client.get("/koordination/pruefung").get_data(as_text=True)
    coordinator_client.post(
        f"/koordination/pruefung/{body['id']}", data={"decision": "reject", "note": SCRIPT, **CONFIRMED}
    )

    assert body["status"] == "review"
    for page in (status_page, review_page):
        assert SCRIPT not in page and ESCAPED in page
    assert review_page.count(ESCAPED) >= 4 and '<mark class="trigger">Gerichtstermin</mark>' in review_page
    sent = mails(db)
    assert len(sent) == 2
    for mail in sent:
        assert SCRIPT not in mail.body_html and "<script" not in mail.subject
    assert ESCAPED not in sent[0].body_html  # the receipt carries no submitter text (issue 14)
    assert ESCAPED in sent[1].body_html  # the coordinator's note, shown escaped


def test_script_in_the_form_is_kept_escaped_when_the_form_comes_back_with_errors(client, db):
    response = client.post("/anfrage", data={"institution_name": SCRIPT, "topic": SCRIPT, "address": SCRIPT})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert SCRIPT not in page
    assert len(re.findall(re.escape("&lt;script&gt;alert(1)&lt;/script&gt;"), page)) == 3
