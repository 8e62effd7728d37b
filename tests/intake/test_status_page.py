"""The requester's status page /status/<token>: no login, German status, cancellation by POST."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from sprachmittlerpool.models import (
    Assignment,
    AuditEvent,
    InterpretingRequest,
    Offer,
    OfferStatus,
    OutboxMail,
    RequestStatus,
    local_now,
)
from sprachmittlerpool.security import new_token, token_hash
from tests.confirm import CONFIRMED
from tests.factories import FIRST_POOL
from tests.intake.conftest import count, fresh, mails


@pytest.fixture
def requested(factories):
    """Return a request of a Kita and the path of its status page."""

    def build(**overrides):
        token = new_token()
        row = factories.RequestFactory(status_token_hash=token_hash(token), **overrides)
        return row, f"/status/{token}"

    return build


def _offer(db, request, volunteer, status=OfferStatus.PENDING) -> Offer:
    offer = Offer(
        pool_id=FIRST_POOL,
        request_id=request.id,
        volunteer_id=volunteer.id,
        status=status,
        token_hash=token_hash(new_token()),
        expires_at=local_now() + timedelta(days=2),
    )
    db.add(offer)
    db.commit()
    return offer


def test_the_status_page_shows_status_date_language_and_place_without_login(client, requested):
    row, path = requested()

    page = client.get(path).get_data(as_text=True)

    assert "Angenommen – wir suchen eine Sprachmittlerin" in page
    assert row.start.strftime("%d.%m.%Y") in page and "Ukrainisch" in page and "Heinsberg" in page
    assert "Anfrage stornieren" in page


def test_a_tampered_or_unknown_token_answers_404(client, requested):
    _, path = requested()

    assert client.get(path[:-2] + ("xy" if not path.endswith("xy") else "zz")).status_code == 404
    assert client.get("/status/").status_code == 404
    assert client.post(path + "x/stornieren").status_code == 404


def test_opening_the_status_page_changes_nothing(client, db, requested):
    row, path = requested()

    for _ in range(3):
        client.get(path)
        client.head(path)

    db.refresh(row)
    assert row.status == RequestStatus.OPEN and count(db, OutboxMail) == 0


def test_cancelling_an_open_request_confirms_it_by_mail_and_records_who(client, db, requested):
    row, path = requested()

    response = client.post(path + "/stornieren", data=CONFIRMED, follow_redirects=True)

    db.refresh(row)
    assert row.status == RequestStatus.CANCELLED
    assert "Ihre Anfrage ist storniert" in response.get_data(as_text=True)
    assert "Anfrage stornieren" not in response.get_data(as_text=True)
    [mail] = mails(db, row.contact_email)
    assert mail.subject == "Ihre Anfrage für eine Sprachmittlung ist storniert"
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "cancel")).one()
    assert (event.actor, event.from_state, event.to_state) == ("requester", "open", "cancelled")


def test_cancelling_an_offered_request_withdraws_the_pending_offer_and_tells_the_volunteer(
    client, db, requested, factories
):
    row, path = requested(status=RequestStatus.OFFERED)
    volunteer = factories.VolunteerFactory()
    offer = _offer(db, row, volunteer)

    client.post(path + "/stornieren", data=CONFIRMED)

    db.refresh(offer)
    assert offer.status == OfferStatus.WITHDRAWN
    [mail] = mails(db, volunteer.email)
    assert "zurückgezogen" in mail.subject and row.topic not in mail.body_text


def test_a_second_cancel_changes_nothing_and_says_so(client, db, requested):
    row, path = requested()
    client.post(path + "/stornieren", data=CONFIRMED)

    response = client.post(path + "/stornieren", data=CONFIRMED, follow_redirects=True)

    assert "kann nicht mehr storniert werden" in response.get_data(as_text=True)
    assert len(mails(db, row.contact_email)) == 1


def test_a_rejected_request_offers_no_cancel_button(client, requested):
    _, path = requested(status=RequestStatus.REJECTED)

    assert "Anfrage stornieren" not in client.get(path).get_data(as_text=True)


def test_a_confirmed_request_shows_only_the_interpreters_first_name(client, db, requested, factories):
    row, path = requested(status=RequestStatus.CONFIRMED)
    volunteer = factories.VolunteerFactory(name="Olena Kowalenko")
    _confirm(db, row, volunteer)

    page = client.get(path).get_data(as_text=True)

    assert "Olena" in page and "Kowalenko" not in page and "Anfrage stornieren" in page


def test_cancelling_a_confirmed_request_goes_through_the_assignment_and_tells_both(
    client, db, requested, factories
):
    row, path = requested(status=RequestStatus.CONFIRMED)
    volunteer = factories.VolunteerFactory()
    assignment = _confirm(db, row, volunteer)

    response = client.post(path + "/stornieren", data=CONFIRMED, follow_redirects=True)

    assert "Ihre Anfrage ist storniert" in response.get_data(as_text=True), response.get_data(as_text=True)
    fresh(db)
    assert db.get(InterpretingRequest, row.id).status == RequestStatus.CANCELLED
    assert db.get(Assignment, assignment.id).status == "cancelled"
    assert len(mails(db, row.contact_email)) == 1 and len(mails(db, volunteer.email)) == 1


def _confirm(db, row, volunteer) -> Assignment:
    offer = _offer(db, row, volunteer, status=OfferStatus.ACCEPTED)
    assignment = Assignment(
        pool_id=FIRST_POOL,
        request_id=row.id,
        offer_id=offer.id,
        volunteer_id=volunteer.id,
        start=row.start,
        end=row.end,
    )
    db.add(assignment)
    db.commit()
    return assignment


def test_the_status_page_is_not_cached(client, requested):
    _, path = requested()

    assert client.get(path).headers["Cache-Control"] == "no-store"
