"""The whole offer flow over real HTTP and real SMTP: offer → link → accept → reminder → confirmation."""

from __future__ import annotations

import os
import re
import shutil
from datetime import timedelta

import pytest
import requests as http
from sqlmodel import select

from notifications.jobs import find_job, run_job
from notifications.relay import deliver_due
from sprachmittlerpool.jobs import JOBS
from sprachmittlerpool.models import (
    ApiToken,
    Assignment,
    InterpretingRequest,
    Offer,
    OfferStatus,
    RequestStatus,
)
from sprachmittlerpool.security import new_token, token_hash
from tests.coordination.helpers import CANARY, now, open_request
from tests.e2e.browser import ARGS, CHROMIUM


@pytest.fixture
def app_config(app_config, smtp_server):
    """Send mail to the test SMTP server and check CSRF as in production."""
    app_config.update(smtp_server.config())
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


@pytest.fixture
def bearer(db, coordinator) -> str:
    """Give the coordinator an API token."""
    token = new_token()
    db.add(ApiToken(user_id=coordinator.id, token_hash=token_hash(token)))
    db.commit()
    return token


def _body(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content()


def _link(message, pattern: str) -> str:
    found = re.search(pattern + r"\S+", _body(message))
    assert found, _body(message)
    return found.group(0)


def _csrf(html: str) -> str:
    return html.split('name="csrf_token" value="')[1].split('"')[0]


def _offer_by_api(app, live_server, bearer, request_id, volunteer_id, smtp_server):
    app.config["BASE_URL"] = live_server
    answer = http.post(
        f"{live_server}/api/v1/requests/{request_id}/offer",
        json={"volunteer": volunteer_id},
        headers={"Authorization": f"Bearer {bearer}"},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    deliver_due(app)
    offer_mail = smtp_server.wait_for(1)[0]
    assert CANARY not in offer_mail.as_string()
    return answer.json()["offer"], _link(offer_mail, re.escape(live_server) + "/o/")


def _read(db, model, row_id):
    db.rollback()
    row = db.get(model, row_id, populate_existing=True)
    db.commit()
    return row


def _move_into_past(db, request_id: int) -> None:
    start = now().replace(second=0) - timedelta(hours=3)
    db.rollback()
    for model, column in ((InterpretingRequest, InterpretingRequest.id), (Assignment, Assignment.request_id)):
        for row in db.exec(select(model).where(column == request_id)).all():
            row.start, row.end = start, start + timedelta(hours=2)  # the 75 reported minutes fit the slot
            db.add(row)
    db.commit()


def test_whole_flow_over_http_and_smtp(app, db, factories, live_server, smtp_server, bearer):
    request = open_request(factories)
    volunteer = factories.VolunteerFactory(contact_route="Telefon über die Koordination")
    offer_id, link = _offer_by_api(app, live_server, bearer, request.id, volunteer.id, smtp_server)

    for _ in range(5):
        assert http.head(link, timeout=10).status_code == 200
        assert http.get(link, timeout=10).status_code == 200
    assert _read(db, Offer, offer_id).status == OfferStatus.PENDING
    assert len(smtp_server.messages) == 1

    browser = http.Session()
    page = browser.get(link, timeout=10)
    assert page.headers["Cache-Control"] == "no-store" and CANARY not in page.text
    accepted = browser.post(f"{link}/accept", data={"csrf_token": _csrf(page.text)}, timeout=10)
    assert accepted.status_code == 200 and "bestätigt" in accepted.text
    assert _read(db, InterpretingRequest, request.id).status == RequestStatus.CONFIRMED

    deliver_due(app)
    smtp_server.wait_for(3)
    institution_mail = smtp_server.to(request.contact_email)[0]
    assert volunteer.first_name in _body(institution_mail)
    assert "Telefon über die Koordination" in _body(institution_mail)
    confirmation = [m for m in smtp_server.to(volunteer.email) if "bestätigt" in str(m["Subject"])][0]
    calendars = [p for p in confirmation.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert calendars
    ics = calendars[0].get_content()
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert "METHOD:REQUEST" in ics and "SEQUENCE:0" in ics and "UID:einsatz-" in ics

    day_before = request.start - timedelta(hours=20)
    reminders = find_job(JOBS, "send_reminders")
    assert run_job(app, reminders, now=day_before).startswith("1 ")
    run_job(app, reminders, now=day_before + timedelta(hours=2))
    deliver_due(app, now=day_before)
    smtp_server.wait_for(4)
    assert len([m for m in smtp_server.to(volunteer.email) if "Erinnerung" in str(m["Subject"])]) == 1

    # Time passes: the appointment now lies behind us (the pages act at the real clock).
    _move_into_past(db, request.id)
    after = now()
    followup = find_job(JOBS, "ask_completion")
    assert run_job(app, followup, now=after).startswith("1 ")
    deliver_due(app, now=after)
    smtp_server.wait_for(5)
    ask = [m for m in smtp_server.to(request.contact_email) if "bestätigen" in str(m["Subject"])][0]
    completion_link = _link(ask, re.escape(live_server) + "/bestaetigung/")

    form = browser.get(completion_link, timeout=10)
    assert form.status_code == 200
    done = browser.post(
        completion_link,
        data={
            "csrf_token": _csrf(form.text),
            "outcome": "took_place",
            "duration_minutes": "75",
            "travel_km": "12",
        },
        timeout=10,
    )
    assert done.status_code == 200, done.text
    assert _read(db, InterpretingRequest, request.id).status == RequestStatus.COMPLETED
    db.rollback()
    assignment = db.exec(select(Assignment).where(Assignment.request_id == request.id)).one()
    db.commit()
    assert assignment.duration_minutes == 75 and assignment.allowance_cents == 2500
    assert (
        browser.post(
            completion_link, data={"csrf_token": _csrf(form.text), "outcome": "took_place"}
        ).status_code
        == 409
    )


@pytest.mark.e2e
def test_accept_in_headless_chromium(app, db, factories, live_server, smtp_server, bearer):
    if not os.path.exists(CHROMIUM) and shutil.which("chromium") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium fehlt in CI")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    request = open_request(factories)
    volunteer = factories.VolunteerFactory()
    offer_id, link = _offer_by_api(app, live_server, bearer, request.id, volunteer.id, smtp_server)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.goto(link)
            assert CANARY not in page.content()
            assert _read(db, Offer, offer_id).status == OfferStatus.PENDING
            page.click("#accept")
            page.wait_for_selector("#state")
            assert "bestätigt" in page.inner_text("#state")
        finally:
            browser.close()
    assert _read(db, Offer, offer_id).status == OfferStatus.ACCEPTED
    assert _read(db, InterpretingRequest, request.id).status == RequestStatus.CONFIRMED
