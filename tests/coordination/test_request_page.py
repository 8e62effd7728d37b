"""The coordinators' request page: the request's whole history in words, and its edit and cancel actions."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from sqlmodel import select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import (
    AssignmentStatus,
    AuditEvent,
    InterpretingRequest,
    MailStatus,
    OutboxMail,
    RequestStatus,
)
from sprachmittlerpool.services import completion, intake, matching_run, offers
from sprachmittlerpool.services.pool_rules import rule_titles
from sprachmittlerpool.services.request_history import history
from tests.coordination.day_world import assignment_at, offer_for, second_pool
from tests.coordination.helpers import confirmed, mails, now, open_request, reload
from tests.factories import FIRST_POOL
from tests.intake.conftest import payload

INTERNAL = re.compile(r"\b(user|volunteer|job):|legal\.|pool\.|private\.|_")


def _titles(app: Flask) -> dict[str, str]:
    with app.app_context(), new_session(write=False) as session:
        return rule_titles(session, pool_id=FIRST_POOL, instance_path=app.instance_path)


def _history(app: Flask, request_id: int):
    titles = _titles(app)
    with app.app_context(), new_session(write=False) as session:
        row = session.get(InterpretingRequest, request_id)
        return history(session, row, rule_titles=titles)


def _texts(entries) -> list[str]:
    return [f"{entry.who} | {entry.what}" for entry in entries]


def test_the_history_tells_screening_review_a_decline_with_its_reason_and_the_assignment_in_words(
    app, client, coordinator, factories
):
    answer = client.post("/api/v1/requests", json=payload(topic="Gespräch vor dem Gerichtstermin der Mutter"))
    request_id = int(answer.get_json()["id"])
    declining = factories.VolunteerFactory(name="Mariam Haddad")
    accepting = factories.VolunteerFactory(name="Olena Kowalenko")
    with app.app_context(), new_session(write=True) as session:
        intake.decide_review(
            session,
            request=session.get(InterpretingRequest, request_id),
            decision="accept",
            note="Bitte Dolmetschende vorher einweisen.",
            now=now(),
            actor=f"user:{coordinator.id}",
        )
        first, _ = offers.make_offer(
            session,
            request_id=request_id,
            volunteer_id=declining.id,
            now=now(),
            actor=f"user:{coordinator.id}",
        )
        offers.decline_offer(
            session, offer_id=first.id, reason="Ich bin an dem Tag beim Arzt.", now=now(), actor="volunteer"
        )
        second, _ = offers.make_offer(
            session,
            request_id=request_id,
            volunteer_id=accepting.id,
            now=now(),
            actor=f"user:{coordinator.id}",
        )
        offers.accept_offer(session, offer_id=second.id, now=now(), actor=f"volunteer:{accepting.id}")

    texts = _texts(_history(app, request_id))

    title = _titles(app)["legal.court"]
    assert texts[0] == (
        f"die Einrichtung | Anfrage eingegangen; die Regeln ergaben: zur Prüfung durch die Koordination ({title})"
    )
    assert "Kim Koordination | Nach Prüfung angenommen – mit Hinweis an die Einrichtung" in texts
    assert "Kim Koordination | Angebot an Mariam Haddad geschickt" in texts
    assert "Mariam Haddad | Mariam Haddad hat das Angebot abgelehnt: „Ich bin an dem Tag beim Arzt.“" in texts
    assert "Olena Kowalenko | Olena Kowalenko hat das Angebot angenommen" in texts
    assert "Olena Kowalenko | Einsatz bestätigt: Olena Kowalenko kommt" in texts
    assert any(t.startswith("automatisch | E-Mail an die Einrichtung: „") for t in texts)
    assert any(t.startswith("automatisch | E-Mail an Olena Kowalenko: „Einsatz bestätigt") for t in texts)
    assert [t for t in texts if INTERNAL.search(t)] == []


def test_mails_say_whether_they_arrived_and_withdrawals_why(app, db, factories):
    request, offer, volunteer = offer_for(
        db, factories, now() + timedelta(days=10), contact_email="kita@x.example"
    )
    with app.app_context(), new_session(write=True) as session:
        offers.withdraw_offer(session, offer_id=offer.id, now=now(), actor="system")
    db.rollback()
    mail = db.exec(select(OutboxMail)).one()
    mail.status, mail.sent_at = MailStatus.FAILED, now()
    db.add(mail)
    db.commit()

    texts = _texts(_history(app, request.id))

    assert f"automatisch | Angebot an {volunteer.name} zurückgezogen: von der Koordination" in texts
    assert any(t.endswith("– fehlgeschlagen") and volunteer.name in t for t in texts)


def test_completion_and_the_allowance_booking_are_in_the_history(app, db, factories):
    request, _offer, _token, assignment = confirmed(app, factories)
    with app.app_context(), new_session(write=True) as session:
        completion.record_completion(
            session,
            assignment=session.get(type(assignment), assignment.id),
            took_place=True,
            duration_minutes=60,
            travel_km="10",
            now=request.start + timedelta(hours=2),
            actor="institution",
        )

    texts = _texts(_history(app, request.id))

    assert "die Einrichtung | Einsatz hat stattgefunden" in texts
    booked = [t for t in texts if "Aufwandsentschädigung gebucht" in t]
    assert len(booked) == 1 and re.search(r"\d+,\d\d € in der Auszahlungsliste \w+ \d{4}$", booked[0])


def test_the_page_shows_the_request_its_assignment_and_history_without_codes(
    app, db, factories, coordinator_client
):
    request, _offer, _token, assignment = confirmed(app, factories)

    page = coordinator_client.get(f"/koordination/anfragen/{request.id}")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "bestätigt" in html and "Apfelstraße 1, Heinsberg" in html and "Elterngespräch" in html
    assert "Verlauf" in html and "Einsatz bestätigt" in html
    assert "Zeit, Ort oder Sprache ändern" in html and "Für die Einrichtung stornieren" in html
    assert not re.search(r"legal\.|pool\.|user:\d|elterngespraech", html)


def test_another_pools_request_is_not_found_and_strangers_must_log_in(
    app, db, factories, client, coordinator_client
):
    other = open_request(factories, **second_pool(db))

    assert coordinator_client.get(f"/koordination/anfragen/{other.id}").status_code == 404
    assert coordinator_client.get(f"/koordination/anfragen/{other.id}/aendern").status_code == 404
    assert coordinator_client.post(f"/koordination/anfragen/{other.id}/stornieren").status_code == 404
    assert reload(db, other).status == RequestStatus.OPEN
    assert client.get(f"/koordination/anfragen/{other.id}").status_code == 302


def _form(request: InterpretingRequest, **overrides) -> dict[str, str]:
    values = {
        "datum": request.start.date().isoformat(),
        "beginn": f"{request.start:%H:%M}",
        "ende": f"{request.end:%H:%M}",
        "municipality": request.municipality_id,
        "address": request.address,
        "language": request.language_code,
    }
    return values | overrides


def test_re_dating_on_the_page_shows_who_gets_mail_first_and_changes_only_when_confirmed(
    app, db, factories, coordinator_client
):
    request, _offer, _token, assignment = confirmed(app, factories)
    url = f"/koordination/anfragen/{request.id}/aendern"
    form = _form(request, beginn="12:00", ende="13:30")

    shown = coordinator_client.post(url, data=form)
    unchanged = reload(db, request)
    done = coordinator_client.post(url, data=form | {"bestaetigt": "1"})

    text = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "Was dann geschieht" in text
    assert "bekommt eine E-Mail mit dem geänderten Kalendereintrag" in text
    assert unchanged.start == request.start
    assert done.status_code == 302
    assert f"{reload(db, assignment).start:%H:%M}" == "12:00"
    assert reload(db, assignment).status == AssignmentStatus.CONFIRMED
    page = coordinator_client.get(f"/koordination/anfragen/{request.id}").get_data(as_text=True)
    assert "Geändert: Beginn" in page and "Kim Koordination" in page


def test_a_wrong_value_on_the_form_is_named_beside_its_field(app, db, factories, coordinator_client):
    request = open_request(factories)

    answer = coordinator_client.post(
        f"/koordination/anfragen/{request.id}/aendern", data=_form(request, beginn="11:00", ende="10:00")
    )

    assert answer.status_code == 422
    assert 'id="ende-error">Das Ende muss nach dem Beginn liegen.' in answer.get_data(as_text=True)


def test_cancelling_for_the_institution_asks_first_then_tells_institution_and_volunteer(
    app, db, factories, coordinator_client
):
    request, _offer, _token, assignment = confirmed(app, factories)
    url = f"/koordination/anfragen/{request.id}/stornieren"

    asked = coordinator_client.get(url).get_data(as_text=True)
    still = reload(db, request).status
    done = coordinator_client.post(url)

    assert "Was dann geschieht" in asked and "bekommt eine Absage mit Kalendereintrag" in asked
    assert still == RequestStatus.CONFIRMED
    assert done.status_code == 302
    assert reload(db, request).status == RequestStatus.CANCELLED
    keys = [m.dedupe_key for m in mails(db)]
    assert f"request:{request.id}:cancelled" in keys and f"assignment_cancelled:{assignment.id}" in keys
    assert "Kim Koordination | Storniert" in _texts(_history(app, request.id))


def test_a_past_assignment_offers_neither_change_nor_cancel(app, db, factories, coordinator_client):
    assignment = assignment_at(db, factories, now() - timedelta(days=2))

    html = coordinator_client.get(f"/koordination/anfragen/{assignment.request_id}").get_data(as_text=True)
    refused = coordinator_client.get(f"/koordination/anfragen/{assignment.request_id}/aendern")

    assert "Zeit, Ort oder Sprache ändern" not in html and "stornieren" not in html
    assert refused.status_code == 302


def _tomorrow_at(hour: int):
    return (now() + timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)


def test_every_list_that_shows_a_request_links_to_its_page(app, db, factories, coordinator_client):
    waiting = open_request(factories)
    in_review = open_request(factories, status=RequestStatus.REVIEW)
    booked = assignment_at(db, factories, _tomorrow_at(9))
    offered, _offer, _volunteer = offer_for(db, factories, now() + timedelta(days=9))
    with app.app_context(), new_session(write=True) as session:
        matching_run.run_matching(session, pool_id=FIRST_POOL, now=now(), time_limit_s=1)
    tomorrow = _tomorrow_at(9).date().isoformat()

    pages = {
        "/koordination/": waiting.id,
        "/koordination/pruefung": in_review.id,
        f"/koordination/einsaetze/tag?datum={tomorrow}": booked.request_id,
        f"/koordination/einsaetze/woche?ab={tomorrow}": booked.request_id,
        "/koordination/angebote": offered.id,
        "/koordination/vorschlaege": waiting.id,
    }

    missing = {
        path: request_id
        for path, request_id in pages.items()
        if f'href="/koordination/anfragen/{request_id}"'
        not in coordinator_client.get(path).get_data(as_text=True)
    }
    assert missing == {}


def test_a_step_the_page_has_no_sentence_for_is_told_by_its_state_in_words(app, db, factories):
    request, offer, _volunteer = offer_for(db, factories, now() + timedelta(days=9))
    db.add(
        AuditEvent(
            actor="job:nightly", entity="offer", entity_id=str(offer.id), action="parked",
            from_state="pending", to_state="withdrawn",
        )
    )  # fmt: skip
    db.commit()

    texts = _texts(_history(app, request.id))

    assert texts[-1].startswith("automatisch | Angebot an ") and texts[-1].endswith(": jetzt zurückgezogen")


def test_the_history_says_what_each_matching_run_proposed_or_why_nobody(app, db, factories, coordinator):
    placed = open_request(factories)
    unplaced = open_request(factories, language_code="ar")
    volunteer = factories.VolunteerFactory(name="Olena Kowalenko")
    with app.app_context(), new_session(write=True) as session:
        matching_run.run_matching(
            session, pool_id=FIRST_POOL, now=now(), actor_id=coordinator.id, time_limit_s=1
        )

    proposed = _texts(_history(app, placed.id))
    nobody = _texts(_history(app, unplaced.id))

    assert any(
        t.startswith(f"Kim Koordination | Vorschläge berechnet: vorgeschlagen ist {volunteer.name} (")
        and t.endswith(" km entfernt)")
        for t in proposed
    )
    assert (
        "Kim Koordination | Vorschläge berechnet: niemand passt – Niemand im Pool spricht diese Sprache."
        in nobody
    )
