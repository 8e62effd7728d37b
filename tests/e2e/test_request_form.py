"""End to end in headless Chromium: an institution asks for an interpreter, a coordinator finds the request."""

from __future__ import annotations

import re

import pytest

from tests.e2e.browser import ARGS, BROWSER_MARKS, CHROMIUM, log_in_as_coordinator
from tests.factories import next_weekday

pytestmark = BROWSER_MARKS


@pytest.fixture
def app_config(app_config):
    """Run the live app with CSRF on, as in production."""
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_an_institution_submits_the_form_and_the_coordinator_finds_it_in_review(live_server, coordinator):
    from playwright.sync_api import expect, sync_playwright

    start = next_weekday(1, weeks_ahead=3)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(10_000)
            page.goto(f"{live_server}/anfrage")
            page.fill("#institution_name", "Städtische Kita Regenbogen")
            page.select_option("#institution_type", "kita")
            page.fill("#contact_name", "Frau Schneider")
            page.fill("#contact_email", "leitung@kita-regenbogen.example")
            page.select_option("#language", "ar")
            page.select_option("#appointment_type", "elterngespraech")
            page.fill("#topic", "Elterngespräch, die Familie hat Fragen zum Antrag auf Wohngeld")
            page.fill("#date", f"{start:%Y-%m-%d}")
            page.fill("#start_time", "10:00")
            page.fill("#end_time", "11:00")
            page.select_option("#municipality", "erkelenz")
            page.fill("#address", "Apfelstraße 1")
            page.click("button[type=submit]")

            expect(page.locator("h1")).to_have_text("Ihre Anfrage ist eingegangen und wird geprüft.")
            expect(page.locator("#status-link")).to_have_text(re.compile(r"/status/[\w-]{40,}$"))

            log_in_as_coordinator(page, live_server)
            page.goto(f"{live_server}/koordination/pruefung")

            item = page.locator(".review-item")
            expect(item).to_have_count(1)
            expect(item).to_contain_text("Städtische Kita Regenbogen")
            expect(item).to_contain_text("Erkelenz")
            expect(item.locator("mark.trigger").first).to_be_visible()
        finally:
            browser.close()
