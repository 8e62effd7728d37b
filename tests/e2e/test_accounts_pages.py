"""In headless Chromium: an admin invites an account, creates an API token (shown once) and revokes it after the
confirmation page; the accounts and token pages fit 1280 px and a 390 px phone.

Set SPRACHMITTLERPOOL_SCREENS=docs/screens to keep the screenshots there.
"""

from __future__ import annotations

import pytest

from tests.conftest import COORDINATOR_EMAIL
from tests.e2e.browser import ARGS, BROWSER_MARKS, CHROMIUM, shoot
from tests.e2e.test_identity_settings import log_in
from tests.settings.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, admin  # noqa: F401 (the admin fixture)

pytestmark = BROWSER_MARKS


@pytest.fixture
def app_config(app_config):
    """Run the live app with CSRF on, as in production."""
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


@pytest.mark.usefixtures("admin", "coordinator")
def test_an_admin_invites_an_account_and_creates_and_revokes_a_token(live_server, screens) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=de-DE"])
        try:
            page = browser.new_page(locale="de-DE", viewport={"width": 1280, "height": 900})
            page.set_default_timeout(10_000)
            log_in(page, live_server, ADMIN_EMAIL, ADMIN_PASSWORD)
            page.goto(f"{live_server}/einstellungen/")
            page.click("text=Konten")
            page.fill("#name", "Nora Neu")
            page.fill("#email", "nora.neu@kreis-kleve.example")
            page.click("main form.card button[type=submit]")
            expect(page.locator(".flash-success")).to_contain_text("Nora Neu ist eingeladen")
            expect(page.locator("table")).to_contain_text("eingeladen")
            shoot(page, f"{live_server}/einstellungen/konten", "settings-accounts", screens)

            page.goto(f"{live_server}/einstellungen/api-tokens")
            page.select_option("#user_id", label=f"Kim Koordination ({COORDINATOR_EMAIL})")
            page.fill("#label", "Fachsoftware Jugendamt")
            page.click("main form.card button[type=submit]")
            expect(page.locator("#new-token")).to_be_visible()
            expect(page.locator("main")).to_contain_text("Kopieren Sie das Token jetzt")
            page.set_viewport_size({"width": 390, "height": 900})
            page.screenshot(path=str(screens / "settings-api-token-created-390.png"), full_page=True)
            page.get_by_role("link", name="widerrufen", exact=True).click()
            expect(page.locator("h1")).to_contain_text("widerrufen?")
            page.click("button.danger")
            expect(page.locator(".flash-success")).to_contain_text("ist widerrufen")
            shoot(page, f"{live_server}/einstellungen/api-tokens", "settings-api-tokens", screens)
        finally:
            browser.close()
