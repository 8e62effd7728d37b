"""A volunteer may give an accepted assignment back over the link only until OFFER_CUTOFF_HOURS before it.

Inside the cut-off the institution could no longer find anyone else, so the link refuses in German and
points to the coordination, changing nothing; outside it the withdrawal goes through. Every test runs
with the default 24 h and with 48 h, because the setting is only honest if both the rule and every
German text that names the hours follow it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from sprachmittlerpool import links
from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import OfferStatus, RequestStatus
from sprachmittlerpool.security import new_token, token_hash
from sprachmittlerpool.services import coordination_jobs
from tests.confirm import CONFIRMED
from tests.conftest import make_test_config
from tests.coordination.helpers import confirmed, mails, now, open_request, reload
from tests.coordination.helpers import trail_counts as counts

MARGIN = timedelta(minutes=10)  # far from the boundary in either direction, so the clock cannot flip a test


@pytest.fixture(params=[24, 48], ids=["24h", "48h"])
def cutoff(request) -> int:
    """The configured cut-off in hours."""
    return request.param


@pytest.fixture
def app_config(database_url, tmp_path, cutoff):
    """The test settings with the cut-off under test."""
    return make_test_config(database_url, tmp_path, OFFER_CUTOFF_HOURS=cutoff, UNFILLED_WARN_DAYS=4)


def booked_starting_in(app, factories, cutoff: int, until_start: timedelta):
    """Book an assignment that starts `until_start` from now, offered and accepted well before the cut-off."""
    start = (now() + until_start).replace(microsecond=0)
    booked_at = start - timedelta(hours=cutoff) - timedelta(hours=2)
    return confirmed(app, factories, at=booked_at, start=start, end=start + timedelta(hours=1))


def test_withdrawing_inside_the_cut_off_is_refused_in_german_and_changes_nothing(
    app, db, factories, client, cutoff
):
    request, offer, token, assignment = booked_starting_in(
        app, factories, cutoff, timedelta(hours=cutoff) - MARGIN
    )
    before = counts(db)
    page = client.get(f"/o/{token}").get_data(as_text=True)
    assert 'id="withdraw"' not in page and "rufen Sie bitte die Koordination an" in page
    response = client.post(f"/o/{token}/withdraw")
    assert response.status_code == 409
    assert (
        f"Eine Absage über den Link ist nur bis {cutoff} Stunden vor dem Termin möglich. "
        "Bitte rufen Sie die Koordination an." in response.get_data(as_text=True)
    )
    assert reload(db, offer).status == OfferStatus.ACCEPTED
    assert reload(db, assignment).status == "confirmed"
    assert reload(db, request).status == RequestStatus.CONFIRMED
    assert counts(db) == before  # no mail queued, no audit row


def test_withdrawing_just_outside_the_cut_off_works(app, db, factories, client, cutoff):
    request, offer, token, assignment = booked_starting_in(
        app, factories, cutoff, timedelta(hours=cutoff) + MARGIN
    )
    page = client.get(f"/o/{token}").get_data(as_text=True)
    assert 'id="withdraw"' in page
    assert f"Absagen über diesen Link ist bis {cutoff} Stunden vor dem Termin möglich." in page
    assert client.post(f"/o/{token}/withdraw", data=CONFIRMED).status_code == 200
    assert reload(db, offer).status == OfferStatus.WITHDRAWN
    assert reload(db, assignment).status == "cancelled"
    assert reload(db, request).status == RequestStatus.OPEN
    keys = [mail.dedupe_key for mail in mails(db)]
    assert f"assignment_cancelled:{assignment.id}" in keys
    assert f"assignment_withdrawn_institution:{assignment.id}" in keys


def test_every_german_text_naming_the_cut_off_names_the_configured_hours(app, db, factories, client, cutoff):
    """The confirmation and early-warning mails, the status page's late warning and the completion form say `cutoff`."""
    request, _offer, _token, assignment = booked_starting_in(
        app, factories, cutoff, timedelta(hours=cutoff) - MARGIN
    )
    (confirmation,) = [m for m in mails(db) if m.dedupe_key == f"assignment_confirmed:{assignment.id}"]
    for body in (confirmation.body_text, confirmation.body_html):
        assert f"bis {cutoff} Stunden vorher" in body
    status_token = new_token()
    db.get(type(request), request.id).status_token_hash = token_hash(status_token)
    db.commit()
    status_page = client.get(f"/status/{status_token}").get_data(as_text=True)
    assert f"Der Termin beginnt in weniger als {cutoff} Stunden." in status_page
    with app.app_context():
        completion_token = links.completion_token(assignment.id)
    form = client.get(f"/bestaetigung/{completion_token}").get_data(as_text=True)
    assert f"Wir haben den Termin weniger als {cutoff} Stunden vorher abgesagt." in form
    unfilled = open_request(factories)
    with app.app_context(), new_session(write=True) as session:
        coordination_jobs.warn_unfilled(session, now=unfilled.start - timedelta(days=3))
        session.commit()
    (warning,) = [m for m in mails(db) if m.dedupe_key == f"unfilled_warning:{unfilled.id}"]
    assert f"Spätestens {cutoff} Stunden vor dem Termin" in warning.body_text
    for page in (status_page, form, warning.body_text):
        assert "24 Stunden" not in page or cutoff == 24
