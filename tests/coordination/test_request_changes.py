"""A coordinator changes a request's time, place or language: who is told, what moves, what is released."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import (
    Assignment,
    AssignmentStatus,
    InterpretingRequest,
    OfferStatus,
    RequestStatus,
    Volunteer,
)
from sprachmittlerpool.services import assignments, mail_privacy, offers, request_changes
from sprachmittlerpool.services.offers import Conflict
from tests.coordination.helpers import (
    audit_rows,
    confirmed,
    mails,
    now,
    offers_of,
    open_request,
    reload,
    trail_counts,
)

STAMP = "%Y-%m-%dT%H:%M"


def _change(app, request: InterpretingRequest, **fields):
    """Check and apply a change as the page and the API do; return the plan it followed."""
    with app.app_context(), new_session(write=True) as session:
        row = session.get(InterpretingRequest, request.id)
        values = request_changes.check(session, row, fields, now=now())
        return request_changes.apply(session, request_id=request.id, values=values, now=now(), actor="user:1")


def _plan(app, request: InterpretingRequest, **fields):
    with app.app_context(), new_session(write=True) as session:
        row = session.get(InterpretingRequest, request.id)
        values = request_changes.check(session, row, fields, now=now())
        plan = request_changes.plan(session, row, values, now=now())
        return plan, plan.consequences()


def _mail(db, prefix: str):
    found = [m for m in mails(db) if m.dedupe_key.startswith(prefix)]
    assert len(found) == 1, [m.dedupe_key for m in mails(db)]
    return found[0]


def _ics(mail) -> str:
    return mail.attachments[0]["content"]


def test_a_later_hour_the_volunteer_can_do_keeps_the_assignment_and_sends_the_entry_again_with_a_higher_sequence(
    app, db, factories
):
    request, _offer, _token, assignment = confirmed(app, factories)
    later = request.start + timedelta(hours=2)

    plan = _change(
        app, request, start=later.strftime(STAMP), end=(later + timedelta(hours=1)).strftime(STAMP)
    )

    assert plan.keeps and not plan.releases
    moved = reload(db, assignment)
    assert (moved.start, moved.status, moved.calendar_sequence) == (later, AssignmentStatus.CONFIRMED, 1)
    assert reload(db, request).status == RequestStatus.CONFIRMED
    entry = _ics(_mail(db, f"assignment_changed:{assignment.id}:"))
    first = _ics(_mail(db, f"assignment_confirmed:{assignment.id}"))
    assert f"UID:einsatz-{assignment.id}@" in entry and f"UID:einsatz-{assignment.id}@" in first
    assert "SEQUENCE:1" in entry and "SEQUENCE:0" in first and "METHOD:REQUEST" in entry
    assert f"DTSTART;TZID=Europe/Berlin:{later:%Y%m%dT%H%M}00" in entry
    institution = _mail(db, f"request_changed:{request.id}:")
    assert institution.recipient == request.contact_email
    booked = _ics(_mail(db, f"assignment_confirmed_institution:{assignment.id}"))
    assert f"UID:einsatz-{assignment.id}@" in _ics(institution) and f"UID:einsatz-{assignment.id}@" in booked
    assert (
        "SEQUENCE:1" in _ics(institution) and "SEQUENCE:0" in booked and "METHOD:REQUEST" in _ics(institution)
    )
    assert "kommt weiterhin" in institution.body_text and f"{later:%H:%M}" in institution.body_text


def test_a_saturday_the_volunteer_never_works_releases_the_assignment_and_opens_the_request_again(
    app, db, factories
):
    request, offer, _token, assignment = confirmed(app, factories)
    saturday = request.start + timedelta(days=(5 - request.start.weekday()) % 7)

    plan = _change(
        app, request, start=saturday.strftime(STAMP), end=(saturday + timedelta(hours=1)).strftime(STAMP)
    )

    assert plan.releases and "samstags" in plan.problem
    released = reload(db, assignment)
    assert (released.status, released.calendar_sequence) == (AssignmentStatus.CANCELLED, 1)
    assert reload(db, offer).status == OfferStatus.WITHDRAWN
    assert reload(db, request).status == RequestStatus.OPEN
    assert reload(db, request).start == saturday
    cancel = _mail(db, f"assignment_released:{assignment.id}")
    assert "METHOD:CANCEL" in _ics(cancel) and "SEQUENCE:1" in _ics(cancel)
    assert f"UID:einsatz-{assignment.id}@" in _ics(cancel)
    assert "Sie müssen nicht hingehen" in cancel.body_text
    told = _mail(db, f"request_changed:{request.id}:")
    assert "suchen jetzt eine andere Person" in told.body_text
    assert "METHOD:CANCEL" in _ics(told) and f"UID:einsatz-{assignment.id}@" in _ics(told)
    assert [row.action for row in audit_rows(db, "assignment", assignment.id)][-1] == "released"


def test_a_new_language_withdraws_the_offer_of_whoever_does_not_speak_it_and_tells_the_other(
    app, db, factories
):
    request = open_request(factories)
    both = factories.VolunteerFactory(languages=["uk", "ru"])
    only_ukrainian = factories.VolunteerFactory(languages=["uk"])
    with app.app_context(), new_session(write=True) as session:
        for volunteer in (both, only_ukrainian):
            offers.make_offer(session, request_id=request.id, volunteer_id=volunteer.id, now=now(), actor="t")

    plan = _change(app, request, language="ru")

    assert [e.volunteer.id for e in plan.withdrawn] == [only_ukrainian.id]
    assert "spricht Russisch nicht" in plan.withdrawn[0].problem
    states = {o.volunteer_id: o.status for o in offers_of(db, request.id)}
    assert states == {both.id: OfferStatus.PENDING, only_ukrainian.id: OfferStatus.WITHDRAWN}
    assert reload(db, request).status == RequestStatus.OFFERED
    withdrawn = _mail(db, "offer_withdrawn:")
    assert withdrawn.recipient == only_ukrainian.email and "hat sich geändert" in withdrawn.body_text
    told = _mail(db, "offer_changed:")
    assert told.recipient == both.email and "Russisch" in told.body_text


def test_when_every_pending_offer_is_withdrawn_the_request_is_open_again(app, db, factories):
    request = open_request(factories)
    volunteer = factories.VolunteerFactory(languages=["uk"])
    with app.app_context(), new_session(write=True) as session:
        offers.make_offer(session, request_id=request.id, volunteer_id=volunteer.id, now=now(), actor="t")

    _change(app, request, language="ru")

    assert reload(db, request).status == RequestStatus.OPEN


def test_the_plan_says_who_gets_mail_and_changes_nothing(app, db, factories):
    request, _offer, _token, _assignment = confirmed(app, factories)
    before = trail_counts(db)

    plan, said = _plan(app, request, municipality="selfkant", address="Am Rathaus 3")

    assert trail_counts(db) == before
    assert [(c.label, c.after) for c in plan.changes] == [("Ort", "Selfkant"), ("Adresse", "Am Rathaus 3")]
    assert said[0].startswith("Die Einrichtung bekommt eine E-Mail")
    assert any("Kalendereintrag" in sentence for sentence in said)
    assert reload(db, request).address == "Apfelstraße 1"


def test_the_trail_keeps_times_and_list_keys_but_not_the_address(app, db, factories):
    request = open_request(factories)

    _change(app, request, address="Neue Straße 9", municipality="selfkant")

    row = audit_rows(db, "request", request.id)[-1]
    assert row.action == "changed"
    assert row.detail == {"fields": ["municipality", "address"], "municipality": ["heinsberg", "selfkant"]}
    assert "Neue Straße" not in str(row.detail)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"start": "2020-01-07T10:00", "end": "2020-01-07T11:00"}, "start", "Vergangenheit"),
        ({"start": "morgen um zehn"}, "start", "Format"),
        ({"end": ""}, "end", "Feld aus"),
        ({"municipality": "atlantis"}, "municipality", "Region"),
        ({"language": "xx"}, "language", "Sprache"),
        ({"address": "   "}, "address", "Feld aus"),
        ({"address": 7}, "address", "Text"),
    ],
)
def test_wrong_values_are_named_in_german(app, factories, fields, field, words):
    request = open_request(factories)

    with (
        app.app_context(),
        new_session(write=True) as session,
        pytest.raises(request_changes.InvalidChange) as raised,
    ):
        request_changes.check(session, session.get(InterpretingRequest, request.id), fields, now=now())

    assert words in raised.value.fields[field]


def test_an_end_before_the_start_is_refused(app, factories):
    request = open_request(factories)
    start = request.start

    with (
        app.app_context(),
        new_session(write=True) as session,
        pytest.raises(request_changes.InvalidChange) as raised,
    ):
        request_changes.check(
            session,
            session.get(InterpretingRequest, request.id),
            {"end": (start - timedelta(minutes=30)).strftime(STAMP)},
            now=now(),
        )

    assert raised.value.fields == {"end": "Das Ende muss nach dem Beginn liegen."}


def test_a_cancelled_request_or_the_same_values_change_nothing(app, db, factories):
    cancelled = open_request(factories, status=RequestStatus.CANCELLED)
    unchanged = open_request(factories)
    before = trail_counts(db)

    with pytest.raises(Conflict) as refused:
        _change(app, cancelled, address="Anderswo 1")
    with pytest.raises(Conflict) as same:
        _change(app, unchanged, address=unchanged.address)

    assert "storniert" in refused.value.message and same.value.code == "unchanged"
    assert trail_counts(db) == before


def test_a_pending_offer_whose_answer_window_the_new_time_closes_is_withdrawn(app, db, factories):
    request = open_request(factories)
    volunteer = factories.VolunteerFactory()
    with app.app_context(), new_session(write=True) as session:
        offers.make_offer(session, request_id=request.id, volunteer_id=volunteer.id, now=now(), actor="t")
    soon = (now() + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    if soon.hour > 21:  # the hour must end on its own day: take tomorrow morning, still inside the cut-off
        soon = (soon + timedelta(days=1)).replace(hour=8)

    plan, _said = _plan(
        app, request, start=soon.strftime(STAMP), end=(soon + timedelta(hours=1)).strftime(STAMP)
    )

    assert "zu kurz bevor" in plan.withdrawn[0].problem


def test_a_moved_assignment_is_reminded_again_for_its_new_day(app, db, factories):
    request, _offer, _token, assignment = confirmed(app, factories)
    db.rollback()
    row = db.get(Assignment, assignment.id)
    row.reminder_sent_at = now()
    db.add(row)
    db.commit()
    next_day = request.start + timedelta(days=1)

    _change(app, request, start=next_day.strftime(STAMP), end=(next_day + timedelta(hours=1)).strftime(STAMP))

    assert reload(db, assignment).reminder_sent_at is None


def test_the_mails_of_a_change_are_found_for_erasure_and_retention(app, db, factories):
    request, _offer, _token, assignment = confirmed(app, factories)
    later = request.start + timedelta(hours=1)
    _change(app, request, start=later.strftime(STAMP), end=(later + timedelta(hours=1)).strftime(STAMP))

    with app.app_context(), new_session(write=False) as session:
        volunteer = session.get(Volunteer, assignment.volunteer_id)
        of_request = {m.dedupe_key for m in mail_privacy.mails_of_request(session, request.id)}
        of_volunteer = {
            m.dedupe_key
            for m in mail_privacy.mails_of_volunteer(
                session, volunteer.id, email="x@nowhere.example", names=[]
            )
        }

    changed = {m.dedupe_key for m in mails(db) if "_changed:" in m.dedupe_key}
    assert len(changed) == 2 and changed <= of_request
    assert f"assignment_changed:{assignment.id}:1" in of_volunteer


def test_a_volunteer_giving_the_assignment_back_cancels_the_institutions_calendar_entry_too(
    app, db, factories
):
    request, offer, _token, assignment = confirmed(app, factories)
    with app.app_context(), new_session(write=True) as session:
        assignments.withdraw_acceptance(session, offer_id=offer.id, now=now())

    told = _mail(db, f"assignment_withdrawn_institution:{assignment.id}")
    assert told.recipient == request.contact_email
    assert "METHOD:CANCEL" in _ics(told) and "SEQUENCE:1" in _ics(told)
    assert f"UID:einsatz-{assignment.id}@" in _ics(told)
