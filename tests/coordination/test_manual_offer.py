"""Offering a request to a person the coordinator picks: who may take it, who not and why, and the offer itself."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlmodel import select

from sprachmittlerpool.models import Absence, Availability, InterpretingRequest, Offer, OutboxMail
from sprachmittlerpool.services import proposal_check
from tests.coordination.day_world import offer_for, second_pool
from tests.coordination.helpers import fresh_read, now


def _status(db, request_id: int) -> str:
    """Read a request's status from the database (not the test session's identity map)."""
    query = select(InterpretingRequest.status).where(InterpretingRequest.id == request_id)
    return fresh_read(db, lambda: db.exec(query).one())


@pytest.fixture
def crowd(factories, db):
    """A Ukrainian request and one Ukrainian speaker per reason to refuse, plus one who may take it."""
    wanted = factories.RequestFactory(municipality_id="heinsberg")
    day = wanted.start.date()
    people = {
        "free": factories.VolunteerFactory(name="Olena Frei"),
        "absent": factories.VolunteerFactory(name="Anna Abwesend"),
        "busy": factories.VolunteerFactory(name="Bohdan Belegt"),
        "far": factories.VolunteerFactory(name="Fedir Fern", home_id="erkelenz", max_distance_km=1.0),
        "window": factories.VolunteerFactory(
            name="Wira Woche", availability=[(day.weekday(), time(14), time(18))]
        ),
        "capped": factories.VolunteerFactory(name="Kira Kappe", max_per_week=1),
        "other": factories.VolunteerFactory(name="Amal Arabisch", languages=["ar"]),
        "inactive": factories.VolunteerFactory(name="Ivan Inaktiv", active=False),
    }
    db.add(Absence(volunteer_id=people["absent"].id, start=day, end=day + timedelta(days=2)))
    db.commit()
    offer_for(db, factories, wanted.start, volunteer=people["busy"])
    other_day = wanted.start + timedelta(days=1) if day.weekday() < 4 else wanted.start - timedelta(days=1)
    offer_for(db, factories, other_day, volunteer=people["capped"])
    return {"request": wanted, **people}


def test_choices_split_the_speakers_by_the_engines_hard_rules_with_reasons(db, crowd):
    choices = fresh_read(db, lambda: proposal_check.offer_choices(db, request=crowd["request"], now=now()))

    assert [c.volunteer.name for c in choices.selectable] == ["Olena Frei"]
    reasons = {volunteer.name: reason for volunteer, reason in choices.refused}
    assert set(reasons) == {"Anna Abwesend", "Bohdan Belegt", "Fedir Fern", "Wira Woche", "Kira Kappe"}
    assert reasons["Anna Abwesend"].startswith("ist ") and reasons["Anna Abwesend"].endswith("abwesend")
    assert reasons["Bohdan Belegt"] == "hat zu dieser Zeit schon einen Einsatz oder ein offenes Angebot"
    assert reasons["Fedir Fern"].startswith("fährt höchstens 1,0 km, der Termin ist ")
    assert "laut Wochenplan nicht verfügbar" in reasons["Wira Woche"]
    assert reasons["Kira Kappe"] == "hat in dieser Woche schon die Höchstzahl von 1 Einsätzen erreicht"


def test_page_lists_who_may_and_who_may_not_with_the_reason(coordinator_client, crowd):
    page = coordinator_client.get(f"/koordination/anfragen/{crowd['request'].id}/anbieten").get_data(
        as_text=True
    )

    can, cannot = page.split("<h2>Sprechen die Sprache, können aber nicht")
    assert "Olena Frei" in can and can.count('name="volunteer_id"') == 1
    assert "Anna A. ist " in cannot and "Fedir F. fährt höchstens 1,0 km" in cannot
    assert 'name="volunteer_id"' not in cannot
    assert "Amal Arabisch" not in page and "Ivan Inaktiv" not in page


def test_sending_the_offer_queues_the_normal_offer_mail(coordinator_client, coordinator, crowd, db):
    response = coordinator_client.post(
        f"/koordination/anfragen/{crowd['request'].id}/anbieten", data={"volunteer_id": crowd["free"].id}
    )

    assert response.status_code == 302 and response.headers["Location"].endswith("/koordination/angebote")
    offer = fresh_read(
        db, lambda: db.exec(select(Offer).where(Offer.request_id == crowd["request"].id)).one()
    )
    assert (offer.volunteer_id, offer.status, offer.created_by_id) == (
        crowd["free"].id,
        "pending",
        coordinator.id,
    )
    mail = fresh_read(
        db, lambda: db.exec(select(OutboxMail).where(OutboxMail.recipient == crowd["free"].email)).one()
    )
    assert "/o/" in mail.body_text
    assert _status(db, crowd["request"].id) == "offered"


def test_a_refused_person_gets_no_offer_and_the_page_says_why(coordinator_client, crowd, db):
    response = coordinator_client.post(
        f"/koordination/anfragen/{crowd['request'].id}/anbieten",
        data={"volunteer_id": crowd["absent"].id},
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert "kann die Anfrage nicht übernehmen" in page and "abwesend" in page
    assert (
        fresh_read(db, lambda: db.exec(select(Offer).where(Offer.volunteer_id == crowd["absent"].id)).all())
        == []
    )


def test_after_the_engine_found_nobody_a_phone_arrangement_makes_the_person_selectable(
    coordinator_client, factories, db
):
    wanted = factories.RequestFactory(municipality_id="heinsberg")
    mariam = factories.VolunteerFactory(name="Mariam Haddad", availability=[])
    coordinator_client.post("/koordination/vorschlaege")
    proposals = coordinator_client.get("/koordination/vorschlaege").get_data(as_text=True)
    assert f"/koordination/anfragen/{wanted.id}/anbieten" in proposals and "Person anbieten" in proposals
    before = coordinator_client.get(f"/koordination/anfragen/{wanted.id}/anbieten").get_data(as_text=True)
    assert "Die letzte Berechnung fand niemanden" in before and "Mariam H. ist " in before

    start = wanted.start
    db.add(Availability(volunteer_id=mariam.id, weekday=start.weekday(), start=time(8), end=time(18)))
    db.commit()

    after = coordinator_client.get(f"/koordination/anfragen/{wanted.id}/anbieten").get_data(as_text=True)
    assert f'name="volunteer_id" value="{mariam.id}"' in after


def test_the_old_candidates_address_still_works_and_not_open_requests_offer_nobody(
    coordinator_client, factories
):
    factories.VolunteerFactory()
    offered = factories.RequestFactory(status="offered")

    page = coordinator_client.get(f"/koordination/anfragen/{offered.id}/kandidaten").get_data(as_text=True)

    assert "nicht mehr offen" in page and 'name="volunteer_id"' not in page


def test_another_pools_request_is_not_found(coordinator_client, factories, db):
    foreign = factories.RequestFactory(**second_pool(db))

    assert coordinator_client.get(f"/koordination/anfragen/{foreign.id}/anbieten").status_code == 404
    assert (
        coordinator_client.post(f"/koordination/anfragen/{foreign.id}/anbieten", data={}).status_code == 404
    )
