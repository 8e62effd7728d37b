"""Written translations in the coordinators' work: proposed by language to those who take written work only."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import Assignment, MatchingRun, Offer, Volunteer
from sprachmittlerpool.services import completion, offers
from tests.coordination.day_world import assignment_at
from tests.coordination.helpers import fresh_read, mails, now, reload
from tests.factories import next_weekday


def _compute(client, db) -> dict:
    assert client.post("/koordination/vorschlaege").status_code == 302
    return fresh_read(db, lambda: db.exec(select(MatchingRun).order_by(MatchingRun.id.desc())).first()).result


def _written_request(factories, **overrides):
    due = next_weekday(2, weeks_ahead=3).date()  # a Wednesday
    return factories.RequestFactory(
        mode="written",
        start=datetime.combine(due, time.min),
        end=datetime.combine(due, time(23, 59)),
        address="",
        pages=3,
        topic="Zeugnis übersetzen",
        **overrides,
    )


def test_a_written_request_is_proposed_to_the_one_who_takes_written_work(coordinator_client, db, factories):
    # the translator lives far away and has no weekly time on the due day: neither counts for written work
    translator = factories.VolunteerFactory(
        name="Iryna Translator", written=True, max_distance_km=0, availability=[]
    )
    talker = factories.VolunteerFactory(name="Oksana Gespraech")
    request = _written_request(factories)

    result = _compute(coordinator_client, db)

    assert result["assignments"] == [
        {"request": str(request.id), "volunteer": str(translator.id), "distance_km": 0.0}
    ]
    candidates = coordinator_client.get(f"/koordination/anfragen/{request.id}/kandidaten").get_data(
        as_text=True
    )
    assert f'name="volunteer_id" value="{translator.id}"' in candidates
    assert f'name="volunteer_id" value="{talker.id}"' not in candidates
    assert "Oksana G. übernimmt keine schriftlichen Übersetzungen" in candidates
    assert f"Abgabe bis {request.start:%d.%m.%Y}" in candidates


def test_nobody_taking_written_work_is_the_reason_a_written_request_stays_open(
    coordinator_client, db, factories
):
    factories.VolunteerFactory()
    request = _written_request(factories)

    result = _compute(coordinator_client, db)

    assert result["unassigned"] == [{"request": str(request.id), "reason": "no_written"}]
    page = coordinator_client.get("/koordination/vorschlaege").get_data(as_text=True)
    assert "übernimmt schriftliche Übersetzungen" in page


def test_the_offer_names_the_due_day_and_accepting_keeps_the_talks_of_that_day(
    app, coordinator_client, db, factories
):
    request = _written_request(factories)
    translator = factories.VolunteerFactory(written=True)
    talk = assignment_at(db, factories, request.start.replace(hour=10))
    talk_volunteer = reload(db, talk).volunteer_id
    # the translator also interprets a talk on the due day: the translation holds none of its hours
    same_day = assignment_at(
        db, factories, request.start.replace(hour=14), volunteer=db.get(Volunteer, translator.id)
    )
    run = _compute(coordinator_client, db)
    assert {a["request"]: a["volunteer"] for a in run["assignments"]} == {str(request.id): str(translator.id)}
    run_id = fresh_read(db, lambda: db.exec(select(MatchingRun).order_by(MatchingRun.id.desc())).first().id)

    coordinator_client.post(f"/koordination/vorschlaege/{run_id}/anfragen/{request.id}")

    [mail] = [m for m in mails(db) if m.recipient == translator.email]
    assert f"schriftliche Übersetzung, etwa 3 Seiten, Abgabe bis {request.start:%d.%m.%Y}" in mail.body_text
    offer = fresh_read(db, lambda: db.exec(select(Offer).where(Offer.request_id == request.id)).one())
    with app.app_context():
        assignment = offers.accept_offer(db, offer_id=offer.id, now=now())
        db.commit()
    assert reload(db, assignment).written is True
    assert reload(db, same_day).status == "confirmed" and talk_volunteer != translator.id


def test_the_written_flag_is_saved_on_the_volunteers_page(coordinator_client, db, factories):
    volunteer = factories.VolunteerFactory()
    url = f"/koordination/sprachmittelnde/{volunteer.id}/qualifikationen"
    assert "übernimmt schriftliche Übersetzungen" in coordinator_client.get(url).get_data(as_text=True)

    coordinator_client.post(url, data={"written": "1", "trained_issued_on": "2024-01-10"})

    assert reload(db, volunteer).written is True


def _written_assignment(db, factories, **request):
    due = next_weekday(2, weeks_ahead=3).replace(hour=0, minute=0)
    assignment = assignment_at(db, factories, due, mode="written", address="", pages=2, **request)
    assignment.written = True
    db.add(assignment)
    db.commit()
    return assignment


def test_a_written_translation_is_paid_by_its_approved_time_and_may_be_reported_before_its_due_day(
    app, db, factories
):
    assignment = _written_assignment(db, factories)
    with app.app_context(), new_session(write=True) as session:
        done = completion.record_completion(
            session,
            assignment=session.get(Assignment, assignment.id),
            took_place=True,
            duration_minutes=150,
            travel_km="12",
            now=assignment.start - timedelta(days=2),
            actor="volunteer",
        )
        assert completion.awaits_approval(done)
        assert "für die schriftliche Übersetzung prüft die Koordination" in completion.approval_message(done)
        paid = completion.decide_duration(session, assignment=done, approve=True, now=now(), actor="user:1")

    # Heinsberg's tariff: 25 € up to two hours, 10 € for each further started hour
    assert (paid.duration_minutes, paid.allowance_cents, paid.travel_km) == (150, 3500, 0)


def test_a_refused_written_duration_pays_the_base_amount(app, db, factories):
    assignment = _written_assignment(db, factories)
    with app.app_context(), new_session(write=True) as session:
        done = completion.record_completion(
            session,
            assignment=session.get(Assignment, assignment.id),
            took_place=True,
            duration_minutes=30,
            now=assignment.start + timedelta(hours=1),
            actor="volunteer",
        )
        paid = completion.decide_duration(session, assignment=done, approve=False, now=now(), actor="user:1")

    assert (paid.duration_minutes, paid.allowance_cents) == (0, 2500)


def test_the_day_list_and_the_request_list_show_the_due_day_not_hours(coordinator_client, db, factories):
    assignment = _written_assignment(db, factories)
    day = assignment.start.date()

    day_list = coordinator_client.get(f"/koordination/einsaetze/tag?datum={day.isoformat()}").get_data(
        as_text=True
    )
    requests = coordinator_client.get("/koordination/anfragen").get_data(as_text=True)

    assert ">Abgabe</a>" in day_list and "00:00" not in day_list
    assert f"Abgabe bis<br>{day:%d.%m.%Y}" in requests
