"""In headless Chromium: a proposal list made stale by an absence says so, and its confirmation is refused.

Set SPRACHMITTLERPOOL_SCREENS=docs/screens to keep the screenshots (1280 px and 390 px wide) there.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from sprachmittlerpool.models import Offer, OutboxMail
from tests.coordination.helpers import fresh_read
from tests.e2e.browser import ARGS, BROWSER_MARKS, CHROMIUM, log_in_as_coordinator, shoot

pytestmark = BROWSER_MARKS


@pytest.fixture
def app_config(app_config):
    """Run the live app with CSRF on, as in production."""
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def _log_in(page, live_server: str) -> None:
    log_in_as_coordinator(page, live_server)


def test_a_proposal_list_made_stale_by_an_absence(live_server, coordinator, factories, db, screens) -> None:
    from playwright.sync_api import expect, sync_playwright

    olena = factories.VolunteerFactory(name="Olena Kowalenko", home_id="heinsberg")
    wanted = factories.RequestFactory(municipality_id="heinsberg")
    day = wanted.start.date()
    proposals = f"{live_server}/koordination/vorschlaege"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=de-DE"])
        try:
            page = browser.new_page(locale="de-DE")
            page.set_default_timeout(15_000)
            _log_in(page, live_server)
            page.goto(proposals)
            page.click("button:text-is('Vorschläge berechnen')")
            expect(page.locator("main table").first).to_contain_text("Olena Kowalenko")
            expect(page.locator(".stale-notice")).to_have_count(0)

            page.goto(f"{live_server}/koordination/sprachmittelnde/{olena.id}")
            page.fill("#absence-start", day.isoformat())
            page.fill("#absence-end", (day + timedelta(days=2)).isoformat())
            page.click("button:text-is('Abwesenheit eintragen')")
            expect(page.locator(".flash-success")).to_contain_text("Die Abwesenheit wurde eingetragen.")

            page.goto(proposals)
            notice = page.locator(".stale-notice")
            expect(notice).to_contain_text("Diese Vorschläge wurden vor der letzten Änderung berechnet")
            expect(notice).to_contain_text("Bitte neu berechnen.")
            expect(page.locator(".stale-notice + form button")).to_have_text("Vorschläge berechnen")
            shoot(page, proposals, "proposals-stale", screens)

            page.set_viewport_size({"width": 1280, "height": 900})
            page.click("button:text-is('Bestätigen')")
            expect(page.locator(".flash-error")).to_contain_text("Olena K. ist vom ")
            expect(page.locator(".flash-error")).to_contain_text(
                "abwesend – bitte neu berechnen oder eine andere Person wählen."
            )
        finally:
            browser.close()
    assert fresh_read(db, lambda: db.exec(select(Offer)).all()) == []
    recipients = fresh_read(db, lambda: db.exec(select(OutboxMail.recipient)).all())
    assert olena.email not in recipients
