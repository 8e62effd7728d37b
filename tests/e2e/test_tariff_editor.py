"""In headless Chromium: an admin adds a tariff version and watches the live preview; pages fit a phone.

Set SPRACHMITTLERPOOL_SCREENS=docs/screens to keep the screenshots (1280 px and 390 px wide) there.
"""

from __future__ import annotations

import pytest

from sprachmittlerpool.models import local_now
from tests.e2e.browser import ARGS, BROWSER_MARKS, CHROMIUM, log_in_as_coordinator, shoot

pytestmark = BROWSER_MARKS


@pytest.fixture
def coordinator_role() -> str:
    """Log in as an admin: the tariffs are theirs."""
    return "admin"


@pytest.fixture
def app_config(app_config):
    """Run the live app with CSRF on, as in production."""
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_an_admin_adds_a_tariff_version_and_sees_the_preview_change_as_she_types(
    live_server, coordinator, screens
):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=de-DE"])
        try:
            page = browser.new_page(locale="de-DE")
            page.set_default_timeout(10_000)
            log_in_as_coordinator(page, live_server)
            page.goto(f"{live_server}/einstellungen/tarife")
            first_row = page.locator('[data-preview="1"]')
            expect(first_row).to_have_text("25,00 €")

            page.fill("#base_amount", "30,00")
            page.fill("#name", "Tarif 2030")
            page.fill("#valid_from", "2030-01-01")

            expect(first_row).to_have_text("30,00 €")  # the live preview, no button pressed
            expect(page.locator('[data-preview="4"]')).to_have_text(
                "50,00 €"
            )  # 181 minutes: 30 € + 2 started hours
            page.click("button[value=check]")
            expect(page.locator("h1")).to_have_text("Neue Fassung bestätigen")
            expect(page.locator("main")).to_contain_text(
                "Gilt für Einsätze ab dem 1. Januar 2030, unbefristet."
            )
            page.click("text=Fassung speichern")
            expect(page.locator(".flash-success")).to_contain_text(
                "Die Fassung „Tarif 2030“ gilt ab dem 1. Januar 2030."
            )
            expect(page.locator(".versions li").first).to_contain_text("30,00 € je Einsatz bis 2 Stunden")

            shoot(page, f"{live_server}/einstellungen/tarife", "tariff-editor", screens)

            next_year = local_now().year + 1
            page.goto(f"{live_server}/einstellungen/kalender")
            page.fill("#first", f"{next_year}-07-14")
            page.fill("#last", f"{next_year}-08-26")
            page.fill("#note", "Sommerferien")
            page.click("button:text-is('Eintragen')")
            expect(page.locator(".flash-success")).to_contain_text(f"Geschlossen: 14. Juli {next_year}")
            visitor = browser.new_page(locale="de-DE")
            shoot(visitor, f"{live_server}/regeln", "public-rules", screens)
            expect(visitor.locator("#fristen")).to_contain_text(f"14. Juli {next_year} bis 26. August")
            expect(visitor.locator("#fristen")).to_contain_text(
                "Bitte fragen Sie mindestens 5 Werktage vor dem Termin an"
            )
        finally:
            browser.close()
