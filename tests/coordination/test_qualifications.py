"""Qualifications and phone/video requests in the pool: the coordinator's page, the proposals, the re-check."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import select

from sprachmittlerpool.models import AuditEvent, MatchingRun, Municipality, Qualification
from sprachmittlerpool.services.matching_run import build_instance_data
from sprachmittlerpool.services.proposal_check import problem_with
from tests.coordination.day_world import assignment_at
from tests.coordination.helpers import fresh_read, mails, now, reload
from tests.factories import FIRST_POOL

NO_QUALIFIED = "Den Passenden fehlt ein Nachweis, den diese Einrichtungsart verlangt"
NO_REMOTE = "Niemand, der die Sprache spricht, übernimmt Telefon- oder Videotermine."
WITHOUT_CLEARANCE = {"trained": None, "confidentiality": None}


def _compute(client, db) -> tuple[dict, str]:
    assert client.post("/koordination/vorschlaege").status_code == 302
    run = fresh_read(db, lambda: db.exec(select(MatchingRun).order_by(MatchingRun.id.desc())).first())
    return run.result, client.get("/koordination/vorschlaege").get_data(as_text=True)


def _proposed(result: dict) -> dict[str, str]:
    return {a["request"]: a["volunteer"] for a in result["assignments"]}


def _save(client, volunteer, **fields):
    url = f"/koordination/sprachmittelnde/{volunteer.id}/qualifikationen"
    return client.post(url, data=fields, follow_redirects=True)


def test_kita_request_waits_for_a_valid_clearance_and_is_proposed_once_it_is_entered(
    coordinator_client, factories, db
):
    olena = factories.VolunteerFactory(name="Olena Nowak", qualifications=WITHOUT_CLEARANCE)
    kita = factories.RequestFactory()  # a Kita's request: the pool's default asks for the clearance

    result, page = _compute(coordinator_client, db)

    assert _proposed(result) == {}
    assert result["unassigned"] == [{"request": str(kita.id), "reason": "no_qualified"}]
    assert NO_QUALIFIED in page and "Olena Nowak" not in page
    candidates = coordinator_client.get(f"/koordination/anfragen/{kita.id}/kandidaten").get_data(as_text=True)
    assert f'name="volunteer_id" value="{olena.id}"' not in candidates  # listed, but cannot be offered
    assert "fehlt für diesen Termin ein gültiger Nachweis: Erweitertes Führungszeugnis" in candidates

    day = kita.start.date()
    response = _save(
        coordinator_client,
        olena,
        trained_issued_on="2024-01-10",
        confidentiality_issued_on="2024-01-10",
        clearance_issued_on=(day - timedelta(days=300)).isoformat(),
        clearance_valid_until=day.isoformat(),
    )
    assert response.status_code == 200 and "Die Nachweise wurden gespeichert." in response.get_data(
        as_text=True
    )

    result, page = _compute(coordinator_client, db)

    assert _proposed(result) == {str(kita.id): str(olena.id)}
    assert "Olena Nowak" in page and NO_QUALIFIED not in page


def test_clearance_that_ends_the_day_before_the_appointment_does_not_count(coordinator_client, factories, db):
    kita = factories.RequestFactory()
    day_before = kita.start.date() - timedelta(days=1)
    factories.VolunteerFactory(qualifications=WITHOUT_CLEARANCE | {"clearance": day_before})

    result, _page = _compute(coordinator_client, db)

    assert result["unassigned"] == [{"request": str(kita.id), "reason": "no_qualified"}]


def test_authority_request_needs_no_clearance(coordinator_client, factories, db):
    olena = factories.VolunteerFactory(qualifications=WITHOUT_CLEARANCE)
    office = factories.RequestFactory(institution_id=factories.InstitutionFactory(type="behoerde").id)

    result, _page = _compute(coordinator_client, db)

    assert _proposed(result) == {str(office.id): str(olena.id)}


def test_phone_request_for_a_rare_language_goes_to_the_distant_volunteer_who_takes_remote_work(
    coordinator_client, factories, db
):
    db.add(Municipality(pool_id=FIRST_POOL, id="essen", name="Essen", kind="Stadt", lat=51.4556, lon=7.0116))
    db.commit()
    distant = factories.VolunteerFactory(
        name="Semhar Tesfay", languages=["ti"], home_id="essen", max_distance_km=10, remote=True
    )
    near = factories.VolunteerFactory(name="Abeba Kidane", languages=["ti"], home_id="heinsberg")
    call = factories.RequestFactory(
        language_code="ti", mode="phone", address="", call_details="Wir rufen an."
    )

    result, page = _compute(coordinator_client, db)

    assert _proposed(result) == {str(call.id): str(distant.id)}
    assert result["assignments"][0]["distance_km"] == 0.0
    assert "Semhar Tesfay" in page and "Abeba Kidane" not in page
    assert "<br>am Telefon</td>" in page
    candidates = coordinator_client.get(f"/koordination/anfragen/{call.id}/kandidaten").get_data(as_text=True)
    assert "am Telefon (Wir rufen an.)" in candidates
    assert f'name="volunteer_id" value="{distant.id}"' in candidates
    assert (
        "Abeba K. übernimmt keine Telefon- oder Videotermine" in candidates
    )  # listed, but cannot be offered
    entry = next(
        v
        for v in build_instance_data(db, pool_id=FIRST_POOL, now=now())["volunteers"]
        if v["id"] == str(near.id)
    )
    assert entry["remote"] is False


def test_phone_request_nobody_speaking_it_takes_remote_work_is_no_remote(coordinator_client, factories, db):
    factories.VolunteerFactory(languages=["ti"], home_id="heinsberg")
    call = factories.RequestFactory(language_code="ti", mode="video", address="")

    result, page = _compute(coordinator_client, db)

    assert result["unassigned"] == [{"request": str(call.id), "reason": "no_remote"}]
    assert NO_REMOTE in page


def test_page_shows_the_dates_and_saves_the_remote_choice_with_an_audit_row(
    coordinator_client, factories, db
):
    olena = factories.VolunteerFactory(name="Olena Nowak", qualifications={"clearance": None})

    page = coordinator_client.get(f"/koordination/sprachmittelnde/{olena.id}/qualifikationen").get_data(
        as_text=True
    )
    assert (
        "Erweitertes Führungszeugnis" in page
        and "Verlangt bei: Kindertageseinrichtung (Kita), Schule." in page
    )
    assert "Grundschulung" in page and "Verlangt bei: alle." in page

    response = _save(coordinator_client, olena, remote="1", exchange_issued_on="2025-05-05")

    assert response.status_code == 200
    rows = fresh_read(db, lambda: {q.kind: q.issued_on for q in db.exec(select(Qualification)).all()})
    assert {kind: day.isoformat() for kind, day in rows.items()} == {"exchange": "2025-05-05"}
    assert reload(db, olena).remote is True
    event = fresh_read(
        db, lambda: db.exec(select(AuditEvent).where(AuditEvent.action == "qualifications_changed")).one()
    )
    assert event.detail == {"changed": ["clearance", "exchange", "remote"]}


def test_end_before_issue_date_is_refused_next_to_the_field(coordinator_client, factories):
    olena = factories.VolunteerFactory()

    response = _save(
        coordinator_client, olena, clearance_issued_on="2025-05-05", clearance_valid_until="2025-05-04"
    )

    assert response.status_code == 422
    assert "„Gültig bis“ darf nicht vor dem Ausstellungsdatum liegen." in response.get_data(as_text=True)


def test_volunteer_page_links_to_the_qualifications(coordinator_client, factories):
    olena = factories.VolunteerFactory()

    page = coordinator_client.get(f"/koordination/sprachmittelnde/{olena.id}").get_data(as_text=True)

    assert f"/koordination/sprachmittelnde/{olena.id}/qualifikationen" in page


def test_confirming_after_the_clearance_was_removed_is_refused_with_the_reason(
    coordinator_client, factories, db
):
    olena = factories.VolunteerFactory(name="Olena Nowak")
    kita = factories.RequestFactory()
    result, _page = _compute(coordinator_client, db)
    assert _proposed(result) == {str(kita.id): str(olena.id)}

    _save(coordinator_client, olena, trained_issued_on="2024-01-10", confidentiality_issued_on="2024-01-10")

    problem = problem_with(db, request_id=kita.id, volunteer_id=olena.id, now=now())
    assert problem == (
        "Olena N. fehlt für diesen Termin ein gültiger Nachweis: Erweitertes Führungszeugnis – "
        "bitte neu berechnen oder eine andere Person wählen."
    )


def test_day_list_and_review_queue_say_how_a_call_comes_about(coordinator_client, db, factories):
    tomorrow = datetime.combine(now().date() + timedelta(days=1), time(10))
    assignment_at(db, factories, tomorrow, mode="video", address="", call_details="Link per E-Mail")
    factories.RequestFactory(status="review", mode="phone", address="", call_details="Die Kita ruft an")

    day = tomorrow.date().isoformat()
    day_list = coordinator_client.get(f"/koordination/einsaetze/tag?datum={day}").get_data(as_text=True)
    review = coordinator_client.get("/koordination/pruefung").get_data(as_text=True)

    assert "per Video (Link per E-Mail)" in day_list
    assert "am Telefon (Die Kita ruft an)" in review


def test_the_offer_for_a_call_tells_the_volunteer_how_it_comes_about(coordinator_client, db, factories):
    volunteer = factories.VolunteerFactory(remote=True)
    call = factories.RequestFactory(mode="phone", address="", call_details="Die Kita ruft Sie an")
    result, _page = _compute(coordinator_client, db)
    assert _proposed(result) == {str(call.id): str(volunteer.id)}

    run_id = fresh_read(db, lambda: db.exec(select(MatchingRun)).one().id)
    coordinator_client.post(f"/koordination/vorschlaege/{run_id}/anfragen/{call.id}")

    [offer_mail] = [m for m in mails(db) if m.recipient == volunteer.email]
    assert "am Telefon (Die Kita ruft Sie an), Einrichtung in Heinsberg" in offer_mail.body_text


def test_dashboard_counts_clearances_running_out_and_the_list_shows_expired_and_ending(
    coordinator_client, factories
):
    today = now().date()
    factories.VolunteerFactory(name="Amir Haddad", qualifications={"clearance": today - timedelta(days=2)})
    factories.VolunteerFactory(name="Olena Nowak", qualifications={"clearance": today + timedelta(days=20)})
    factories.VolunteerFactory(name="Lena Petrova", qualifications={"clearance": today + timedelta(weeks=9)})
    factories.VolunteerFactory(name="Karim Aziz", active=False, qualifications={"clearance": today})

    dashboard = coordinator_client.get("/koordination/").get_data(as_text=True)
    listing = coordinator_client.get("/koordination/sprachmittelnde/nachweise-ablauf").get_data(as_text=True)

    assert '<span class="figure">2</span> Führungszeugnisse laufen ab' in dashboard
    expired, ending = listing.split("<h2>Läuft in den nächsten 8 Wochen ab</h2>")
    assert "Amir Haddad" in expired and f"{today - timedelta(days=2):%d.%m.%Y}" in expired
    assert "Olena Nowak" in ending and "(noch 20 Tage)" in ending and "noch nicht verschickt" in ending
    assert "Lena Petrova" not in listing and "Karim Aziz" not in listing


def test_a_volunteer_whose_clearance_ran_out_shows_it_on_their_page(coordinator_client, factories):
    yesterday = now().date() - timedelta(days=1)
    amir = factories.VolunteerFactory(name="Amir Haddad", qualifications={"clearance": yesterday})
    olena = factories.VolunteerFactory(name="Olena Nowak", qualifications={"clearance": now().date()})

    expired = coordinator_client.get(f"/koordination/sprachmittelnde/{amir.id}").get_data(as_text=True)
    valid = coordinator_client.get(f"/koordination/sprachmittelnde/{olena.id}").get_data(as_text=True)

    assert f"Erweitertes Führungszeugnis abgelaufen am {yesterday:%d.%m.%Y}." in expired
    assert "abgelaufen am" not in valid
