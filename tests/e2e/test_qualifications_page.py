"""In headless Chromium: the coordinator goes from a volunteer's page to the qualifications, enters a police
clearance and takes on phone and video work; the page fits a phone.

Set SPRACHMITTLERPOOL_SCREENS=docs/screens to keep the screenshots (1280 px and 390 px wide) there.
"""

from __future__ import annotations

import pytest

from tests.e2e.browser import ARGS, BROWSER_MARKS, CHROMIUM, log_in_as_coordinator, shoot

pytestmark = BROWSER_MARKS


def test_the_coordinator_enters_a_clearance_and_remote_work(live_server, coordinator, factories, screens):
    from playwright.sync_api import expect, sync_playwright

    volunteer = factories.VolunteerFactory(
        name="Olena Kowalenko-Schmidt", qualifications={"trained": None, "confidentiality": None}
    )

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=de-DE"])
        try:
            page = browser.new_page(locale="de-DE")
            page.set_default_timeout(10_000)
            log_in_as_coordinator(page, live_server)
            page.goto(f"{live_server}/koordination/sprachmittelnde/{volunteer.id}")
            page.click("main >> text=Nachweise (Schulung, Führungszeugnis …) und Telefon/Video")
            expect(page.locator("h1")).to_have_text("Nachweise und Telefon/Video")
            page.fill("#clearance_issued_on", "2025-01-15")
            page.fill("#clearance_valid_until", "2030-01-14")
            page.check("input[name=remote]")
            page.click("main button[type=submit]")
            expect(page.locator("main")).to_contain_text("Die Nachweise wurden gespeichert.")
            expect(page.locator("#clearance_valid_until")).to_have_value("2030-01-14")
            expect(page.locator("input[name=remote]")).to_be_checked()
            shoot(page, page.url, "volunteer-qualifications", screens)
        finally:
            browser.close()


@pytest.mark.parametrize("coordinator_role", ["admin"])
def test_the_admin_reads_the_requirements_grid_on_a_phone(live_server, coordinator, screens):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=de-DE"])
        try:
            page = browser.new_page(locale="de-DE")
            page.set_default_timeout(10_000)
            log_in_as_coordinator(page, live_server)
            page.goto(f"{live_server}/einstellungen/")
            page.click("main >> text=Nachweise und Telefon/Video")
            expect(page.locator("h1")).to_have_text("Nachweise und Telefon/Video")
            expect(page.get_by_label("Schule: Erweitertes Führungszeugnis")).to_be_checked()
            shoot(page, page.url, "settings-qualifications", screens)
        finally:
            browser.close()
