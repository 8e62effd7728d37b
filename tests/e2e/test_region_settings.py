"""In headless Chromium: an admin takes over a shipped district after its preview, adds and retires a language;
both settings pages fit a phone.

Set SPRACHMITTLERPOOL_SCREENS=docs/screens to keep the screenshots (1280 px and 390 px wide) there.
"""

from __future__ import annotations

import pytest

from tests.e2e.browser import ARGS, BROWSER_MARKS, CHROMIUM, log_in_as_coordinator, shoot

pytestmark = BROWSER_MARKS


@pytest.fixture
def coordinator_role() -> str:
    """Log in as an admin: the region and the languages are theirs."""
    return "admin"


@pytest.fixture
def app_config(app_config):
    """Run the live app with CSRF on, as in production."""
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_an_admin_takes_over_a_district_and_retires_a_language_after_confirming(
    live_server, coordinator, screens
) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=de-DE"])
        try:
            page = browser.new_page(locale="de-DE")
            page.set_default_timeout(10_000)
            log_in_as_coordinator(page, live_server)
            page.goto(f"{live_server}/einstellungen/")
            page.click("text=Region und Gemeinden")
            page.select_option("#shipped", "kreis-kleve")
            page.click("text=Vorschau zeigen")
            expect(page.locator("h2")).to_contain_text(
                "Das würde sich ändern: 16 neu, 0 geändert, 10 nicht mehr"
            )
            page.click("text=Änderungen übernehmen")
            expect(page.locator(".flash-success")).to_contain_text("Gemeinden übernommen: 16 neu")
            shoot(page, f"{live_server}/einstellungen/region", "settings-region", screens)

            page.goto(f"{live_server}/einstellungen/sprachen")
            page.fill("#code", "ar-lev")
            page.fill("#name", "Arabisch (Levante)")
            page.click("button:text-is('Hinzufügen')")
            expect(page.locator(".flash-success")).to_contain_text("„Arabisch (Levante)“ wird ab jetzt")
            page.click("form[action$='/sprachen/ru/angebot'] button")
            expect(page.locator("h1")).to_have_text("„Russisch“ nicht mehr anbieten?")
            page.click("main button.danger")
            expect(page.locator(".flash-success")).to_contain_text("„Russisch“ wird nicht mehr angeboten.")
            shoot(page, f"{live_server}/einstellungen/sprachen", "settings-languages", screens)

            visitor = browser.new_page(locale="de-DE")
            visitor.goto(f"{live_server}/anfrage")
            expect(visitor.locator("#municipality")).to_contain_text("Emmerich am Rhein")
            expect(visitor.locator("#municipality")).not_to_contain_text("Heinsberg")
            expect(visitor.locator("#language")).to_contain_text("Arabisch (Levante)")
            expect(visitor.locator("#language option[value=ru]")).to_have_count(0)
        finally:
            browser.close()
