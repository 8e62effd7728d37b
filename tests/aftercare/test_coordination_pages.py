"""The coordinator's side of aftercare: the dashboard lists open debriefing wishes at once, the request page shows
the feedback with its words, and marking a wish handled asks first, is audited and works once."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from sprachmittlerpool.models import Assignment, AuditEvent, Feedback, Volunteer, local_now
from sprachmittlerpool.security import new_token, token_hash
from tests.aftercare.world import feedback_rows, yesterday_at
from tests.confirm import CONFIRMED
from tests.coordination.day_world import assignment_at
from tests.coordination.helpers import fresh_read


def _answered(db, assignment: Assignment, side: str, *, rating: int, comment: str = "", wish: bool = False):
    row = Feedback(
        pool_id=assignment.pool_id, assignment_id=assignment.id, side=side, token_hash=token_hash(new_token()),
        expires_at=local_now() + timedelta(days=30), submitted_at=local_now(), rating=rating, comment=comment,
        debriefing_wanted=wish,
    )  # fmt: skip
    db.add(row)
    db.commit()
    return row


def test_the_dashboard_lists_an_open_debriefing_wish_with_the_name_and_a_link(
    coordinator_client, db, factories
):
    assignment = assignment_at(db, factories, yesterday_at(9))
    _answered(db, assignment, "volunteer", rating=1, wish=True)
    quiet = assignment_at(db, factories, yesterday_at(14))
    _answered(db, quiet, "volunteer", rating=5)  # no wish: not listed
    name = fresh_read(db, lambda: db.get(Volunteer, assignment.volunteer_id).name)

    page = coordinator_client.get("/koordination/").get_data(as_text=True)

    assert 'id="debriefing-count">1<' in page and "Nachgespräch gewünscht" in page
    assert name in page and f"/koordination/anfragen/{assignment.request_id}#rueckmeldungen" in page
    assert f"/koordination/anfragen/{quiet.request_id}#rueckmeldungen" not in page


def test_without_wishes_the_dashboard_shows_no_debriefing_card(coordinator_client):
    assert "debriefing-count" not in coordinator_client.get("/koordination/").get_data(as_text=True)


def test_the_request_page_shows_both_sides_ratings_words_and_the_wish(coordinator_client, db, factories):
    assignment = assignment_at(db, factories, yesterday_at(11))
    _answered(db, assignment, "volunteer", rating=3, comment="Schwieriges Gespräch.", wish=True)
    _answered(db, assignment, "institution", rating=5, comment="Sehr hilfreich, danke!")

    page = coordinator_client.get(f"/koordination/anfragen/{assignment.request_id}").get_data(as_text=True)

    assert 'id="rueckmeldungen"' in page
    assert "Bewertung: 3 von 5" in page and "Schwieriges Gespräch." in page
    assert "Bewertung: 5 von 5" in page and "Sehr hilfreich, danke!" in page
    assert "Nachgespräch als erledigt vermerken" in page


def test_marking_a_wish_handled_asks_first_is_audited_and_works_once(coordinator_client, db, factories):
    assignment = assignment_at(db, factories, yesterday_at(12))
    row = _answered(db, assignment, "volunteer", rating=2, wish=True)
    url = f"/koordination/rueckmeldungen/{row.id}/nachgespraech"

    asked = coordinator_client.post(url)
    done = coordinator_client.post(url, data=CONFIRMED)
    again = coordinator_client.post(url, data=CONFIRMED, follow_redirects=True)

    assert asked.status_code == 200 and "Niemand bekommt eine E-Mail." in asked.get_data(as_text=True)
    assert done.status_code == 302
    assert "schon als erledigt vermerkt" in again.get_data(as_text=True)
    assert feedback_rows(db, assignment.id)[0].debriefing_done_at is not None
    events = fresh_read(
        db, lambda: db.exec(select(AuditEvent).where(AuditEvent.action == "debriefing_done")).all()
    )
    assert [(e.entity, e.entity_id) for e in events] == [("assignment", str(assignment.id))]


def test_a_feedback_without_a_wish_cannot_be_marked(coordinator_client, db, factories):
    assignment = assignment_at(db, factories, yesterday_at(13))
    row = _answered(db, assignment, "institution", rating=4)

    assert (
        coordinator_client.post(
            f"/koordination/rueckmeldungen/{row.id}/nachgespraech", data=CONFIRMED
        ).status_code
        == 404
    )
