"""GDPR: export (Art. 15), erasure (Art. 17) and the retention job for finished requests."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlmodel import select

from sprachmittlerpool.ibans import encrypt_iban, mask_iban, parse_key
from sprachmittlerpool.models import (
    Absence,
    Assignment,
    AssignmentStatus,
    AuditEvent,
    InterpretingRequest,
    Offer,
    OutboxMail,
    PayoutEntry,
    PayoutMonth,
    Qualification,
    RequestStatus,
    Volunteer,
    VolunteerLanguage,
    local_now,
)
from sprachmittlerpool.security import new_token, token_hash
from sprachmittlerpool.services.mail_privacy import mails_of_volunteer
from sprachmittlerpool.services.privacy import (
    anonymise_finished,
    erase_volunteer,
    export_volunteer,
    months_before,
)
from tests.conftest import TEST_IBAN_KEY
from tests.factories import FIRST_POOL
from tests.volunteers.conftest import IBAN_DIGITS, TEST_IBAN


def _assign(
    db, request: InterpretingRequest, volunteer: Volunteer, *, cents: int | None = 3450
) -> Assignment:
    offer = Offer(
        pool_id=FIRST_POOL,
        request_id=request.id,
        volunteer_id=volunteer.id,
        status="accepted",
        token_hash=token_hash(new_token()),
        expires_at=request.start,
    )
    db.add(offer)
    db.flush()
    assignment = Assignment(
        pool_id=FIRST_POOL,
        request_id=request.id,
        offer_id=offer.id,
        volunteer_id=volunteer.id,
        start=request.start,
        end=request.end,
        status=AssignmentStatus.COMPLETED,
        allowance_cents=cents,
    )
    db.add(assignment)
    db.commit()
    return assignment


def _pay(db, assignment: Assignment, *, month: str, closed_at: datetime | None) -> None:
    payout = db.exec(select(PayoutMonth).where(PayoutMonth.month == month)).first()
    if payout is None:
        payout = PayoutMonth(pool_id=FIRST_POOL, month=month, closed_at=closed_at)
        db.add(payout)
        db.flush()
    db.add(
        PayoutEntry(
            pool_id=FIRST_POOL,
            payout_month_id=payout.id,
            volunteer_id=assignment.volunteer_id,
            assignment_id=assignment.id,
            amount_cents=assignment.allowance_cents or 0,
        )
    )
    db.commit()


def _volunteer_with_history(db, factories) -> tuple[Volunteer, Assignment]:
    volunteer = factories.VolunteerFactory(name="Olena Kowalenko", phone="0170 555", contact_route="WhatsApp")
    volunteer.iban_encrypted = encrypt_iban(TEST_IBAN, key=parse_key(TEST_IBAN_KEY), row_id=str(volunteer.id))
    volunteer.iban_masked = mask_iban(TEST_IBAN)
    db.add(volunteer)
    db.add(Absence(volunteer_id=volunteer.id, start=local_now().date(), end=local_now().date()))
    db.commit()
    start = local_now().replace(hour=10, minute=0, second=0) - timedelta(days=40)
    request = factories.RequestFactory(
        start=start, end=start + timedelta(hours=1), status=RequestStatus.COMPLETED
    )
    assignment = _assign(db, request, volunteer)
    _pay(db, assignment, month=f"{start:%Y-%m}", closed_at=None)
    return volunteer, assignment


def test_export_contains_all_stored_data_with_the_iban_masked(db, factories):
    volunteer, assignment = _volunteer_with_history(db, factories)

    data = export_volunteer(db, volunteer.id)["volunteer"]

    assert data["name"] == "Olena Kowalenko" and data["phone"] == "0170 555"
    assert data["contact_route"] == "WhatsApp"
    assert data["languages"] == ["ru", "uk"] and data["language_names"] == ["Russisch", "Ukrainisch"]
    assert len(data["availability"]) == 5 and len(data["absences"]) == 1
    assert data["home_name"] == "Heinsberg"
    assert data["iban"] == "DE89 **** **** **** **30 00"
    assert data["assignments"][0]["amount"] == "34.50"
    assert data["assignments"][0]["address"] == "Apfelstraße 1"
    assert data["payouts"][0]["amount"] == "34.50"
    assert IBAN_DIGITS not in json.dumps(data)


def test_cli_export_prints_json_and_erase_needs_yes(app, db, factories):
    volunteer, _ = _volunteer_with_history(db, factories)
    runner = app.test_cli_runner()

    exported = runner.invoke(args=["volunteers", "export", str(volunteer.id)])
    refused = runner.invoke(args=["volunteers", "erase", str(volunteer.id)], input="n\n")
    erased = runner.invoke(args=["volunteers", "erase", str(volunteer.id), "--yes"])
    missing = runner.invoke(args=["volunteers", "export", "9999"])

    assert exported.exit_code == 0
    assert json.loads(exported.stdout)["volunteer"]["email"] == volunteer.email
    assert refused.exit_code == 1
    assert erased.exit_code == 0
    assert missing.exit_code == 1


def test_erasure_removes_personal_data_and_keeps_amounts(db, factories):
    volunteer, assignment = _volunteer_with_history(db, factories)
    now = local_now()

    erase_volunteer(db, volunteer.id, now=now, actor="test")

    db.expire_all()
    stored = db.get(Volunteer, volunteer.id)
    assert stored.name == f"Gelöscht #{volunteer.id}"
    assert "olena" not in stored.email and stored.phone == "" and stored.contact_route == ""
    assert stored.iban_encrypted is None and stored.iban_masked is None
    assert stored.active is False and stored.anonymised_at == now
    assert (
        db.exec(select(VolunteerLanguage).where(VolunteerLanguage.volunteer_id == volunteer.id)).all() == []
    )
    assert db.exec(select(Absence).where(Absence.volunteer_id == volunteer.id)).all() == []
    kept = db.get(Assignment, assignment.id)
    assert kept.volunteer_id == volunteer.id and kept.allowance_cents == 3450
    assert db.exec(select(PayoutEntry)).one().amount_cents == 3450
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "erased")).one().entity_id == str(
        volunteer.id
    )


def test_erased_volunteer_page_says_so(coordinator_client, app, factories, db):
    volunteer, _ = _volunteer_with_history(db, factories)

    response = coordinator_client.post(
        f"/koordination/sprachmittelnde/{volunteer.id}/loeschen", data={"confirm": "ja"}
    )
    page = coordinator_client.get(f"/koordination/sprachmittelnde/{volunteer.id}").get_data(as_text=True)

    assert response.status_code == 302
    assert "wurden am" in page and "Olena" not in page


def test_months_before_clamps_to_the_end_of_month():
    assert months_before(datetime(2026, 3, 31, 12), 1) == datetime(2026, 2, 28, 12)
    assert months_before(datetime(2026, 1, 15), 24) == datetime(2024, 1, 15)


def test_retention_anonymises_only_what_is_due_and_a_second_run_changes_nothing(db, factories):
    now = local_now()
    volunteer = factories.VolunteerFactory()
    hours = iter(range(8, 20))

    def finished(months_ago: int, status: str = RequestStatus.COMPLETED) -> InterpretingRequest:
        start = (now - timedelta(days=31 * months_ago)).replace(hour=next(hours), minute=0, second=0)
        reasons = [{"rule": "topic_screen", "message": "Thema „Frau Müllers Scheidung“"}]
        return factories.RequestFactory(
            start=start, end=start + timedelta(hours=1), status=status, reasons=reasons
        )

    paid_long_ago = finished(27)
    _pay(db, _assign(db, paid_long_ago, volunteer), month="old-1", closed_at=now - timedelta(days=31 * 25))
    paid_recently = finished(27)
    _pay(db, _assign(db, paid_recently, volunteer), month="old-2", closed_at=now - timedelta(days=31 * 23))
    month_still_open = finished(30)
    _pay(db, _assign(db, month_still_open, volunteer), month="old-3", closed_at=None)
    cancelled_long_ago = finished(30, RequestStatus.CANCELLED)
    cancelled_recently = finished(20, RequestStatus.CANCELLED)
    still_open = finished(30, RequestStatus.OPEN)

    first = anonymise_finished(db, now=now)
    second = anonymise_finished(db, now=now)

    db.expire_all()
    done = {r.id for r in db.exec(select(InterpretingRequest)).all() if r.anonymised_at is not None}
    assert done == {paid_long_ago.id, cancelled_long_ago.id}
    assert not {paid_recently.id, month_still_open.id, cancelled_recently.id, still_open.id} & done
    anonymous = db.get(InterpretingRequest, paid_long_ago.id)
    assert (anonymous.contact_name, anonymous.contact_email, anonymous.contact_phone) == ("", "", "")
    assert anonymous.topic == "" and anonymous.address == ""
    assert anonymous.reasons == [{"rule": "topic_screen"}]
    assert anonymous.language_code == "uk" and anonymous.municipality_id == "heinsberg"
    assert anonymous.status == RequestStatus.COMPLETED
    assert (
        db.exec(select(Assignment).where(Assignment.request_id == anonymous.id)).one().allowance_cents == 3450
    )
    assert first.startswith("2 Anfrage(n)")
    assert second == "Keine Anfragen zu anonymisieren."
    audits = db.exec(select(AuditEvent).where(AuditEvent.action == "anonymised")).all()
    assert sorted(int(a.entity_id) for a in audits) == sorted(done)


REASON = "Ich kenne die Familie Yılmaz privat und bin selbst in Behandlung."


def _declined(db, request: InterpretingRequest, volunteer: Volunteer, reason: str = REASON) -> Offer:
    offer = Offer(
        pool_id=FIRST_POOL,
        request_id=request.id,
        volunteer_id=volunteer.id,
        status="declined",
        token_hash=token_hash(new_token()),
        expires_at=request.start,
        answered_at=request.start - timedelta(days=3),
        decline_reason=reason,
    )
    db.add(offer)
    db.commit()
    return offer


def test_export_lists_the_offers_with_the_decline_reason_in_the_volunteers_words(db, factories):
    volunteer, assignment = _volunteer_with_history(db, factories)
    declined = _declined(db, factories.RequestFactory(), volunteer)

    offers = export_volunteer(db, volunteer.id)["volunteer"]["offers"]

    assert [(o["id"], o["status"], o["decline_reason"]) for o in offers] == [
        (str(assignment.offer_id), "accepted", ""),
        (str(declined.id), "declined", REASON),
    ]
    assert offers[1]["request"] == str(declined.request_id) and offers[1]["answered"] is not None


def test_erasure_clears_the_volunteers_decline_reasons_and_keeps_the_offers(db, factories):
    volunteer, _ = _volunteer_with_history(db, factories)
    other = factories.VolunteerFactory()
    wanted = factories.RequestFactory()
    mine, theirs = _declined(db, wanted, volunteer), _declined(db, wanted, other)

    erase_volunteer(db, volunteer.id, now=local_now(), actor="test")

    db.expire_all()
    assert (db.get(Offer, mine.id).status, db.get(Offer, mine.id).decline_reason) == ("declined", "")
    assert db.get(Offer, theirs.id).decline_reason == REASON
    assert REASON not in json.dumps(export_volunteer(db, volunteer.id), ensure_ascii=False)


def test_retention_clears_decline_reasons_of_anonymised_requests_only(db, factories):
    now = local_now()
    volunteer = factories.VolunteerFactory()
    long_ago = (now - timedelta(days=31 * 30)).replace(hour=9, minute=0, second=0)
    old = factories.RequestFactory(
        start=long_ago, end=long_ago + timedelta(hours=1), status=RequestStatus.CANCELLED
    )
    recent = factories.RequestFactory(status=RequestStatus.CANCELLED)
    old_offer, recent_offer = _declined(db, old, volunteer), _declined(db, recent, volunteer)

    anonymise_finished(db, now=now)

    db.expire_all()
    assert db.get(InterpretingRequest, old.id).anonymised_at is not None
    assert db.get(Offer, old_offer.id).decline_reason == ""
    assert db.get(Offer, recent_offer.id).decline_reason == REASON


def test_export_says_which_clearance_end_the_volunteer_was_reminded_of(db, factories):
    volunteer = factories.VolunteerFactory(qualifications={"clearance": datetime(2027, 1, 31).date()})
    row = db.exec(select(Qualification).where(Qualification.volunteer_id == volunteer.id)).one()
    row.expiry_notice_for = row.valid_until
    db.add(row)
    db.commit()

    (clearance,) = export_volunteer(db, volunteer.id)["volunteer"]["qualifications"]

    assert clearance == {
        "kind": "clearance",
        "issued_on": "2024-01-15",
        "valid_until": "2027-01-31",
        "expiry_reminded_for": "2027-01-31",
    }


def test_the_export_finds_the_mails_of_the_volunteers_offers_and_assignments_by_key_and_no_others(
    db, factories
):
    volunteer = factories.VolunteerFactory(name="Olena Kowalenko", email="olena@example.org")
    other = factories.VolunteerFactory(name="Ahmad Said", email="ahmad@example.org")
    request = factories.RequestFactory()
    own = _assign(db, request, volunteer)
    first = request.start + timedelta(days=1)
    theirs = [
        _assign(
            db,
            factories.RequestFactory(start=first + timedelta(days=n), end=first + timedelta(days=n, hours=1)),
            other,
        )
        for n in range(12)
    ]
    o, a = own.offer_id, own.id
    ids = {row.offer_id for row in theirs} | {row.id for row in theirs}
    near = max(ids)  # a key of the other volunteer's row whose id starts with the volunteer's own id
    keys = {
        f"offer:{o}": True, f"offer_withdrawn:{o}": True, f"reminder:{a}": True,
        f"offer_changed:{o}:1": True, f"offer_changed:{o}:12": True, f"assignment_changed:{a}:3": True,
        f"offer:{near}": False, f"offer_changed:{o}{o}:1": False, f"assignment_changed:{a}1:1": False,
        f"offer_changed:{o}": False, f"reminder:{a}:1": False, f"offer_changed:x{o}:1": False,
    }  # fmt: skip
    for n, key in enumerate(keys):
        db.add(OutboxMail(pool_id=FIRST_POOL, dedupe_key=key, message_id=f"<m{n}@example>", status="sent",
                          recipient="niemand@example.org", subject="Termin", body_text="Hallo", body_html=""))  # fmt: skip
    db.commit()

    found = {
        mail.dedupe_key for mail in mails_of_volunteer(db, volunteer.id, email=volunteer.email, names=())
    }

    assert found == {key for key, theirs_or_own in keys.items() if theirs_or_own}
