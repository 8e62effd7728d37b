"""End to end in headless Chromium: an admin changes the pool's contact address and sees it in the footer of a
public page; a coordinator is refused the settings page."""

from __future__ import annotations

import pytest

from tests.conftest import COORDINATOR_EMAIL, COORDINATOR_PASSWORD
from tests.e2e.browser import ARGS, BROWSER_MARKS, CHROMIUM
from tests.settings.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, admin  # noqa: F401 (the admin fixture)

pytestmark = BROWSER_MARKS
NEW_ADDRESS = "sprachmittlerpool@kreis-kleve.example"


@pytest.fixture
def app_config(app_config):
    """Run the live app with CSRF on, as in production."""
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def log_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/anmelden")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/koordination**")


@pytest.mark.usefixtures("admin")
def test_an_admin_changes_the_contact_address_and_the_public_footer_shows_it(live_server) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.set_default_timeout(10_000)
            log_in(page, live_server, ADMIN_EMAIL, ADMIN_PASSWORD)
            page.goto(f"{live_server}/einstellungen/")
            page.click("text=Auftritt und Kontakt")
            page.fill("#name", "Sprachmittlerpool Kreis Kleve")
            page.fill("#email", NEW_ADDRESS)
            page.click("button[value=save]")
            expect(page.locator(".flash-success")).to_contain_text("Geändert: Name des Pools, E-Mail-Adresse")

            anonymous = browser.new_page(viewport={"width": 390, "height": 844})
            anonymous.goto(f"{live_server}/anfrage")
            footer = anonymous.locator("footer.site-footer")
            expect(footer.locator(f'a[href="mailto:{NEW_ADDRESS}"]')).to_be_visible()
            expect(footer).to_contain_text("Sprachmittlerpool Kreis Kleve")
            footer.get_by_role("link", name="Datenschutz").click()
            expect(anonymous.locator("h1")).to_have_text("Datenschutzhinweis")
        finally:
            browser.close()


def test_a_coordinator_gets_403_on_the_settings_page(live_server, coordinator) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(10_000)
            log_in(page, live_server, COORDINATOR_EMAIL, COORDINATOR_PASSWORD)
            expect(page.locator(".site-header nav")).not_to_contain_text("Einstellungen")

            response = page.goto(f"{live_server}/einstellungen/auftritt")

            assert response is not None and response.status == 403
            expect(page.locator("h1")).to_have_text("Keine Berechtigung")
        finally:
            browser.close()
