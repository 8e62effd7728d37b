"""E-mail link safety: GET and HEAD change nothing, tokens are exact, answered offers explain themselves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import Offer, OfferStatus, OutboxMail, RequestStatus
from sprachmittlerpool.services import coordination_jobs, offers
from tests.confirm import CONFIRMED
from tests.coordination.helpers import CANARY, mail_count, mails, now, open_request, reload


@pytest.fixture
def offered(app, db, factories):
    """An offered request with its offer and the link token."""
    request = open_request(factories)
    volunteer = factories.VolunteerFactory()
    with app.app_context():
        offer, token = offers.make_offer(
            db, request_id=request.id, volunteer_id=volunteer.id, now=now(), actor="t"
        )
    return request, offer, token


def test_head_and_get_five_times_change_nothing_then_post_accepts(app, db, client, offered):
    import requests as http

    _request, offer, token = offered
    before = mail_count(db)
    for _ in range(5):
        assert client.head(f"/o/{token}").status_code == 200
        fresh_client = app.test_client()  # no cookies at all
        assert fresh_client.get(f"/o/{token}").status_code == 200
        assert client.get(f"/o/{token}", follow_redirects=True).status_code == 200
    assert reload(db, offer).status == OfferStatus.PENDING
    assert mail_count(db) == before
    assert http is not None
    page = client.get(f"/o/{token}")
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "same-origin"
    html = page.get_data(as_text=True)
    assert f'action="/o/{token}/accept"' in html and f'action="/o/{token}/decline"' in html
    assert "<script" not in html
    assert client.post(f"/o/{token}/accept").status_code == 200
    assert reload(db, offer).status == OfferStatus.ACCEPTED


def test_csrf_is_required_on_the_answer_forms(app_config, app, db, offered):
    app.config["WTF_CSRF_ENABLED"] = True
    _request, offer, token = offered
    client = app.test_client()
    assert client.post(f"/o/{token}/accept").status_code == 400
    assert reload(db, offer).status == OfferStatus.PENDING
    html = client.get(f"/o/{token}").get_data(as_text=True)
    csrf = html.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post(f"/o/{token}/accept", data={"csrf_token": csrf}).status_code == 200
    assert reload(db, offer).status == OfferStatus.ACCEPTED


def _mutations(token: str) -> list[str]:
    """Five near misses; each must differ from the token, whatever characters it happens to start or end with."""
    last = "A" if token[-1] != "A" else "B"
    first = "x" if token[0] != "x" else "y"
    return [token[:-1] + last, token[:-1], token[:20], token + "x", first + token[1:]]


def test_tampered_tokens_are_404_and_change_nothing(db, client, offered):
    _request, offer, token = offered
    before = mail_count(db)
    for bad in _mutations(token):
        assert client.get(f"/o/{bad}").status_code == 404
        assert client.post(f"/o/{bad}/accept").status_code == 404
        assert client.post(f"/o/{bad}/decline").status_code == 404
    assert reload(db, offer).status == OfferStatus.PENDING
    assert mail_count(db) == before


def test_a_second_answer_shows_a_clear_page_and_changes_nothing(db, client, offered):
    _request, offer, token = offered
    assert client.post(f"/o/{token}/decline", data={"reason": "Urlaub"}).status_code == 200
    assert reload(db, offer).decline_reason == "Urlaub"
    before = mail_count(db)
    second = client.post(f"/o/{token}/accept")
    assert second.status_code == 409
    assert "schon abgelehnt" in second.get_data(as_text=True)
    as_json = client.post(f"/o/{token}/accept", headers={"Accept": "application/json"})
    assert as_json.status_code == 409 and as_json.json["status"] == "declined"
    assert reload(db, offer).status == OfferStatus.DECLINED
    assert mail_count(db) == before


def test_accept_token_on_an_accepted_offer_shows_the_state(db, client, offered):
    _request, offer, token = offered
    client.post(f"/o/{token}/accept")
    again = client.post(f"/o/{token}/accept")
    assert again.status_code == 409
    assert "schon angenommen" in again.get_data(as_text=True)
    assert client.post(f"/o/{token}/decline").status_code == 409
    assert reload(db, offer).status == OfferStatus.ACCEPTED


def test_expired_offer_is_no_longer_available(app, db, client, offered):
    request, offer, token = offered
    later = offer.expires_at + timedelta(minutes=1)
    with app.app_context(), new_session(write=True) as session:
        coordination_jobs.expire_offers(session, now=later)
        session.commit()
    assert reload(db, offer).status == OfferStatus.EXPIRED
    assert reload(db, request).status == RequestStatus.OPEN
    page = client.get(f"/o/{token}")
    assert page.status_code == 200 and "nicht mehr verfügbar" in page.get_data(as_text=True)
    answer = client.post(f"/o/{token}/accept")
    assert answer.status_code == 409 and "nicht mehr verfügbar" in answer.get_data(as_text=True)
    assert reload(db, offer).status == OfferStatus.EXPIRED


def test_withdrawn_offer_explains_itself(app, db, client, offered):
    request, offer, token = offered
    with app.app_context(), new_session(write=True) as session:
        offers.withdraw_offer(session, offer_id=offer.id, now=now(), actor="coordinator:1")
    assert reload(db, request).status == RequestStatus.OPEN
    answer = client.post(f"/o/{token}/accept")
    assert answer.status_code == 409 and "zurückgezogen" in answer.get_data(as_text=True)
    assert "offer_withdrawn:" in " ".join(m.dedupe_key for m in mails(db))


def test_token_is_stored_hashed_and_long(db, offered):
    _request, offer, token = offered
    assert len(token) >= 22  # ≥ 128 bits in URL-safe base64
    stored = db.exec(select(Offer.token_hash).where(Offer.id == offer.id)).one()
    assert token not in stored
    db.commit()


def test_canary_never_reaches_offer_mail_or_pre_acceptance_page(db, client, offered):
    _request, _offer, token = offered
    page = client.get(f"/o/{token}").get_data(as_text=True)
    assert CANARY not in page
    rows = [m for m in mails(db) if m.dedupe_key.startswith("offer")]
    assert rows
    for row in rows:
        for text in (row.subject, row.body_text, row.body_html):
            assert CANARY not in text
            assert "Entwicklungsgespräch" not in text


def test_canary_never_reaches_any_volunteer_mail(app, db, client, offered):
    request, offer, token = offered
    client.post(f"/o/{token}/accept")
    with app.app_context(), new_session(write=True) as session:
        coordination_jobs.send_reminders(session, now=request.start - timedelta(hours=20))
        session.commit()
    client.post(f"/o/{token}/withdraw", data=CONFIRMED)
    rows = db.exec(select(OutboxMail).where(OutboxMail.recipient != request.contact_email)).all()
    db.commit()
    assert len(rows) >= 4
    for row in rows:  # the institution's own mails may name its contact (its calendar entry does)
        for text in (row.subject, row.body_text, row.body_html, str(row.attachments)):
            assert CANARY not in text
