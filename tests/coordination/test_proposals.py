"""Proposals as coordinators see them: the page, the API, the command, and who may use them."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from sprachmittlerpool.cli.match import match
from sprachmittlerpool.models import ApiToken, InterpretingRequest, MatchingRun, Offer, OutboxMail
from sprachmittlerpool.security import new_token, token_hash


@pytest.fixture
def bearer(db, coordinator) -> dict[str, str]:
    """Return an Authorization header with a fresh API token of the coordinator."""
    token = new_token()
    db.add(ApiToken(user_id=coordinator.id, token_hash=token_hash(token)))
    db.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def small_pool(factories):
    """Two Ukrainian speakers, one near the request, and a Tigrinya request nobody can take."""
    near = factories.VolunteerFactory(name="Olena Nah", home_id="heinsberg")
    far = factories.VolunteerFactory(name="Iryna Fern", home_id="erkelenz")
    placed = factories.RequestFactory(municipality_id="heinsberg", urgent=True)
    nobody = factories.RequestFactory(language_code="ti")
    return {"near": near, "far": far, "placed": placed, "nobody": nobody}


PAGES = [
    ("get", "/koordination/"),
    ("get", "/koordination/vorschlaege"),
    ("post", "/koordination/vorschlaege"),
    ("post", "/koordination/vorschlaege/1/anfragen/1"),
    ("post", "/koordination/vorschlaege/1/alle"),
    ("get", "/koordination/anfragen/1/kandidaten"),
    ("post", "/koordination/anfragen/1/kandidaten"),
]


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_anonymous_visitors_are_sent_to_login(client, method, path):
    response = getattr(client, method)(path)

    assert response.status_code == 302
    assert "/anmelden" in response.headers["Location"]


def test_proposals_api_answers_401_without_a_token(client, small_pool, db):
    response = client.post("/api/v1/matching/proposals")

    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert db.exec(select(MatchingRun)).first() is None


def test_proposals_api_proposes_the_nearest_and_says_why_nobody_takes_the_other(client, bearer, small_pool):
    response = client.post("/api/v1/matching/proposals", headers=bearer)

    assert response.status_code == 200
    body = response.get_json()
    assert body["proposals"] == [
        {"request": str(small_pool["placed"].id), "volunteer": str(small_pool["near"].id), "distance_km": 0.0}
    ]
    assert body["unassigned"] == [{"request": str(small_pool["nobody"].id), "reason": "no_language"}]


def test_proposals_api_is_described_in_openapi(client):
    document = client.get("/api/v1/openapi.json").get_json()

    operation = document["paths"]["/api/v1/matching/proposals"]["post"]
    assert set(operation["responses"]) >= {"200", "401"}
    assert "Proposals" in document["components"]["schemas"]


def test_dashboard_lists_open_requests_and_offers_to_compute_with_progress(coordinator_client, small_pool):
    page = coordinator_client.get("/koordination/").get_data(as_text=True)

    assert "Ukrainisch" in page and "Tigrinya" in page
    assert "dringend" in page
    assert "Vorschläge berechnen" in page
    assert "<progress" in page and "Berechnung läuft" in page
    assert "progress.js" in page and "<script>" not in page
    assert "nicht besetzte Anfragen" in page and "fehlgeschlagene E-Mails" in page


def test_candidates_page_of_a_request_no_longer_open_offers_nobody(coordinator_client, factories):
    factories.VolunteerFactory()
    offered = factories.RequestFactory(status="offered")

    page = coordinator_client.get(f"/koordination/anfragen/{offered.id}/kandidaten").get_data(as_text=True)

    assert "nicht mehr offen" in page and "Angebot senden" not in page


def test_proposals_page_shows_each_proposal_with_its_reasons_and_each_unplaced_request(
    coordinator_client, small_pool
):
    computed = coordinator_client.post("/koordination/vorschlaege")
    page = coordinator_client.get("/koordination/vorschlaege").get_data(as_text=True)

    assert computed.status_code == 302 and computed.headers["Location"].endswith("/koordination/vorschlaege")
    assert "Olena Nah" in page and "Iryna Fern" not in page
    assert "spricht Ukrainisch" in page and "0,0 km entfernt" in page
    assert "Auslastung: 0 in den letzten 90 Tagen, 1 neu" in page
    assert "Niemand im Pool spricht diese Sprache." in page
    assert "nachweislich beste Zuteilung" in page
    assert "/koordination/vorschlaege/" in page and "/alle" in page


def test_proposals_page_before_any_run_invites_to_compute(coordinator_client):
    page = coordinator_client.get("/koordination/vorschlaege").get_data(as_text=True)

    assert "noch keine Vorschläge" in page and "Vorschläge berechnen" in page


def test_candidates_page_ranks_the_nearest_first(coordinator_client, small_pool):
    page = coordinator_client.get(f"/koordination/anfragen/{small_pool['placed'].id}/kandidaten").get_data(
        as_text=True
    )

    assert page.index("Olena Nah") < page.index("Iryna Fern")
    assert "Angebot senden" in page


def test_candidates_page_refuses_someone_who_cannot_take_the_request(
    coordinator_client, small_pool, factories
):
    stranger = factories.VolunteerFactory(languages=["ar"])

    response = coordinator_client.post(
        f"/koordination/anfragen/{small_pool['placed'].id}/kandidaten",
        data={"volunteer_id": stranger.id},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert "kann die Anfrage nicht übernehmen" in response.get_data(as_text=True)


def test_unknown_run_or_request_answers_404(coordinator_client):
    assert coordinator_client.post("/koordination/vorschlaege/999/alle").status_code == 404
    assert coordinator_client.get("/koordination/anfragen/999/kandidaten").status_code == 404


def test_match_solve_prints_progress_and_a_table(app, small_pool):
    result = app.test_cli_runner().invoke(args=["match", "solve", "--time-limit", "5"])

    assert result.exit_code == 0, result.output
    assert "Offene Anfragen und Sprachmittelnde werden gelesen" in result.output
    assert "Stufe 1 von 4 fertig – Besetzung: 2 Punkte (dringende Anfragen zählen doppelt)" in result.output
    assert "Stufe 3 von 4 fertig – Wege zusammen: 0,0 km" in result.output
    assert "Stufe 4 von 4 fertig" in result.output and "Fertig in" in result.output
    assert "Olena Nah" in result.output
    assert "Niemand im Pool spricht diese Sprache." in result.output
    assert "no_language" not in result.output  # a coordinator reads words, not the engine's codes


def test_match_solve_json_keeps_stdout_parseable(app, small_pool):
    result = app.test_cli_runner().invoke(match, ["solve", "--json"])

    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["proposals"][0]["volunteer"] == str(small_pool["near"].id)
    assert body["unassigned"] == [{"request": str(small_pool["nobody"].id), "reason": "no_language"}]
    assert "werden gelesen" in result.stderr


def _offers(db) -> list[Offer]:
    db.rollback()  # end the test's read snapshot so the app's commits are visible
    return list(db.exec(select(Offer)).all())


def test_confirming_one_proposal_sends_its_offer(coordinator_client, small_pool, db):
    coordinator_client.post("/koordination/vorschlaege")
    run = db.exec(select(MatchingRun)).one()

    response = coordinator_client.post(
        f"/koordination/vorschlaege/{run.id}/anfragen/{small_pool['placed'].id}", follow_redirects=True
    )

    assert response.status_code == 200
    assert [(o.request_id, o.volunteer_id, o.status) for o in _offers(db)] == [
        (small_pool["placed"].id, small_pool["near"].id, "pending")
    ]
    assert db.get(InterpretingRequest, small_pool["placed"].id).status == "offered"
    assert (
        db.exec(select(OutboxMail).where(OutboxMail.recipient == small_pool["near"].email)).first()
        is not None
    )
    assert f"Angebot an {small_pool['near'].name} gesendet." in response.get_data(as_text=True)


def test_confirming_all_reports_a_conflict_per_request_instead_of_failing(coordinator_client, small_pool, db):
    coordinator_client.post("/koordination/vorschlaege")
    run = db.exec(select(MatchingRun)).one()
    coordinator_client.post(f"/koordination/vorschlaege/{run.id}/anfragen/{small_pool['placed'].id}")

    response = coordinator_client.post(f"/koordination/vorschlaege/{run.id}/alle", follow_redirects=True)

    assert response.status_code == 200
    assert f"Anfrage {small_pool['placed'].id}: nicht gesendet" in response.get_data(as_text=True)
    assert len(_offers(db)) == 1


def test_picking_another_ranked_person_sends_the_offer_to_them(coordinator_client, small_pool, db):
    response = coordinator_client.post(
        f"/koordination/anfragen/{small_pool['placed'].id}/kandidaten",
        data={"volunteer_id": small_pool["far"].id},
    )

    assert response.status_code == 302
    assert [(o.request_id, o.volunteer_id) for o in _offers(db)] == [
        (small_pool["placed"].id, small_pool["far"].id)
    ]
