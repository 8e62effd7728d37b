"""In headless Chromium on a phone-sized screen: a volunteer asks for their link, reads the mail from a real SMTP
server, opens their page, pauses for two weeks (a pending offer in that time is withdrawn and the coordinator's
offers page says why) and downloads the year's statement of allowances.

Set SPRACHMITTLERPOOL_SCREENS=docs/screens to keep the screenshots (1280 px and 390 px wide) there.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from pypdf import PdfReader

from notifications.relay import deliver_due
from sprachmittlerpool.db import new_session
from sprachmittlerpool.german import date_long
from sprachmittlerpool.models import Offer, OfferStatus, local_now
from sprachmittlerpool.services import offers, payouts
from tests.conftest import COORDINATOR_EMAIL, COORDINATOR_PASSWORD
from tests.coordination.helpers import reload
from tests.e2e.browser import ARGS, BROWSER_MARKS, CHROMIUM, shoot
from tests.payouts import helpers

pytestmark = BROWSER_MARKS

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def app_config(app_config, smtp_server):
    """Send mail to the test SMTP server and check CSRF as in production."""
    app_config.update(smtp_server.config())
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def _days_ahead(days: int, hour: int = 10) -> datetime:
    return datetime.combine(local_now().date() + timedelta(days=days), datetime.min.time()).replace(hour=hour)


def _offer(app, factories, volunteer_id: int, start: datetime) -> Offer:
    request = factories.RequestFactory(start=start, end=start + timedelta(hours=1))
    with app.app_context(), new_session(write=True) as session:
        offer, _token = offers.make_offer(
            session, request_id=request.id, volunteer_id=volunteer_id, now=local_now(), actor="user:1"
        )
        return offer


def _booked_this_year(app, volunteer_id: int) -> datetime:
    """Book one completed assignment of this year (34 €) into its month's payout list; return its start."""
    start = min(datetime(local_now().year, 1, 2, 9), local_now() - timedelta(hours=3))
    with app.app_context(), new_session(write=True) as session:
        kita = helpers.institution(session, "Städtische Kita Regenbogen")
        assignment = helpers.completed(session, volunteer_id, kita.id, start, 3400, minutes=90)
        payouts.book_allowance(session, assignment, now=local_now())
        session.commit()
    return start


def test_a_volunteer_pauses_for_two_weeks_and_downloads_the_years_statement(
    app, db, factories, live_server, smtp_server, coordinator, screens
):
    from playwright.sync_api import expect, sync_playwright

    app.config["BASE_URL"] = live_server
    volunteer = factories.VolunteerFactory(name="Olena Kowalenko", email="olena.kowalenko@example.org")
    inside = _offer(app, factories, volunteer.id, _days_ahead(5))
    outside = _offer(app, factories, volunteer.id, _days_ahead(24))
    year = _booked_this_year(app, volunteer.id).year
    pause_end = local_now().date() + timedelta(days=14)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=de-DE"])
        try:
            page = browser.new_page(locale="de-DE", viewport=PHONE)
            page.set_default_timeout(10_000)
            page.goto(f"{live_server}/mein-bereich")
            page.fill("#email", volunteer.email)
            page.click("#send-link")
            expect(page.locator("#sent")).to_contain_text("persönlichen Link unterwegs")

            deliver_due(app)
            smtp_server.wait_for(3)  # the two offers and the link
            mail = [m for m in smtp_server.to(volunteer.email) if "persönlicher Link" in str(m["Subject"])][0]
            body = mail.get_body(preferencelist=("plain",)).get_content()
            link = re.search(re.escape(live_server) + r"/mein-bereich/\S+", body).group(0)

            page.goto(link)
            expect(page.locator("h1")).to_have_text("Mein Bereich")
            expect(page.locator("#angebote article")).to_have_count(2)
            page.fill("#pause_end", pause_end.isoformat())
            page.click("#pause")
            expect(page.locator("h1")).to_have_text("Pause eintragen?")
            expect(page.locator("#withdrawn li")).to_have_count(1)
            expect(page.locator("main")).to_contain_text(f"bis einschließlich {date_long(pause_end)}")
            page.click("#confirm")
            expect(page.locator(".flash-success")).to_have_text("Ihre Pause ist eingetragen.")
            expect(page.locator("#angebote article")).to_have_count(1)
            assert reload(db, inside).status == OfferStatus.WITHDRAWN
            assert reload(db, outside).status == OfferStatus.PENDING

            page.select_option("#period", str(year))
            with page.expect_download() as download:
                page.click("#statement")
            text = "".join(part.extract_text() for part in PdfReader(download.value.path()).pages)
            assert f"Nachweis der Aufwandsentschädigungen – Jahr {year}" in text
            assert f"Summe Jahr {year}" in text and "34,00 €" in text
            assert f"Ehrenamtspauschale {year}" in text and "Olena Kowalenko" in text

            shoot(page, link, "volunteer-self", screens)

            office = browser.new_page(locale="de-DE")
            office.goto(f"{live_server}/anmelden")
            office.fill("#email", COORDINATOR_EMAIL)
            office.fill("#password", COORDINATOR_PASSWORD)
            office.click("main button[type=submit]")
            office.goto(f"{live_server}/koordination/angebote")
            withdrawn = office.locator("#zurueckgezogen tbody tr")
            expect(withdrawn).to_have_count(1)
            expect(withdrawn).to_contain_text("Olena Kowalenko")
            expect(withdrawn).to_contain_text("hat eine Pause eingetragen")
        finally:
            browser.close()
