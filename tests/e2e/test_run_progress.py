"""In headless Chromium: a run started on the page shows its progress, and the page turns into the proposals by itself.

The page only queues the run (MATCHING_INLINE off, as in production); the test then lets the real
scheduler job solve it, and the page's script, polling the run's progress, reloads to the proposals.
"""

from __future__ import annotations

import pytest

from notifications.jobs import find_job, run_job
from sprachmittlerpool.jobs import JOBS
from sprachmittlerpool.models import local_now
from tests.e2e.browser import ARGS, BROWSER_MARKS, CHROMIUM, log_in_as_coordinator, shoot

pytestmark = BROWSER_MARKS


@pytest.fixture
def app_config(app_config):
    """Run the live app with CSRF on and runs queued, as in production."""
    app_config["WTF_CSRF_ENABLED"] = True
    app_config["MATCHING_INLINE"] = False
    return app_config


def test_the_page_follows_a_background_run_until_its_proposals_show(
    app, live_server, coordinator, factories, screens
) -> None:
    from playwright.sync_api import expect, sync_playwright

    factories.VolunteerFactory(name="Olena Kowalenko", home_id="heinsberg")
    factories.RequestFactory(municipality_id="heinsberg")
    proposals = f"{live_server}/koordination/vorschlaege"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=de-DE"])
        try:
            page = browser.new_page(locale="de-DE")
            page.set_default_timeout(30_000)
            log_in_as_coordinator(page, live_server)
            page.goto(proposals)
            page.click("button:text-is('Vorschläge berechnen')")
            box = page.locator("#run-progress")
            expect(box).to_contain_text("Berechnung läuft")
            expect(box.locator("progress")).to_have_attribute("max", "4")
            expect(page.locator("#run-progress-phase")).to_have_text("Wartet auf den Start …")
            shoot(page, proposals, "proposals-running", screens)

            run_job(app, find_job(JOBS, "matching_runs"), now=local_now())

            expect(box).to_have_count(0)  # the script saw the end and reloaded
            expect(page.locator("main table").first).to_contain_text("Olena Kowalenko")
        finally:
            browser.close()
