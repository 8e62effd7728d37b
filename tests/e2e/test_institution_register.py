"""In headless Chromium: a coordinator finds an institution in the register, blocks it after the confirm step,
and the list and detail pages fit a phone.

Set SPRACHMITTLERPOOL_SCREENS=docs/screens to keep the screenshots (1280 px and 390 px wide) there.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from sprachmittlerpool.models import RequestStatus, local_now
from sprachmittlerpool.services import institutions
from tests.e2e.browser import ARGS, BROWSER_MARKS, CHROMIUM, log_in_as_coordinator, shoot

pytestmark = BROWSER_MARKS


@pytest.fixture
def app_config(app_config):
    """Run the live app with CSRF on, as in production."""
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


@pytest.fixture
def register(factories, db) -> int:
    """A small register: a verified school, a blocked company, a new counselling centre with requests."""
    school = factories.InstitutionFactory(name="Städtische Gesamtschule Heinsberg", type="schule")
    company = factories.InstitutionFactory(
        name="Sprachdienst GmbH", type="unternehmen", email="info@sprachdienst-gmbh.example"
    )
    centre = factories.InstitutionFactory(
        name="Familienberatungsstelle der Caritas Erkelenz",
        type="beratungsstelle",
        email="familienberatung@caritas-erkelenz.example",
    )
    factories.InstitutionFactory(name="Kita Pusteblume Wassenberg")
    institutions.set_verified(db, school, verified=True, now=local_now(), actor="t")
    institutions.set_blocked(db, company, blocked=True, now=local_now(), actor="t")
    factories.RequestFactory(institution_id=school.id, status=RequestStatus.CONFIRMED)
    factories.RequestFactory(
        institution_id=centre.id,
        status=RequestStatus.REVIEW,
        reasons=[
            {
                "rule": "pool.institution_unverified",
                "message": "Ihre Einrichtung ist beim Sprachmittlerpool noch nicht bestätigt.",
                "effect": "review",
                "triggers": [],
            }
        ],
    )
    earlier = local_now() - timedelta(days=40)
    factories.RequestFactory(
        institution_id=centre.id,
        status=RequestStatus.COMPLETED,
        language_code="ar",
        start=earlier,
        end=earlier + timedelta(hours=1),
    )
    return centre.id


def test_a_coordinator_finds_and_blocks_an_institution_and_the_pages_fit_a_phone(
    live_server, coordinator, register, screens
):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=de-DE"])
        try:
            page = browser.new_page(locale="de-DE")
            page.set_default_timeout(10_000)
            log_in_as_coordinator(page, live_server)
            page.click(".site-header >> text=Einrichtungen")
            expect(page.locator("h1")).to_have_text("Einrichtungen")
            shoot(page, page.url, "institutions-list", screens)

            page.fill("#suche", "caritas")
            page.click("button:text-is('Suchen')")
            expect(page.locator("tbody tr")).to_have_count(1)
            page.click("text=Familienberatungsstelle der Caritas Erkelenz")
            expect(page.locator("main")).to_contain_text("jetzt prüfen")
            shoot(page, page.url, "institution-detail", screens)

            page.click("text=Sperren …")
            expect(page.locator("h1")).to_have_text("Einrichtung sperren?")
            page.click("button:text-is('Ja, Einrichtung sperren')")
            expect(page.locator(".flash-success")).to_contain_text("Die Einrichtung ist gesperrt")
            expect(page.locator("main .badge-gesperrt").first).to_have_text("gesperrt")
        finally:
            browser.close()
