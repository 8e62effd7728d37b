"""Aftercare rules: one round of links per assignment, only those who were there are asked, links expire,
an answer is stored once, and the comment is personal data (export, erasure, retention)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from notifications.jobs import ALREADY_RAN
from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import Assignment, Feedback, InterpretingRequest, local_now
from sprachmittlerpool.security import new_token, token_hash
from sprachmittlerpool.services import feedback as feedback_service
from sprachmittlerpool.services import privacy
from sprachmittlerpool.services.offers import Conflict
from tests.aftercare.world import ask, completed, feedback_mails, feedback_rows

COMMENT = "Die Mutter hat von der Diagnose KANARIENVOGEL erzählt."


def _give(
    app, feedback_id: int, *, rating: int = 4, comment: str = COMMENT, debriefing: bool = False
) -> None:
    with app.app_context(), new_session(write=True) as session:
        row = session.get(Feedback, feedback_id)
        feedback_service.submit(
            session, row, feedback_service.Answer(rating, comment, debriefing), now=local_now()
        )


def test_the_links_go_out_once_however_often_and_in_however_many_periods_the_job_runs(app, db, factories):
    assignment = completed(app, db, factories)
    now = local_now()

    first = ask(app, now=now)
    same_period = ask(app, now=now)
    next_hour = ask(app, now=now + timedelta(hours=1))

    assert (first, same_period, next_hour) == (
        "2 Rückmeldungen erbeten",
        ALREADY_RAN,
        "0 Rückmeldungen erbeten",
    )
    assert [m.dedupe_key for m in feedback_mails(db)] == [
        f"feedback_volunteer:{assignment.id}",
        f"feedback_institution:{assignment.id}",
    ]
    assert len(feedback_rows(db, assignment.id)) == 2


def test_a_second_scheduler_that_read_the_same_due_list_claims_nothing(app, db, factories):
    assignment = completed(app, db, factories)
    ask(app)

    with app.app_context(), new_session(write=True) as session:
        claimed = feedback_service._claim(session, assignment.id, now=local_now())
        session.rollback()

    assert claimed is False


@pytest.mark.parametrize(
    ("outcome", "sides"),
    [
        ("took_place", ["volunteer", "institution"]),
        ("no_show", ["volunteer"]),  # the client stayed away: the volunteer was there
        ("volunteer_no_show", ["institution"]),  # the volunteer stayed away: not asked
        ("late", []),  # cancelled: nothing to tell about
        ("early", []),
    ],
)
def test_only_those_who_were_there_are_asked(app, db, factories, outcome, sides):
    assignment = completed(app, db, factories, outcome=outcome)

    ask(app)

    assert [row.side for row in feedback_rows(db, assignment.id)] == sides
    assert len(feedback_mails(db)) == len(sides)


def test_an_outcome_recorded_long_ago_is_not_asked_about(app, db, factories):
    completed(app, db, factories)

    assert ask(app, now=local_now() + timedelta(days=feedback_service.ASK_WITHIN_DAYS + 1)).startswith("0 ")
    assert feedback_mails(db) == []


def test_a_link_expires_after_its_days_unless_it_was_answered(app, client, db, factories):
    assignment = completed(app, db, factories)
    token = new_token()
    with app.app_context(), new_session(write=True) as session:
        row = session.get(Assignment, assignment.id)
        old = Feedback(
            pool_id=row.pool_id, assignment_id=row.id, side="volunteer", token_hash=token_hash(token),
            created_at=local_now() - timedelta(days=31), expires_at=local_now() - timedelta(days=1),
        )  # fmt: skip
        session.add(old)
        session.commit()

    shown, sent = (
        client.get(f"/rueckmeldung/{token}"),
        client.post(f"/rueckmeldung/{token}", data={"rating": "3"}),
    )

    assert shown.status_code == sent.status_code == 410
    assert "abgelaufen" in shown.get_data(as_text=True)
    assert feedback_rows(db, assignment.id)[0].submitted_at is None
    assert client.get(f"/rueckmeldung/{new_token()}").status_code == 404


def test_the_link_lives_thirty_days(app, db, factories):
    assignment = completed(app, db, factories)
    ask(app)

    row = feedback_rows(db, assignment.id)[0]

    assert row.expires_at - row.created_at == timedelta(days=30)


def test_an_answer_needs_a_rating_and_is_stored_once(app, db, factories):
    assignment = completed(app, db, factories)
    ask(app)
    row = feedback_rows(db, assignment.id)[1]  # the institution's
    with pytest.raises(feedback_service.InvalidFeedback) as missing:
        feedback_service.check_answer("institution", {"comment": "gut"})
    institution = feedback_service.check_answer("institution", {"rating": "5", "debriefing": "ja"})

    _give(app, row.id, rating=5)
    with pytest.raises(Conflict) as second:
        _give(app, row.id, rating=1)

    assert set(missing.value.fields) == {"rating"}
    assert institution.debriefing is False  # only a volunteer asks for a debriefing talk
    assert second.value.message == feedback_service.ALREADY_RECEIVED
    assert feedback_rows(db, assignment.id)[1].rating == 5


def test_the_form_refuses_a_missing_rating_in_german_and_keeps_the_comment(app, client, db, factories):
    assignment = completed(app, db, factories)
    token = new_token()
    with app.app_context(), new_session(write=True) as session:
        row = session.get(Assignment, assignment.id)
        session.add(Feedback(
            pool_id=row.pool_id, assignment_id=row.id, side="volunteer", token_hash=token_hash(token),
            expires_at=local_now() + timedelta(days=30),
        ))  # fmt: skip
        session.commit()

    answer = client.post(f"/rueckmeldung/{token}", data={"comment": "Alles gut gelaufen"})

    page = answer.get_data(as_text=True)
    assert (
        answer.status_code == 422
        and "Bitte wählen Sie eine Bewertung" in page
        and "Alles gut gelaufen" in page
    )
    assert feedback_rows(db, assignment.id)[0].submitted_at is None


def test_the_export_lists_the_volunteers_own_feedback_and_erasure_blanks_every_comment(app, db, factories):
    assignment = completed(app, db, factories)
    ask(app)
    volunteer_row, institution_row = feedback_rows(db, assignment.id)
    _give(app, volunteer_row.id, rating=2, debriefing=True)
    _give(app, institution_row.id, rating=4)

    with app.app_context(), new_session(write=True) as session:
        exported = privacy.export_volunteer(session, assignment.volunteer_id)["volunteer"]["feedback"]
        privacy.erase_volunteer(session, assignment.volunteer_id, now=local_now(), actor="test")

    assert [(f["rating"], f["comment"], f["debriefing_wanted"]) for f in exported] == [(2, COMMENT, True)]
    assert [(row.rating, row.comment) for row in feedback_rows(db, assignment.id)] == [(2, ""), (4, "")]


def test_retention_blanks_the_comments_and_drops_unanswered_links(app, db, factories):
    assignment = completed(app, db, factories)
    ask(app)
    answered, unanswered = feedback_rows(db, assignment.id)
    _give(app, answered.id, rating=3)

    with app.app_context(), new_session(write=True) as session:
        request = session.get(InterpretingRequest, assignment.request_id)
        privacy.anonymise_request(session, request, now=local_now(), actor="test")
        session.commit()

    assert [(row.id, row.rating, row.comment) for row in feedback_rows(db, assignment.id)] == [
        (answered.id, 3, "")
    ]
