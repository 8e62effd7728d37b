"""Issue 16's Done-when: pool A's Tigrinya phone request is served by a shared volunteer of pool B once B agrees.

Real database, real solver (the coordinator's run and the loan's), real SMTP (the offer mail is read and its
link followed); then completion, A's payout list, the year's total and both pools' reports.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from notifications.relay import deliver_due
from sprachmittlerpool.models import (
    Assignment,
    Institution,
    InterpretingRequest,
    Loan,
    LoanStatus,
    Offer,
    OfferStatus,
    PayoutEntry,
    RequestStatus,
)
from sprachmittlerpool.services import completion, payouts, reports
from tests.coordination.helpers import CANARY, fresh_read
from tests.factories import FIRST_POOL
from tests.sharing.world import LENDER_EMAIL, lender_client, lender_pool, phone_request, shared_volunteer


@pytest.fixture
def app_config(app_config, smtp_server):
    """Send mail to the test SMTP server."""
    app_config.update(smtp_server.config())
    return app_config


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _one(db, model, *where):
    return fresh_read(
        db, lambda: db.exec(select(model).where(*where).execution_options(populate_existing=True)).one()
    )


def test_phone_request_served_by_shared_volunteer_of_other_pool(
    app, db, factories, coordinator_client, smtp_server
):
    pool_b = lender_pool(db)
    lent = shared_volunteer(factories, pool_b)
    factories.VolunteerFactory(languages=["uk"], remote=True)  # pool A has nobody for Tigrinya
    request = phone_request(factories, topic=f"Diagnose {CANARY}", contact_name=f"Frau {CANARY}")

    coordinator_client.post("/koordination/vorschlaege")
    unplaced = coordinator_client.get("/koordination/vorschlaege").get_data(as_text=True)
    assert f"/koordination/anfragen/{request.id}/andere-pools" in unplaced
    assert fresh_read(
        db, lambda: db.get(InterpretingRequest, request.id, populate_existing=True)
    ).unfilled_reason
    page = coordinator_client.get(f"/koordination/anfragen/{request.id}").get_data(as_text=True)
    assert "An andere Pools fragen" in page

    asked = coordinator_client.post(
        f"/koordination/anfragen/{request.id}/andere-pools", follow_redirects=True
    )
    assert "Ein anderer Pool wurde gefragt" in asked.get_data(as_text=True)
    loan = _one(db, Loan, Loan.request_id == request.id)
    assert (loan.status, loan.lender_pool_id, loan.volunteer_id) == (LoanStatus.ASKED, pool_b.id, lent.id)
    # before B agrees, A does not learn who it is
    assert lent.name not in coordinator_client.get(f"/koordination/anfragen/{request.id}").get_data(
        as_text=True
    )

    lender = lender_client(app)
    dashboard = lender.get("/koordination/").get_data(as_text=True)
    assert re.search(r'<span class="figure">1</span> Anfragen anderer Pools', dashboard)
    listing = lender.get("/koordination/andere-pools").get_data(as_text=True)
    assert "Sprachmittlerpool" in listing and "Tigrinya" in listing and lent.name in listing
    institution = fresh_read(db, lambda: db.get(Institution, request.institution_id))
    assert (
        CANARY not in listing and institution.name not in listing
    )  # B learns the when and what, not who asks

    ask_first = lender.post(f"/koordination/andere-pools/{loan.id}/zustimmen")
    assert "Ja, zustimmen" in ask_first.get_data(as_text=True) and CANARY not in ask_first.get_data(
        as_text=True
    )
    assert _one(db, Loan, Loan.id == loan.id).status == LoanStatus.ASKED
    agreed = lender.post(
        f"/koordination/andere-pools/{loan.id}/zustimmen", data={"confirm": "ja"}, follow_redirects=True
    )
    assert "Zugestimmt" in agreed.get_data(as_text=True), agreed.get_data(as_text=True)
    assert _one(db, Loan, Loan.id == loan.id).status == LoanStatus.AGREED
    offer = _one(db, Offer, Offer.request_id == request.id)
    assert (offer.pool_id, offer.volunteer_pool_id, offer.loan_id) == (FIRST_POOL, pool_b.id, loan.id)

    assert lent.name in coordinator_client.get("/koordination/angebote").get_data(as_text=True)
    deliver_due(app)
    smtp_server.wait_for(2)
    (ask_mail,) = smtp_server.to(LENDER_EMAIL)
    assert "Tigrinya" in str(ask_mail["Subject"]) and "/koordination/andere-pools" in _body(ask_mail)
    assert CANARY not in ask_mail.as_string()
    (offer_mail,) = smtp_server.to(lent.email)
    link = re.search(r"https?://\S+(/o/\S+)", _body(offer_mail)).group(1)
    assert coordinator_client.application.test_client().get(link).status_code == 200
    accepted = app.test_client().post(f"{link}/accept")
    assert accepted.status_code == 200, accepted.get_data(as_text=True)
    assert _one(db, Offer, Offer.id == offer.id).status == OfferStatus.ACCEPTED
    assignment = _one(db, Assignment, Assignment.request_id == request.id)
    assert (assignment.pool_id, assignment.volunteer_pool_id) == (FIRST_POOL, pool_b.id)

    # A sees what the appointment needs, and nothing else of pool B
    detail = coordinator_client.get(f"/koordination/anfragen/{request.id}").get_data(as_text=True)
    assert lent.name in detail and lent.phone in detail
    assert coordinator_client.get(f"/koordination/sprachmittelnde/{lent.id}").status_code == 404
    week = coordinator_client.get(f"/koordination/einsaetze/woche?ab={request.start.date()}")
    assert week.status_code == 200 and lent.name.split()[0] in week.get_data(as_text=True)

    with app.app_context():
        from sprachmittlerpool.db import new_session

        session = new_session(write=True)
        row = session.get(Assignment, assignment.id)
        completion.record_completion(
            session, assignment=row, took_place=True, duration_minutes=60,
            now=row.end + timedelta(hours=1), actor="user:test",
        )  # fmt: skip
        month = payouts.month_of(row.start)
        listing_a = payouts.build_payout_list(session, month, pool_id=FIRST_POOL)
        listing_b = payouts.build_payout_list(session, month, pool_id=pool_b.id)
        year_total = payouts.volunteer_year_total(session, lent.id, row.start.year)
        report_a = reports.build_report(session, row.start.date(), row.start.date(), pool_id=FIRST_POOL)
        report_b = reports.build_report(session, row.start.date(), row.start.date(), pool_id=pool_b.id)
        session.close()

    entry = _one(db, PayoutEntry, PayoutEntry.assignment_id == assignment.id)
    assert (entry.pool_id, entry.volunteer_pool_id, entry.amount_cents) == (FIRST_POOL, pool_b.id, 2500)
    assert [line.name for line in listing_a.lines] == [lent.name]
    assert listing_b.lines == ()
    assert year_total == payouts.from_cents(2500)
    assert [(x.pool_name, x.assignments, x.minutes) for x in report_a.received] == [(pool_b.name, 1, 60)]
    assert [(x.pool_name, x.assignments, x.amount) for x in report_b.given] == [
        (_pool_name(db), 1, payouts.from_cents(2500))
    ]
    assert report_a.given == () and report_b.received == ()
    csv_a = reports.to_csv(report_a).decode("utf-8-sig")
    assert f"Von anderen Pools erhalten;{pool_b.name}: Aufwandsentschädigungen (EUR);25,00" in csv_a
    assert fresh_read(db, lambda: db.get(InterpretingRequest, request.id, populate_existing=True)).status == (
        RequestStatus.COMPLETED
    )

    page_a = coordinator_client.get(f"/berichte?from={row.start.date()}&to={row.start.date()}").get_data(
        as_text=True
    )
    assert "Von anderen Pools erhalten" in page_a and pool_b.name in page_a
    page_b = lender.get(f"/berichte?from={row.start.date()}&to={row.start.date()}").get_data(as_text=True)
    assert "An andere Pools gegeben" in page_b and _pool_name(db) in page_b
    assert "25,00" in coordinator_client.get(f"/auszahlungen/{month}").get_data(as_text=True)


def _pool_name(db) -> str:
    from sprachmittlerpool.models import Pool

    return fresh_read(db, lambda: db.get(Pool, FIRST_POOL).name)
