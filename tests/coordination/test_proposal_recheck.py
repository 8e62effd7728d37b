"""A proposal is checked again when confirmed, and a list older than the latest change says so."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from sprachmittlerpool.models import InterpretingRequest, MatchingRun, Municipality, Offer, Pool
from sprachmittlerpool.services import offers
from sprachmittlerpool.services import volunteers as volunteer_service
from sprachmittlerpool.services.proposal_check import span_words
from tests.coordination.helpers import fresh_read, now, trail_counts

STALE = "Diese Vorschläge wurden vor der letzten Änderung berechnet"
ASK = "bitte neu berechnen oder eine andere Person wählen."


@pytest.fixture
def proposed(coordinator_client, factories, db):
    """One Ukrainian request, one nearby volunteer, and a run that proposes her."""
    olena = factories.VolunteerFactory(name="Olena Nowak", home_id="heinsberg")
    wanted = factories.RequestFactory(municipality_id="heinsberg")
    coordinator_client.post("/koordination/vorschlaege")
    run = fresh_read(db, lambda: db.exec(select(MatchingRun)).one())
    assert run.result["assignments"][0]["volunteer"] == str(olena.id)
    return {"olena": olena, "request": wanted, "run": run}


def _offers(db) -> list[Offer]:
    return fresh_read(db, lambda: list(db.exec(select(Offer)).all()))


def _page(client) -> str:
    return client.get("/koordination/vorschlaege").get_data(as_text=True)


def _confirm(client, proposed) -> str:
    url = f"/koordination/vorschlaege/{proposed['run'].id}/anfragen/{proposed['request'].id}"
    response = client.post(url, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _enter_absence(client, proposed) -> None:
    day = proposed["request"].start.date()
    response = client.post(
        f"/koordination/sprachmittelnde/{proposed['olena'].id}/abwesenheiten",
        data={"start": (day - timedelta(days=1)).isoformat(), "end": (day + timedelta(days=6)).isoformat()},
    )
    assert response.status_code == 302


def test_confirm_after_an_absence_is_refused_with_the_reason_and_sends_nothing(
    coordinator_client, proposed, db
):
    _enter_absence(coordinator_client, proposed)
    before = trail_counts(db)

    page = _confirm(coordinator_client, proposed)

    assert "Olena N. ist vom " in page and f"abwesend – {ASK}" in page
    assert "nicht gesendet" in page
    assert _offers(db) == []
    assert trail_counts(db) == before  # no mail queued, no audit row: nothing changed
    status = fresh_read(db, lambda: db.get(InterpretingRequest, proposed["request"].id).status)
    assert status == "open"


def test_confirm_all_after_deactivation_is_refused(coordinator_client, proposed, db):
    olena = fresh_read(db, lambda: db.get(type(proposed["olena"]), proposed["olena"].id))
    volunteer_service.update_volunteer(db, olena, {"active": False}, actor="test")
    before = trail_counts(db)

    response = coordinator_client.post(
        f"/koordination/vorschlaege/{proposed['run'].id}/alle", follow_redirects=True
    )

    assert f"Olena N. ist nicht mehr aktiv – {ASK}" in response.get_data(as_text=True)
    assert _offers(db) == []
    assert trail_counts(db) == before


def test_confirm_after_a_conflicting_booking_is_refused(app, coordinator_client, proposed, factories, db):
    same_time = factories.RequestFactory(
        municipality_id="heinsberg", start=proposed["request"].start, end=proposed["request"].end
    )
    with app.app_context():
        offers.make_offer(
            db, request_id=same_time.id, volunteer_id=proposed["olena"].id, now=now(), actor="test"
        )
    before = trail_counts(db)

    page = _confirm(coordinator_client, proposed)

    assert f"Olena N. hat zu dieser Zeit schon einen Einsatz oder ein offenes Angebot – {ASK}" in page
    assert [o.request_id for o in _offers(db)] == [same_time.id]
    assert trail_counts(db) == before


def test_confirm_of_a_still_valid_proposal_sends_the_offer(coordinator_client, proposed, db):
    page = _confirm(coordinator_client, proposed)

    assert "gesendet" in page and "nicht gesendet" not in page
    assert [(o.request_id, o.volunteer_id) for o in _offers(db)] == [
        (proposed["request"].id, proposed["olena"].id)
    ]


def test_stale_notice_appears_after_an_absence_and_disappears_after_recomputing(coordinator_client, proposed):
    assert STALE not in _page(coordinator_client)

    _enter_absence(coordinator_client, proposed)
    stale = _page(coordinator_client)
    coordinator_client.post("/koordination/vorschlaege")
    fresh = _page(coordinator_client)

    assert STALE in stale and "Bitte neu berechnen." in stale
    assert stale.index(STALE) < stale.index("Vorschläge berechnen</button>")  # the button right under it
    assert STALE not in fresh
    assert "Olena Nowak" not in fresh  # the new run no longer proposes her


def test_offers_sent_from_the_list_itself_do_not_make_it_stale(coordinator_client, proposed):
    _confirm(coordinator_client, proposed)

    assert STALE not in _page(coordinator_client)


@pytest.mark.parametrize(
    ("first", "last", "words"),
    [
        (date(2026, 12, 3), date(2026, 12, 10), "vom 3. bis 10. Dezember"),
        (date(2026, 11, 28), date(2026, 12, 3), "vom 28. November bis 3. Dezember"),
        (date(2026, 12, 28), date(2027, 1, 3), "vom 28. Dezember 2026 bis 3. Januar 2027"),
        (date(2026, 3, 3), date(2026, 3, 3), "am 3. März"),
    ],
)
def test_absence_spans_read_as_german_prose(first, last, words):
    assert span_words(first, last) == words


def test_an_absence_in_another_pool_does_not_make_the_list_stale(coordinator_client, proposed, factories, db):
    db.add(Pool(id=2, slug="zweiter", name="Zweiter Pool"))
    db.commit()
    db.add(Municipality(pool_id=2, id="heinsberg", name="Heinsberg", lat=51.06, lon=6.1))
    db.commit()
    elsewhere = factories.VolunteerFactory(pool_id=2, languages=[])
    day = proposed["request"].start.date()

    volunteer_service.add_absence(db, elsewhere, start=day, end=day, actor="test")
    local = _page(coordinator_client)
    _enter_absence(coordinator_client, proposed)

    assert STALE not in local
    assert STALE in _page(coordinator_client)
