"""In headless Chromium: the coordinator opens tomorrow's list from the navigation and the week view; both fit
a phone, and the printed day list shows no navigation.

Set SPRACHMITTLERPOOL_SCREENS=docs/screens to keep the screenshots (1280 px and 390 px wide) there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sprachmittlerpool.german import day_long
from sprachmittlerpool.models import local_now
from tests.coordination.day_world import assignment_at
from tests.e2e.browser import ARGS, BROWSER_MARKS, CHROMIUM, log_in_as_coordinator, shoot

pytestmark = BROWSER_MARKS


def _tomorrow_at(hour: int, minute: int = 0) -> datetime:
    tomorrow = local_now().date() + timedelta(days=1)
    return datetime.combine(tomorrow, datetime.min.time()).replace(hour=hour, minute=minute)


def test_the_coordinator_reads_tomorrows_list_and_the_week(live_server, coordinator, db, factories, screens):
    from playwright.sync_api import expect, sync_playwright

    for hour, name, phone in (
        (14, "Olena Kowalenko-Schmidt", "0171 2345678"),
        (9, "Mariam Haddad", "02452 98765"),
    ):
        volunteer = factories.VolunteerFactory(name=name, phone=phone)
        assignment_at(
            db,
            factories,
            _tomorrow_at(hour, 30),
            volunteer=volunteer,
            address="Hochstraße 117, Eingang B, 2. Obergeschoss",
            contact_name="Frau Dr. Annegret Schneider-Wilhelmi",
        )
    tomorrow = local_now().date() + timedelta(days=1)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=de-DE"])
        try:
            page = browser.new_page(locale="de-DE")
            page.set_default_timeout(10_000)
            log_in_as_coordinator(page, live_server)
            page.click("header >> text=Heute / Morgen")
            page.click("main >> text=Morgen")
            expect(page.locator("h1")).to_have_text(f"Einsätze am {day_long(tomorrow)}")
            rows = page.locator("table.day-list tbody tr")
            expect(rows).to_have_count(2)
            expect(rows.nth(0)).to_contain_text("09:30–10:30 Uhr")
            expect(rows.nth(0)).to_contain_text("Mariam Haddad")
            expect(rows.nth(1)).to_contain_text("Olena Kowalenko-Schmidt")
            expect(rows.nth(1)).to_contain_text("Tel. 0171 2345678")
            url = page.url
            shoot(page, url, "day-list", screens)

            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto(url)
            page.emulate_media(media="print")
            expect(page.locator("header.site-header")).to_be_hidden()
            expect(page.locator("nav.day-nav")).to_be_hidden()
            expect(page.locator("table.day-list")).to_be_visible()
            page.emulate_media(media="screen")

            page.click("nav.day-nav >> text=Woche")
            expect(page.locator("main")).to_contain_text("Mariam Haddad")
            shoot(
                page,
                f"{live_server}/koordination/einsaetze/woche?ab={tomorrow.isoformat()}",
                "week-view",
                screens,
            )
        finally:
            browser.close()
