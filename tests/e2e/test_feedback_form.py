"""In headless Chromium with CSRF checked as in production: a volunteer opens the feedback link from the mail on a
phone, rates the assignment and asks for a debriefing talk; the page fits 390 px and 200 % zoom, and the
coordinator's dashboard lists the wish.

Set SPRACHMITTLERPOOL_SCREENS=docs/screens to keep the screenshots (1280 px and 390 px wide) there.
"""

from __future__ import annotations

import re

import pytest

from notifications.relay import deliver_due
from tests.aftercare.world import ask, completed, feedback_rows
from tests.e2e.browser import ARGS, BROWSER_MARKS, CHROMIUM, log_in_as_coordinator, shoot

pytestmark = BROWSER_MARKS

PHONE = {"width": 390, "height": 844}
ZOOMED = 640  # CSS pixels of a 1280 px wide window at 200 % zoom
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def app_config(app_config, smtp_server):
    """Send mail to the test SMTP server and check CSRF as in production."""
    app_config.update(smtp_server.config())
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_a_volunteer_rates_on_a_phone_and_asks_for_a_talk(
    app, db, factories, live_server, smtp_server, coordinator, screens
):
    from playwright.sync_api import expect, sync_playwright

    app.config["BASE_URL"] = live_server
    assignment = completed(app, db, factories)
    ask(app)
    deliver_due(app)
    mail = next(m for m in smtp_server.wait_for(2) if str(m["Subject"]).startswith("Wie ist Ihr Einsatz"))
    body = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(re.escape(live_server) + r"/rueckmeldung/\S+", body).group(0)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=de-DE"])
        try:
            page = browser.new_page(locale="de-DE", viewport=PHONE)
            page.set_default_timeout(10_000)
            shoot(page, link, "feedback-form", screens)
            page.set_viewport_size({"width": ZOOMED, "height": 900})
            assert page.evaluate(OVERFLOW) <= 0, "the feedback form scrolls sideways at 200 % zoom"
            page.set_viewport_size(PHONE)

            page.click("#send")  # without a rating
            expect(page.locator("#rating-error")).to_contain_text("Bewertung von 1 bis 5")
            page.check("input[name=rating][value='2']")
            page.fill("#comment", "Es ging um eine schwere Diagnose.")
            page.check("#debriefing")
            page.click("#send")
            expect(page.locator("#state")).to_contain_text("Nachgespräch zu vereinbaren")

            office = browser.new_page(locale="de-DE")
            log_in_as_coordinator(office, live_server)
            office.goto(f"{live_server}/koordination/")
            expect(office.locator("#debriefing-count")).to_have_text("1")
            office.click("#nachgespraeche a")
            expect(office.locator("#rueckmeldungen")).to_contain_text("Es ging um eine schwere Diagnose.")
        finally:
            browser.close()

    volunteer_row = feedback_rows(db, assignment.id)[0]
    assert (volunteer_row.rating, volunteer_row.debriefing_wanted) == (2, True)
