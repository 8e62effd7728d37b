"""In headless Chromium: the coordinator opens the report from the navigation, picks a year and a quarter, and
reads each chart followed by its data table; the page fits 1280 px and a 390 px phone (only tables scroll).

Set SPRACHMITTLERPOOL_SCREENS=docs/screens to keep the screenshots (report-1280.png, report-390.png) there.
"""

from __future__ import annotations

from sprachmittlerpool.charts import FONT_SIZE
from sprachmittlerpool.db import new_session
from tests.e2e.browser import ARGS, BROWSER_MARKS, CHROMIUM, log_in_as_coordinator, shoot
from tests.reports import world

pytestmark = BROWSER_MARKS


def test_the_coordinator_reads_the_years_report_with_charts_and_tables(
    app, live_server, coordinator, screens
):
    from playwright.sync_api import expect, sync_playwright

    with app.app_context(), new_session(write=True) as session:
        world.seed(session)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=de-DE"])
        try:
            page = browser.new_page(locale="de-DE")
            page.set_default_timeout(10_000)
            log_in_as_coordinator(page, live_server)
            page.click("header >> text=Berichte")
            page.fill("input[name=year]", "2025")
            page.select_option("select[name=part]", "Q2")
            page.click("form.period-form >> text=Anzeigen")
            expect(page.locator(".report-period")).to_contain_text("2. Quartal 2025 (April bis Juni)")

            page.fill("input[name=year]", "2025")
            page.select_option("select[name=part]", "")
            page.click("form.period-form >> text=Anzeigen")
            expect(page.locator(".report-period")).to_contain_text("Jahr 2025")
            language = page.locator("section[aria-labelledby=by-language]")
            expect(language.locator("svg.chart")).to_have_attribute("aria-label", "Einsätze nach Sprache")
            expect(language.locator("table tbody tr").first).to_contain_text("Ukrainisch")
            expect(language.locator("table tbody tr").first).to_contain_text("65,00 €")
            assert language.locator(".report-charts + .table-scroll table.breakdown").count() == 1
            expect(page.locator("section[aria-labelledby=rules-heading] table")).to_contain_text(
                "Termine bei der Polizei"
            )
            shoot(page, page.url, "report", screens)

            page.set_viewport_size({"width": 390, "height": 900})
            box = language.locator("svg.chart").bounding_box()
            assert box is not None and box["width"] <= 390
            font = page.evaluate(
                "() => { const svg = document.querySelector('svg.chart');"
                " return svg.getBoundingClientRect().width / svg.viewBox.baseVal.width * "
                f"{FONT_SIZE}; }}"
            )
            assert font >= 12, f"chart letters shrink to {font:.1f} px on a phone"
        finally:
            browser.close()
