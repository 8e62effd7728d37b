"""In headless Chromium: a coordinator withdraws an ask to another pool from the request's page, after the
confirmation page; both pages fit a phone and 200 % zoom.

Set SPRACHMITTLERPOOL_SCREENS=docs/screens to keep the screenshots there.
"""

from __future__ import annotations

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import local_now
from sprachmittlerpool.services import sharing
from tests.e2e.browser import ARGS, BROWSER_MARKS, CHROMIUM, log_in_as_coordinator, shoot
from tests.factories import FIRST_POOL
from tests.sharing.world import lender_pool, phone_request, shared_volunteer

pytestmark = BROWSER_MARKS


def test_the_coordinator_withdraws_a_waiting_ask(app, live_server, db, factories, coordinator, screens):
    from playwright.sync_api import expect, sync_playwright

    shared_volunteer(factories, lender_pool(db))
    request = phone_request(factories)
    with app.app_context(), new_session(write=True) as session:
        asked = sharing.ask_other_pools(
            session, request_id=request.id, pool_id=FIRST_POOL, now=local_now(), user_id=coordinator.id
        )
    assert asked.loan is not None

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=de-DE"])
        try:
            page = browser.new_page(locale="de-DE")
            page.set_default_timeout(10_000)
            log_in_as_coordinator(page, live_server)
            detail = f"{live_server}/koordination/anfragen/{request.id}"
            page.goto(detail)
            shoot(page, detail, "request-ask-waiting", screens)
            page.set_viewport_size({"width": 640, "height": 900})  # 1280 px at 200 % zoom
            page.screenshot(path=str(screens / "request-ask-waiting-zoom200.png"), full_page=True)
            page.set_viewport_size({"width": 390, "height": 900})
            page.click("main >> text=Anfrage zurückziehen")
            expect(page.locator("main")).to_contain_text(
                "bekommt eine E-Mail, dass die Anfrage zurückgezogen ist."
            )
            page.screenshot(path=str(screens / "withdraw-ask-confirm-390.png"), full_page=True)
            page.click("main >> text=Ja, zurückziehen")
            expect(page.locator("main")).to_contain_text("Zurückgezogen: die Anfrage ist wieder offen")
            expect(page.locator("#ausleihen")).to_contain_text("vom anfragenden Pool zurückgezogen")
            page.screenshot(path=str(screens / "request-ask-withdrawn-390.png"), full_page=True)
        finally:
            browser.close()
