"""In headless Chromium: a coordinator offers a request the engine could not place to a person arranged by phone
(real SMTP, the volunteer accepts through the mail's link), and corrects a duration after its month was closed
(the correction shows in the open month's payout list).

Set SPRACHMITTLERPOOL_SCREENS=docs/screens to keep the screenshots (1280 px and 390 px wide) there.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from sqlmodel import select

from notifications.relay import deliver_due
from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import Assignment, AssignmentStatus, Availability, local_now
from sprachmittlerpool.services import completion, matching_run, payouts
from tests.coordination.day_world import assignment_at
from tests.e2e.browser import ARGS, BROWSER_MARKS, CHROMIUM, log_in_as_coordinator, shoot
from tests.factories import FIRST_POOL

pytestmark = BROWSER_MARKS


@pytest.fixture
def app_config(app_config, smtp_server):
    """Send mail to the test SMTP server and check CSRF as in production."""
    app_config.update(smtp_server.config())
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def _log_in(page, live_server: str) -> None:
    log_in_as_coordinator(page, live_server)


def _in_app(app, work):
    """Run `work(session)` in the app with a write session of its own, as a job would."""
    with app.app_context():
        session = new_session(write=True)
        try:
            return work(session)
        finally:
            session.close()


def test_a_manual_offer_after_the_engine_found_nobody_is_accepted_through_the_mail(
    app, coordinator, db, factories, live_server, smtp_server, screens
):
    from playwright.sync_api import expect, sync_playwright

    app.config["BASE_URL"] = live_server
    wanted = factories.RequestFactory(municipality_id="heinsberg")
    mariam = factories.VolunteerFactory(name="Mariam Haddad", availability=[])
    factories.VolunteerFactory(name="Fedir Fernweh", home_id="erkelenz", max_distance_km=1.0)
    _in_app(app, lambda s: matching_run.run_matching(s, pool_id=FIRST_POOL, now=local_now(), time_limit_s=2))
    # On the phone Mariam says she can come that day; her weekly plan is changed accordingly.
    db.add(Availability(volunteer_id=mariam.id, weekday=wanted.start.weekday(), start=time(8), end=time(18)))
    db.commit()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=de-DE"])
        try:
            page = browser.new_page(locale="de-DE")
            page.set_default_timeout(10_000)
            _log_in(page, live_server)
            page.goto(f"{live_server}/koordination/vorschlaege")
            expect(page.locator("main")).to_contain_text("Nicht besetzbare Anfragen (1)")
            page.click("main >> text=Person anbieten")
            expect(page.locator("h1")).to_have_text("Anfrage einer Person anbieten")
            expect(page.locator("main")).to_contain_text("Fedir F. fährt höchstens 1,0 km")
            shoot(page, page.url, "manual-offer", screens)

            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto(f"{live_server}/koordination/anfragen/{wanted.id}/anbieten")
            page.click("button[aria-label='Angebot an Mariam Haddad senden']")
            expect(page.locator("main")).to_contain_text("Das Angebot ist an Mariam Haddad gesendet")

            deliver_due(app)
            (offer_mail,) = smtp_server.wait_for(1)
            assert mariam.email in str(offer_mail["To"])
            text = offer_mail.get_body(preferencelist=("plain",)).get_content()
            link = re.search(re.escape(live_server) + r"/o/\S+", text).group(0)

            volunteer_page = browser.new_page(locale="de-DE")
            volunteer_page.goto(link)
            volunteer_page.click("#accept")
            expect(volunteer_page.locator("main")).to_contain_text("bestätigt")
        finally:
            browser.close()

    db.rollback()
    booked = db.exec(select(Assignment).where(Assignment.request_id == wanted.id)).one()
    db.commit()
    assert (booked.volunteer_id, booked.status) == (mariam.id, AssignmentStatus.CONFIRMED)


def test_a_duration_correction_shows_in_the_open_months_payout_list(
    app, coordinator, db, factories, live_server, screens
):
    from playwright.sync_api import expect, sync_playwright

    yesterday = datetime.combine(local_now().date() - timedelta(days=1), time(10))
    assignment = assignment_at(
        db, factories, yesterday, volunteer=factories.VolunteerFactory(name="Olena Kowalenko")
    )
    month = payouts.month_of(yesterday)

    def complete_and_close(session):
        completion.record_completion(
            session, assignment=session.get(Assignment, assignment.id), took_place=True,
            duration_minutes=60, now=local_now(), actor="institution",
        )  # fmt: skip
        payouts.close_month(session, month, pool_id=FIRST_POOL, user_id=None, actor="test")

    _in_app(app, complete_and_close)
    open_month = payouts.next_month(month)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=de-DE"])
        try:
            page = browser.new_page(locale="de-DE")
            page.set_default_timeout(10_000)
            _log_in(page, live_server)
            correction = f"{live_server}/koordination/einsaetze/{assignment.id}/korrektur"
            shoot(page, correction, "duration-correction", screens)
            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto(correction)
            expect(page.locator("main")).to_contain_text("Gebucht: 1 Stunde, Aufwandsentschädigung 25,00 €")
            page.fill("#duration_minutes", "180")
            page.fill("#reason", "Die Kita hatte 60 statt 180 Minuten gemeldet")
            page.click("main button[type=submit]")
            expect(page.locator("h1")).to_have_text("Dauer so korrigieren?")
            expect(page.locator("main table")).to_contain_text("25,00 €")
            expect(page.locator("main table")).to_contain_text("35,00 €")
            expect(page.locator("main")).to_contain_text(f"Korrektur zu {month}/a{assignment.id}")
            page.click("text=Korrektur buchen")

            expect(page).to_have_url(re.compile(f"/auszahlungen/{open_month}$"))
            row = page.locator("main tr", has_text="Die Kita hatte 60 statt 180 Minuten gemeldet")
            expect(row).to_contain_text("10,00")
            expect(row).to_contain_text(f"Korrektur zu {month}/a{assignment.id}")
            expect(page.locator("main")).to_contain_text("Olena Kowalenko")
        finally:
            browser.close()
