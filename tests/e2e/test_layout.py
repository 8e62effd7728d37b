"""In headless Chromium, with the demo pool: the coordinator's busiest pages fit a phone (390 px) and 200 % zoom
(a 1280 px screen at 200 % is 640 CSS pixels) with only their tables scrolling inside their box; a keyboard
user meets the skip link first and sees where the focus is; a printout drops navigation and footer.

Set SPRACHMITTLERPOOL_SCREENS=docs/screens to keep the screenshots (1280 px and 390 px wide) there.
"""

from __future__ import annotations

from sprachmittlerpool import demo
from sprachmittlerpool.models import local_now
from tests.e2e.browser import ARGS, BROWSER_MARKS, CHROMIUM, log_in_as_coordinator, shoot

pytestmark = BROWSER_MARKS

PAGES = {
    "dashboard": "/koordination/",
    "review-queue": "/koordination/pruefung",
    "volunteers-list": "/koordination/sprachmittelnde",
}
ZOOMED = 640  # CSS pixels of a 1280 px wide window at 200 % zoom

PAGE_OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
# Every table box that is wider than the page must be a scroll box of its own.
TABLES_OUTSIDE_A_SCROLL_BOX = """
  [...document.querySelectorAll('main table')]
    .filter(table => !table.closest('.table-scroll'))
    .map(table => table.closest('section, main').querySelector('h1, h2')?.textContent || 'table')
"""


def test_the_coordinators_pages_fit_a_phone_and_200_percent_zoom(app, live_server, coordinator, screens):
    from playwright.sync_api import expect, sync_playwright

    with app.app_context():
        demo.seed(months=2, now=local_now())

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=de-DE"])
        try:
            page = browser.new_page(locale="de-DE")
            page.set_default_timeout(10_000)
            log_in_as_coordinator(page, live_server)
            for name, path in PAGES.items():
                shoot(page, f"{live_server}{path}", name, screens)
                assert page.evaluate(TABLES_OUTSIDE_A_SCROLL_BOX) == [], name

                page.set_viewport_size({"width": ZOOMED, "height": 900})
                page.goto(f"{live_server}{path}")
                expect(page.locator("main table").first).to_be_visible()
                assert page.evaluate(PAGE_OVERFLOW) <= 0, f"{name} scrolls sideways at 200 % zoom"

            page.set_viewport_size({"width": 390, "height": 900})
            page.goto(f"{live_server}/koordination/pruefung")
            page.click("button[value=reject]")
            expect(page.locator("h1")).to_have_text("Anfrage wirklich ablehnen?")
            page.screenshot(path=str(screens / "review-reject-confirm-390.png"), full_page=True)
            assert page.evaluate(PAGE_OVERFLOW) <= 0
            page.click("main >> text=Abbrechen")
            expect(page.locator(".review-item")).to_have_count(1)  # cancelled: still waiting for a decision
        finally:
            browser.close()


def test_a_keyboard_user_can_skip_to_the_content_and_sees_the_focus(live_server):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=de-DE"])
        try:
            page = browser.new_page(locale="de-DE")
            page.set_default_timeout(10_000)
            page.goto(f"{live_server}/anfrage")
            skip = page.locator("a.skip-link")
            expect(skip).not_to_be_in_viewport()

            page.keyboard.press("Tab")

            expect(skip).to_be_focused()
            expect(skip).to_be_in_viewport()
            expect(skip).to_have_text("Zum Inhalt springen")
            assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
            page.keyboard.press("Enter")
            expect(page.locator("main#inhalt")).to_be_focused()
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.closest('main') !== null")
        finally:
            browser.close()


def test_a_printout_has_no_navigation_or_footer_and_its_tables_use_the_width(app, live_server, coordinator):
    from playwright.sync_api import expect, sync_playwright

    with app.app_context():
        demo.seed(months=1, now=local_now())

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=de-DE"])
        try:
            page = browser.new_page(locale="de-DE")
            page.set_default_timeout(10_000)
            log_in_as_coordinator(page, live_server)
            page.goto(f"{live_server}/koordination/sprachmittelnde")

            page.emulate_media(media="print")

            expect(page.locator("header.site-header")).to_be_hidden()
            expect(page.locator("footer.site-footer")).to_be_hidden()
            widths = page.evaluate(
                "[document.querySelector('main table').getBoundingClientRect().width,"
                " document.querySelector('main').getBoundingClientRect().width]"
            )
            assert widths[0] >= widths[1] - 1, widths
        finally:
            browser.close()
