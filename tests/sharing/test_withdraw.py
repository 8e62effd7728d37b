"""The asking pool withdraws an ask that waits too long: the lender can no longer agree, another ask may follow."""

from __future__ import annotations

from sqlmodel import func, select

from sprachmittlerpool.models import AuditEvent, Loan, LoanStatus, Offer, OutboxMail
from tests.coordination.helpers import fresh_read
from tests.sharing.world import lender_client, lender_pool, phone_request, shared_volunteer


def _loan(db, loan_id: int) -> Loan:
    return fresh_read(db, lambda: db.get(Loan, loan_id, populate_existing=True))


def _count(db, model, *where) -> int:
    return fresh_read(db, lambda: db.exec(select(func.count()).select_from(model).where(*where)).one())


def test_a_waiting_ask_is_withdrawn_after_asking_first_and_the_request_may_be_asked_again(
    app, db, factories, coordinator_client
):
    pool_b = lender_pool(db)
    first = shared_volunteer(factories, pool_b)
    second = shared_volunteer(factories, pool_b, name="Yonas Haile", email="yonas@example.org")
    request = phone_request(factories)
    coordinator_client.post(f"/koordination/anfragen/{request.id}/andere-pools")
    loan = fresh_read(db, lambda: db.exec(select(Loan)).one())
    page = coordinator_client.get(f"/koordination/anfragen/{request.id}").get_data(as_text=True)
    assert "Anfrage zurückziehen" in page
    withdraw = f"/koordination/anfragen/{request.id}/andere-pools/{loan.id}/zurueckziehen"

    asked = coordinator_client.post(withdraw).get_data(as_text=True)
    assert "Ja, zurückziehen" in asked and "bekommt eine E-Mail, dass die Anfrage zurückgezogen ist" in asked
    assert _loan(db, loan.id).status == LoanStatus.ASKED  # asking first changes nothing
    done = coordinator_client.post(withdraw, data={"confirm": "ja"})

    withdrawn = _loan(db, loan.id)
    assert done.status_code == 302 and withdrawn.status == LoanStatus.WITHDRAWN
    assert withdrawn.decided_at is not None and withdrawn.decided_by_id is None
    assert _count(db, AuditEvent, AuditEvent.entity == "loan", AuditEvent.action == "withdraw") == 1
    told = fresh_read(db, lambda: db.exec(select(OutboxMail).order_by(OutboxMail.id)).all())
    assert [mail.dedupe_key.split(":")[0] for mail in told] == ["loan_asked", "loan_withdrawn"]
    assert told[1].recipient == told[0].recipient and told[1].pool_id == pool_b.id  # pool B's coordinator
    asked_person = {first.id: first.name, second.id: second.name}[loan.volunteer_id]
    assert "zieht die Anfrage zurück" in told[1].subject and asked_person in told[1].body_text
    assert "/koordination/andere-pools" in told[1].body_text

    lender = lender_client(app)
    assert "vom anfragenden Pool zurückgezogen" in lender.get("/koordination/andere-pools").get_data(
        as_text=True
    )
    refused = lender.post(
        f"/koordination/andere-pools/{loan.id}/zustimmen", data={"confirm": "ja"}, follow_redirects=True
    )
    assert "hat diese Anfrage zurückgezogen" in refused.get_data(as_text=True)
    assert _count(db, Offer) == 0

    coordinator_client.post(f"/koordination/anfragen/{request.id}/andere-pools")
    again = fresh_read(db, lambda: db.exec(select(Loan).where(Loan.id != loan.id)).one())
    assert again.status == LoanStatus.ASKED and {loan.volunteer_id, again.volunteer_id} == {
        first.id,
        second.id,
    }


def test_an_answered_ask_or_another_pools_ask_cannot_be_withdrawn(app, db, factories, coordinator_client):
    pool_b = lender_pool(db)
    shared_volunteer(factories, pool_b)
    request = phone_request(factories)
    coordinator_client.post(f"/koordination/anfragen/{request.id}/andere-pools")
    loan = fresh_read(db, lambda: db.exec(select(Loan)).one())
    lender_client(app).post(f"/koordination/andere-pools/{loan.id}/ablehnen", data={"confirm": "ja"})

    late = coordinator_client.post(
        f"/koordination/anfragen/{request.id}/andere-pools/{loan.id}/zurueckziehen",
        data={"confirm": "ja"},
        follow_redirects=True,
    )
    assert "schon geantwortet" in late.get_data(as_text=True)
    assert _loan(db, loan.id).status == LoanStatus.REFUSED

    other_pools = lender_client(app).post(
        f"/koordination/anfragen/{request.id}/andere-pools/{loan.id}/zurueckziehen", data={"confirm": "ja"}
    )
    assert other_pools.status_code == 404
