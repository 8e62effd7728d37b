"""The public form and API must not become a way to mail chosen text to any address (issue 14).

Anyone may submit with any contact address, so every mail that goes out without a coordinator's check —
the receipt, an automatic rejection, the confirmation of a cancellation through the status link — carries
only what the pool itself words: date and time, the language and municipality from the pool's lists, the
status link, the rules' fixed messages. Nothing the submitter typed (names, institution, phone, dialect,
topic, address) appears in subject, text or HTML.
"""

from __future__ import annotations

import pytest

from tests.confirm import CONFIRMED
from tests.hardening.test_rate_limits import form_data
from tests.intake.conftest import mails, payload

CANARY = "KANARIE-https://werbung.example/kaufen"
FREE_TEXT = ["institution_name", "contact_name", "contact_phone", "dialect", "topic", "address"]


def typed(**overrides: object) -> dict[str, object]:
    """A submission whose every free-text field carries the canary (phone: digits-free, still free text)."""
    return payload(**({field: f"{CANARY} {field}" for field in FREE_TEXT} | overrides))


def mail_texts(db) -> list[str]:
    return [f"{m.subject}\n{m.body_text}\n{m.body_html}" for m in mails(db)]


def assert_no_submitter_text(db) -> None:
    texts = mail_texts(db)
    assert texts, "no mail was queued"
    for text in texts:
        assert "KANARIE" not in text and "werbung.example" not in text, text


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({}, id="accepted-open"),
        pytest.param({"topic": f"{CANARY} Gerichtstermin"}, id="review"),
        pytest.param({"institution_type": "privatperson"}, id="rejected-at-once"),
    ],
)
def test_no_mail_to_the_submitted_address_carries_text_the_submitter_chose(client, db, overrides) -> None:
    response = client.post("/api/v1/requests", json=typed(**overrides))

    assert response.status_code == 201, response.get_json()
    assert_no_submitter_text(db)


def test_the_receipt_names_date_language_municipality_and_the_status_link(client, db) -> None:
    body = client.post("/api/v1/requests", json=typed()).get_json()

    [mail] = mails(db)
    assert body["status_url"] in mail.body_text and body["status_url"] in mail.body_html
    assert "Ukrainisch" in mail.body_text and "Heinsberg" in mail.body_text


def test_the_form_receipt_carries_no_submitter_text(client, db) -> None:
    data = form_data(**{field: f"{CANARY} {field}" for field in FREE_TEXT})

    assert client.post("/anfrage", data=data).status_code == 302
    assert_no_submitter_text(db)


def test_cancelling_through_the_status_link_mails_no_submitter_text(client, db) -> None:
    status_url = client.post("/api/v1/requests", json=typed()).get_json()["status_url"]

    assert client.post(
        status_url.removeprefix("http://localhost") + "/stornieren", data=CONFIRMED
    ).status_code in (302, 303)
    assert len(mails(db)) == 2
    assert_no_submitter_text(db)
