"""In headless Chromium: a coordinator re-dates a confirmed request on its page; over real SMTP the volunteer gets
the calendar entry again (same UID, higher SEQUENCE), and so does the institution, with the new details.

Set SPRACHMITTLERPOOL_SCREENS=docs/screens to keep the screenshots (1280 px and 390 px wide) there.
"""

from __future__ import annotations

import re

import pytest

from notifications.relay import deliver_due
from sprachmittlerpool.db import new_session
from sprachmittlerpool.services import offers
from tests.coordination.helpers import now
from tests.e2e.browser import ARGS, BROWSER_MARKS, CHROMIUM, log_in_as_coordinator, shoot

pytestmark = BROWSER_MARKS


@pytest.fixture
def app_config(app_config, smtp_server):
    """Send mail to the test SMTP server and check CSRF as in production."""
    app_config.update(smtp_server.config())
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def _calendar(message) -> str:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, message["Subject"]
    content = parts[0].get_content()
    return content.decode() if isinstance(content, bytes) else content


def _field(calendar: str, name: str) -> str:
    found = re.search(rf"^{name}:(.+?)\r?$", calendar, re.MULTILINE)
    assert found, calendar
    return found.group(1)


def _one(messages, subject_start: str):
    found = [m for m in messages if str(m["Subject"]).startswith(subject_start)]
    assert len(found) == 1, [str(m["Subject"]) for m in messages]
    return found[0]


def test_re_dating_a_confirmed_request_sends_the_same_entry_with_a_higher_sequence(
    app, live_server, coordinator, factories, smtp_server, screens
):
    from playwright.sync_api import expect, sync_playwright

    request = factories.RequestFactory(
        contact_name="Frau Dr. Annegret Schneider-Wilhelmi",
        address="Hochstraße 117, Eingang B",
        topic="Entwicklungsgespräch zum Übergang in die Schule",
    )
    volunteer = factories.VolunteerFactory(name="Olena Kowalenko", phone="0171 2345678")
    with app.app_context(), new_session(write=True) as session:
        offer, _token = offers.make_offer(
            session,
            request_id=request.id,
            volunteer_id=volunteer.id,
            now=now(),
            actor=f"user:{coordinator.id}",
        )
        assignment = offers.accept_offer(
            session, offer_id=offer.id, now=now(), actor=f"volunteer:{volunteer.id}"
        )
    deliver_due(app)
    before = smtp_server.wait_for(3)
    first_entry = _calendar(_one(before, "Einsatz bestätigt"))
    institution_first = _calendar(next(m for m in before if str(m["To"]) == request.contact_email))
    assert _field(institution_first, "UID") == _field(first_entry, "UID")
    page_url = f"{live_server}/koordination/anfragen/{request.id}"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=de-DE"])
        try:
            page = browser.new_page(locale="de-DE")
            page.set_default_timeout(10_000)
            log_in_as_coordinator(page, live_server)
            page.goto(page_url)
            expect(page.locator("h1")).to_contain_text("Anfrage: Ukrainisch")
            page.click("text=Zeit, Ort oder Sprache ändern …")
            page.fill("#beginn", "14:00")
            page.fill("#ende", "15:30")
            page.click("main button[type=submit]")
            expect(page.locator("h1")).to_have_text("Anfrage so ändern?")
            expect(page.locator("ul.consequences")).to_contain_text("geänderten Kalendereintrag")
            page.click("text=Ja, so ändern und E-Mails senden")
            expect(page.locator(".flash-success")).to_contain_text("Die Anfrage ist geändert")
            expect(page.locator("table.facts")).to_contain_text("14:00–15:30 Uhr")
            expect(page.locator("ul.request-history")).to_contain_text("Geändert: Beginn")
            shoot(page, page_url, "request-page", screens)
        finally:
            browser.close()

    deliver_due(app)
    after = smtp_server.wait_for(5)[3:]
    changed = _one(after, "Einsatz geändert")
    entry = _calendar(changed)
    assert str(changed["To"]) == volunteer.email
    assert _field(entry, "UID") == _field(first_entry, "UID") == f"einsatz-{assignment.id}@localhost"
    assert int(_field(entry, "SEQUENCE")) > int(_field(first_entry, "SEQUENCE"))
    assert _field(entry, "METHOD") == "REQUEST" and "T140000" in _field(entry, "DTSTART;TZID=Europe/Berlin")
    institution = _one(after, "Ihre Anfrage wurde geändert")
    assert str(institution["To"]) == request.contact_email
    assert "14:00–15:30 Uhr" in institution.get_body(preferencelist=("plain",)).get_content()
    institution_entry = _calendar(institution)
    assert _field(institution_entry, "UID") == _field(first_entry, "UID")
    assert int(_field(institution_entry, "SEQUENCE")) > int(_field(institution_first, "SEQUENCE"))
    assert request.contact_email in institution_entry and volunteer.email not in institution_entry
