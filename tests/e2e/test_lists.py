"""In headless Chromium: the coordinator filters the request list and finds a volunteer whose page shows the
year's allowance against the Ehrenamtspauschale; both pages fit a phone, their tables scroll inside their box.

Set SPRACHMITTLERPOOL_SCREENS=docs/screens to keep the screenshots (1280 px and 390 px wide) there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sprachmittlerpool.models import OfferStatus, RequestStatus, local_now
from tests.coordination.day_world import assignment_at, offer_for
from tests.coordination.test_volunteer_detail import completed
from tests.e2e.browser import ARGS, BROWSER_MARKS, CHROMIUM, log_in_as_coordinator, shoot

pytestmark = BROWSER_MARKS


def _world(db, factories):
    """Three requests of two institutions (two unfilled) and a volunteer with two paid assignments this year,
    one ahead and one declined offer."""
    next_week = local_now().replace(hour=9, minute=30, second=0) + timedelta(days=7)
    kita = factories.InstitutionFactory(name="Städtische Kindertageseinrichtung Regenbogenland Hückelhoven")
    school = factories.InstitutionFactory(name="Gesamtschule Heinsberg-Oberbruch", type="schule")
    for offset, institution, status, language in (
        (0, kita, RequestStatus.UNFILLED, "ar"),
        (1, school, RequestStatus.OPEN, "uk"),
        (2, kita, RequestStatus.UNFILLED, "fa"),
    ):
        start = next_week + timedelta(days=offset)
        factories.RequestFactory(
            start=start,
            end=start + timedelta(hours=1, minutes=30),
            institution_id=institution.id,
            status=status,
            language_code=language,
            contact_name="Frau Dr. Annegret Schneider-Wilhelmi",
        )
    volunteer = factories.VolunteerFactory(name="Mariam Haddad-Kowalenko", phone="02452 98765")
    year = local_now().year
    completed(db, factories, volunteer, datetime(year, 2, 3, 10), 4500, institution_id=school.id)
    completed(db, factories, volunteer, datetime(year, 3, 9, 14), 3750, institution_id=kita.id)
    assignment_at(db, factories, next_week + timedelta(days=3), volunteer=volunteer, institution_id=school.id)
    _, offer, _ = offer_for(
        db, factories, next_week + timedelta(days=4), volunteer=volunteer, status=OfferStatus.DECLINED
    )
    offer.answered_at = local_now().replace(second=0) - timedelta(days=1)
    offer.decline_reason = "An diesem Vormittag habe ich selbst einen Arzttermin."
    db.add(offer)
    db.commit()
    return volunteer


def test_the_coordinator_filters_requests_and_reads_a_volunteers_year(
    live_server, coordinator, db, factories, screens
):
    from playwright.sync_api import expect, sync_playwright

    volunteer = _world(db, factories)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=de-DE"])
        try:
            page = browser.new_page(locale="de-DE")
            page.set_default_timeout(10_000)
            log_in_as_coordinator(page, live_server)

            page.click("header >> text=Anfragen")
            # the three requests and the four of the volunteer's assignments and offers
            expect(page.locator("table.request-list tbody tr")).to_have_count(7)
            page.select_option("#status", label="nicht besetzt (2)")
            page.select_option(
                "#einrichtung", label="Städtische Kindertageseinrichtung Regenbogenland Hückelhoven"
            )
            page.click("main form[role=search] button[type=submit]")
            rows = page.locator("table.request-list tbody tr")
            expect(rows).to_have_count(2)
            expect(rows.nth(0)).to_contain_text("Arabisch")
            expect(rows.nth(1)).to_contain_text("Persisch")
            expect(page.locator("#request-count")).to_contain_text("2 Anfragen gefunden")
            assert "status=nicht-besetzt" in page.url
            shoot(page, page.url, "request-list", screens)

            page.set_viewport_size({"width": 1280, "height": 900})
            page.click("header >> text=Sprachmittelnde")
            page.fill("#suche", "02452 98765")
            page.click("main form[role=search] button[type=submit]")
            page.click("table.volunteer-list >> text=Mariam Haddad-Kowalenko")
            expect(page.locator("h1")).to_have_text("Mariam Haddad-Kowalenko")
            expect(page.locator("#pauschale .allowance-total")).to_have_text("82,50 €")
            expect(page.locator("#pauschale")).to_contain_text("960,00 €")
            expect(page.locator("#pauschale")).to_contain_text("877,50 €")
            expect(page.locator("#einsaetze")).to_contain_text("Gesamtschule Heinsberg-Oberbruch")
            expect(page.locator("#absagen")).to_contain_text("selbst einen Arzttermin")
            shoot(
                page,
                f"{live_server}/koordination/sprachmittelnde/{volunteer.id}",
                "volunteer-detail",
                screens,
            )
        finally:
            browser.close()
