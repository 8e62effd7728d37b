"""The volunteer's own page: the personal link, pause and absence, a new e-mail address, the statement."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlmodel import col, select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.exports import statement_pdf
from sprachmittlerpool.links import LinkExpired
from sprachmittlerpool.models import (
    AuditEvent,
    Offer,
    OfferStatus,
    OutboxMail,
    PayoutEntry,
    SepaFile,
    Volunteer,
    VolunteerLink,
    local_now,
)
from sprachmittlerpool.services import allowance_statement, matching_run, offers, payouts, volunteer_self
from tests.coordination.helpers import fresh_read, reload
from tests.factories import FIRST_POOL
from tests.payouts import helpers

KNOWN = "olena.self@example.org"


@pytest.fixture
def session(app):
    """Open a write session in an app context (the services read the app's settings and base URL)."""
    with app.app_context():
        s = new_session(write=True)
        yield s
        s.close()


def _mails(session, recipient: str) -> list[OutboxMail]:
    statement = select(OutboxMail).where(OutboxMail.recipient == recipient).order_by(col(OutboxMail.id))
    return fresh_read(session, lambda: list(session.exec(statement).all()))


def _without_csrf(html: str) -> str:
    """Drop the form's CSRF token, which differs per answer by design."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


def _token(mail: OutboxMail, path: str) -> str:
    found = re.search(rf"/{path}/(\S+)", mail.body_text)
    assert found, mail.body_text
    return found.group(1)


def _page_token(session, volunteer: Volunteer, now: datetime | None = None) -> str:
    assert volunteer_self.request_page_link(
        session, pool_id=FIRST_POOL, email=volunteer.email, remote_addr="192.0.2.7", now=now or local_now()
    )
    return _token(_mails(session, volunteer.email)[-1], "mein-bereich")


# ---------------------------------------------------------------- the link


def test_a_known_and_an_unknown_address_get_the_same_answer_and_only_the_known_one_a_mail(
    client, factories, db
) -> None:
    factories.VolunteerFactory(email=KNOWN)

    unknown = client.post("/mein-bereich", data={"email": "niemand@example.org"})
    known = client.post("/mein-bereich", data={"email": KNOWN.upper()})

    assert known.status_code == unknown.status_code == 200
    assert _without_csrf(known.get_data(as_text=True)) == _without_csrf(unknown.get_data(as_text=True))
    recipients = [mail.recipient for mail in db.exec(select(OutboxMail)).all()]
    assert recipients == [KNOWN]


def test_the_mail_carries_a_link_whose_token_is_stored_only_hashed(session) -> None:
    volunteer = helpers.volunteer(session)
    session.commit()

    token = _page_token(session, volunteer)

    link = session.exec(select(VolunteerLink)).one()
    assert token not in link.token_hash and len(token) >= 40
    assert volunteer_self.volunteer_for_page(session, token, now=local_now()).id == volunteer.id
    assert link.expires_at - link.created_at == timedelta(days=volunteer_self.PAGE_LINK_DAYS)


def test_an_inactive_volunteer_gets_no_link_but_the_same_answer(session) -> None:
    volunteer = helpers.volunteer(session, active=False)
    session.commit()

    answered = volunteer_self.request_page_link(
        session, pool_id=FIRST_POOL, email=volunteer.email, remote_addr="192.0.2.7", now=local_now()
    )

    assert answered is True
    assert _mails(session, volunteer.email) == []


def test_asking_too_often_is_throttled_whether_the_address_is_known_or_not(client) -> None:
    answers = [client.post("/mein-bereich", data={"email": f"x{n}@example.org"}) for n in range(6)]

    assert [answer.status_code for answer in answers] == [200] * 5 + [429]
    assert "Zu viele Anfragen" in answers[-1].get_data(as_text=True)


def test_the_link_opens_the_page_and_a_forged_or_expired_one_is_refused(app, client, session) -> None:
    volunteer = helpers.volunteer(session, name="Olena Kowalenko")
    session.commit()
    fresh = _page_token(session, volunteer)
    old = _page_token(session, volunteer, now=local_now() - timedelta(days=volunteer_self.PAGE_LINK_DAYS + 1))

    page = client.get(f"/mein-bereich/{fresh}")
    forged = client.get(f"/mein-bereich/{fresh[:-2]}xy")
    expired = client.get(f"/mein-bereich/{old}")

    assert page.status_code == 200 and "Hallo Olena!" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert forged.status_code == 404 and "nicht mehr gültig" in forged.get_data(as_text=True)
    assert expired.status_code == 410 and "abgelaufen" in expired.get_data(as_text=True)
    with pytest.raises(LinkExpired):
        volunteer_self.volunteer_for_page(session, old, now=local_now())


def test_a_page_link_opens_nothing_once_the_volunteer_is_deactivated(client, session) -> None:
    volunteer = helpers.volunteer(session)
    session.commit()
    token = _page_token(session, volunteer)
    volunteer.active = False
    session.commit()

    assert client.get(f"/mein-bereich/{token}").status_code == 404


# ---------------------------------------------------------------- pause


def _pending_offer(factories, session, volunteer: Volunteer, start: datetime) -> Offer:
    request = factories.RequestFactory(start=start, end=start + timedelta(hours=1))
    offer, _token = offers.make_offer(
        session, request_id=request.id, volunteer_id=volunteer.id, now=local_now(), actor="user:1"
    )
    return offer


def _at(days: int, hour: int = 10) -> datetime:
    return datetime.combine(local_now().date() + timedelta(days=days), datetime.min.time()).replace(hour=hour)


def test_a_pause_withdraws_a_pending_offer_inside_it_and_not_one_outside(
    factories, session, coordinator_client
) -> None:
    volunteer = factories.VolunteerFactory()
    inside = _pending_offer(factories, session, volunteer, _at(3))
    outside = _pending_offer(factories, session, volunteer, _at(20))
    pause_end = local_now().date() + timedelta(days=14)

    preview = volunteer_self.absence_preview(
        session, volunteer, start=local_now().date(), end=pause_end, pause=True, now=local_now()
    )
    volunteer_self.add_absence(
        session, volunteer, start=local_now().date(), end=pause_end, pause=True, now=local_now()
    )

    assert [row.id for row in preview.withdrawn] == [inside.id]
    assert reload(session, inside).status == OfferStatus.WITHDRAWN
    assert reload(session, outside).status == OfferStatus.PENDING
    withdrawals = select(AuditEvent.detail).where(
        AuditEvent.entity == "offer", AuditEvent.action == "withdraw"
    )
    assert fresh_read(session, lambda: session.exec(withdrawals).all()) == [{"reason": "pause"}]
    offers_page = coordinator_client.get("/koordination/angebote").get_data(as_text=True)
    assert "hat eine Pause eingetragen" in offers_page
    withdrawn_mail = [m for m in _mails(session, volunteer.email) if "zurückgezogen" in m.subject]
    assert len(withdrawn_mail) == 1 and "Pause eingetragen" in withdrawn_mail[0].body_text


def test_proposals_skip_a_paused_volunteer_inside_the_pause_only(factories, session) -> None:
    volunteer = factories.VolunteerFactory()
    inside = factories.RequestFactory(start=factories.next_weekday(1, weeks_ahead=1))
    outside = factories.RequestFactory(start=factories.next_weekday(1, weeks_ahead=3))
    today = local_now().date()

    volunteer_self.add_absence(
        session, volunteer, start=today, end=today + timedelta(days=14), pause=True, now=local_now()
    )

    def who(request) -> list[int]:
        return [
            c.volunteer.id for c in matching_run.candidates_for(session, request=request, now=local_now())
        ]

    assert volunteer.id not in fresh_read(session, lambda: who(inside))
    assert volunteer.id in fresh_read(session, lambda: who(outside))


def test_the_offers_page_names_each_withdrawal_reason_and_forgets_old_ones(
    factories, session, coordinator_client
) -> None:
    volunteer = factories.VolunteerFactory(name="Mariam Haddad")
    recent = _pending_offer(factories, session, volunteer, _at(4))
    old = _pending_offer(factories, session, volunteer, _at(6))
    offers.withdraw_offer(session, offer_id=recent.id, now=local_now(), actor="user:1")
    offers.withdraw_offer(session, offer_id=old.id, now=local_now() - timedelta(days=20), actor="user:1")

    page = coordinator_client.get("/koordination/angebote").get_data(as_text=True)

    section = page.split('id="zurueckgezogen"')[1]
    assert section.count("Mariam Haddad") == 1
    assert "Von der Koordination zurückgezogen." in section


def test_the_pause_page_asks_first_and_changes_nothing_until_confirmed(factories, session, client) -> None:
    volunteer = factories.VolunteerFactory()
    offer = _pending_offer(factories, session, volunteer, factories.next_weekday(1, weeks_ahead=1))
    token = _page_token(session, volunteer)
    until = (local_now().date() + timedelta(days=20)).isoformat()

    asked = client.post(f"/mein-bereich/{token}/abwesenheit", data={"kind": "pause", "pause_end": until})

    assert asked.status_code == 200 and "Diese offenen Angebote werden zurückgezogen" in asked.get_data(
        as_text=True
    )
    assert reload(session, offer).status == OfferStatus.PENDING
    done = client.post(
        f"/mein-bereich/{token}/abwesenheit/eintragen",
        data={"kind": "pause", "start": local_now().date().isoformat(), "end": until},
    )
    assert done.status_code == 302
    assert reload(session, offer).status == OfferStatus.WITHDRAWN


def test_an_absence_in_the_past_or_in_the_wrong_order_is_refused(factories, session) -> None:
    volunteer = factories.VolunteerFactory()
    today = local_now().date()

    with pytest.raises(volunteer_self.SelfServiceError, match="ab heute"):
        volunteer_self.absence_preview(
            session, volunteer, start=today - timedelta(days=1), end=today, pause=False, now=local_now()
        )
    with pytest.raises(volunteer_self.SelfServiceError, match="nicht vor dem Beginn"):
        volunteer_self.absence_preview(
            session, volunteer, start=today + timedelta(days=3), end=today, pause=False, now=local_now()
        )


def test_an_offer_is_answered_on_the_page_but_another_persons_offer_is_not_found(
    factories, session, client
) -> None:
    volunteer = factories.VolunteerFactory()
    mine = _pending_offer(factories, session, volunteer, _at(8))
    theirs = _pending_offer(factories, session, factories.VolunteerFactory(), _at(9))
    token = _page_token(session, volunteer)
    mine_id, theirs_id = fresh_read(session, lambda: (mine.id, theirs.id))  # loaded now, no lock held later

    foreign = client.post(f"/mein-bereich/{token}/angebote/{theirs_id}/annehmen")
    accepted = client.post(f"/mein-bereich/{token}/angebote/{mine_id}/annehmen")

    assert foreign.status_code == 409 and "gibt es nicht" in foreign.get_data(as_text=True)
    assert reload(session, theirs).status == OfferStatus.PENDING
    assert accepted.status_code == 302 and reload(session, mine).status == OfferStatus.ACCEPTED
    page = client.get(f"/mein-bereich/{token}").get_data(as_text=True)
    assert "Zurzeit wartet kein Angebot auf Ihre Antwort." in page and "Ihre nächsten Einsätze" in page


# ---------------------------------------------------------------- contact


def test_a_new_email_address_counts_only_after_its_confirmation_link(app, factories, session, client) -> None:
    volunteer = factories.VolunteerFactory(email=KNOWN, phone="02452 1")
    token = _page_token(session, volunteer)

    saved = client.post(
        f"/mein-bereich/{token}/kontakt", data={"phone": "0171 2345678", "email": "neu@example.org"}
    )

    assert saved.status_code == 302
    assert (reload(session, volunteer).email, reload(session, volunteer).phone) == (KNOWN, "0171 2345678")
    confirmation = _mails(session, "neu@example.org")
    assert len(confirmation) == 1
    confirm_token = _token(confirmation[0], "adresse-bestaetigen")
    assert client.get(f"/adresse-bestaetigen/{confirm_token}").status_code == 200
    assert reload(session, volunteer).email == KNOWN  # opening the link changes nothing
    confirmed = client.post(f"/adresse-bestaetigen/{confirm_token}")
    assert confirmed.status_code == 200 and "neu@example.org ist eingetragen" in confirmed.get_data(
        as_text=True
    )
    assert reload(session, volunteer).email == "neu@example.org"
    told = [mail for mail in _mails(session, KNOWN) if "geändert" in mail.subject]
    assert len(told) == 1 and "neu@example.org" in told[0].body_text
    again = client.post(f"/adresse-bestaetigen/{confirm_token}")
    assert again.status_code == 200 and "ist eingetragen" in again.get_data(as_text=True)


def test_a_confirmation_link_is_no_page_link_and_the_other_way_round(factories, session, client) -> None:
    volunteer = factories.VolunteerFactory()
    page_token = _page_token(session, volunteer)
    volunteer_self.change_contact(session, volunteer, phone="", email="zweite@example.org", now=local_now())
    confirm_token = _token(_mails(session, "zweite@example.org")[0], "adresse-bestaetigen")

    assert client.get(f"/mein-bereich/{confirm_token}").status_code == 404
    assert client.get(f"/adresse-bestaetigen/{page_token}").status_code == 404


def test_an_address_another_volunteer_has_is_refused(factories, session) -> None:
    volunteer = factories.VolunteerFactory()
    other = factories.VolunteerFactory()

    with pytest.raises(volunteer_self.SelfServiceError, match="schon für eine andere Person"):
        volunteer_self.change_contact(session, volunteer, phone="", email=other.email, now=local_now())


# ---------------------------------------------------------------- statement


def test_the_statement_totals_match_the_payout_entries_including_a_correction(session) -> None:
    volunteer = helpers.volunteer(session, name="Ömer Çelik")
    kita = helpers.institution(session)
    march = helpers.completed(session, volunteer.id, kita.id, datetime(2025, 3, 10, 9), 2500, minutes=90)
    april = helpers.completed(session, volunteer.id, kita.id, datetime(2025, 4, 14, 15), 3000, minutes=60)
    for assignment in (march, april):
        payouts.book_allowance(session, assignment, now=datetime(2025, 4, 20, 12))
    session.commit()
    closed = payouts.close_month(session, "2025-03", pool_id=FIRST_POOL, user_id=None, actor="test")
    session.add(
        SepaFile(pool_id=FIRST_POOL, payout_month_id=closed.id, execution_date=datetime(2025, 4, 8).date())
    )
    march.allowance_cents = 3700  # the institution reported a longer assignment after closing
    payouts.book_allowance(session, march, now=datetime(2025, 4, 25, 12))
    session.commit()

    year = allowance_statement.statement(session, volunteer, "2025", today=datetime(2025, 5, 2).date())
    april_only = allowance_statement.statement(
        session, volunteer, "2025-04", today=datetime(2025, 5, 2).date()
    )

    entries = session.exec(select(PayoutEntry).where(PayoutEntry.volunteer_id == volunteer.id)).all()
    assert year.total == Decimal(sum(entry.amount_cents for entry in entries)) / 100 == Decimal("67.00")
    assert [item.amount for item in year.items] == [Decimal("25.00"), Decimal("12.00"), Decimal("30.00")]
    assert year.items[0].paid == "Überweisung zum 08.04.2025"
    assert year.items[1].paid == allowance_statement.NOT_CLOSED and year.provisional
    assert [item.note for item in year.items] == ["", "Korrektur des Betrags aus März 2025", ""]
    assert {item.institution_type for item in year.items} == {"Kindertageseinrichtung (Kita)"}
    assert year.limit == Decimal("840.00") and year.remaining == Decimal("773.00")
    assert april_only.total == Decimal("42.00") and april_only.year_total == Decimal("67.00")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(statement_pdf.to_pdf(year))).pages)
    assert "Summe Jahr 2025" in text and "67,00 €" in text and "Ehrenamtspauschale 2025" in text
    assert "Ömer Çelik" in text and kita.name not in text


def test_the_statement_is_downloaded_by_post_as_pdf_and_a_bad_period_is_refused(session, client) -> None:
    volunteer = helpers.volunteer(session)
    kita = helpers.institution(session)
    payouts.book_allowance(
        session,
        helpers.completed(session, volunteer.id, kita.id, datetime(2025, 3, 10, 9), 2500),
        now=local_now(),
    )
    session.commit()
    token = _page_token(session, volunteer)

    page = client.get(f"/mein-bereich/{token}").get_data(as_text=True)
    pdf = client.post(f"/mein-bereich/{token}/nachweis", data={"period": "2025"})
    bad = client.post(f"/mein-bereich/{token}/nachweis", data={"period": "0001-13"})

    assert 'value="2025"' in page and 'value="2025-03"' in page
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    assert bad.status_code == 422


def test_the_data_export_is_the_volunteers_own(factories, session, client) -> None:
    volunteer = factories.VolunteerFactory(name="Mariam Haddad")
    factories.VolunteerFactory(name="Jemand Anderes")
    token = _page_token(session, volunteer)

    export = client.post(f"/mein-bereich/{token}/auskunft")

    data = export.get_json(force=True)
    assert data["volunteer"]["name"] == "Mariam Haddad" and "Jemand Anderes" not in export.get_data(
        as_text=True
    )


def test_erasure_deletes_the_links_and_blanks_their_mails(app, factories, session) -> None:
    from sprachmittlerpool.services import privacy

    volunteer = factories.VolunteerFactory()
    _page_token(session, volunteer)
    volunteer_self.change_contact(session, volunteer, phone="", email="spaeter@example.org", now=local_now())

    privacy.erase_volunteer(session, volunteer.id, now=local_now(), actor="test")

    assert session.exec(select(VolunteerLink)).all() == []
    bodies = session.exec(
        select(OutboxMail.body_text).where(col(OutboxMail.dedupe_key).startswith("volunteer:"))
    ).all()
    assert bodies and set(bodies) == {""}
