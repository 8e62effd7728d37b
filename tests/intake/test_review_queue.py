"""The coordinators' review queue at /koordination/pruefung."""

from __future__ import annotations

from sprachmittlerpool.models import InterpretingRequest, RequestStatus
from tests.confirm import CONFIRMED
from tests.intake.conftest import mails, payload


def _submit(client, **overrides) -> int:
    return int(client.post("/api/v1/requests", json=payload(**overrides)).get_json()["id"])


def test_the_queue_needs_a_login(client):
    response = client.get("/koordination/pruefung")

    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]


def test_the_queue_lists_reviews_urgent_first_with_the_triggering_words_marked(
    client, coordinator_client, factories
):
    _submit(client, topic="Gespräch über die Anhörung beim BAMF")
    urgent = factories.RequestFactory(
        status=RequestStatus.REVIEW,
        urgent=True,
        topic="Elternabend",
        reasons=[
            {"rule": "pool.short_notice", "message": "Kurzfristig.", "effect": "review", "triggers": []}
        ],
    )
    _submit(client)  # open: not in the queue

    page = coordinator_client.get("/koordination/pruefung").get_data(as_text=True)

    assert page.count('class="card review-item"') == 2
    assert page.index(f'id="anfrage-{urgent.id}"') < page.index('id="anfrage-1"')
    assert 'class="badge badge-urgent"' in page
    assert (
        'Gespräch über die <mark class="trigger">Anhörung</mark> beim <mark class="trigger">BAMF</mark>'
        in page
    )


def test_the_queue_names_each_reason_by_its_rule_title_never_by_its_id(coordinator_client, factories):
    factories.RequestFactory(
        status=RequestStatus.REVIEW,
        reasons=[
            {"rule": "pool.short_notice", "message": "Kurzfristig.", "effect": "review", "triggers": []},
            {"rule": "pool.no_such_rule", "message": "Ein alter Grund.", "effect": "review", "triggers": []},
        ],
    )

    page = coordinator_client.get("/koordination/pruefung").get_data(as_text=True)

    assert "pool.short_notice" not in page and "pool.no_such_rule" not in page
    assert ": Kurzfristig." in page and "Ein alter Grund." in page


def test_accepting_in_the_queue_opens_the_request_and_mails_the_requester(client, coordinator_client, db):
    request_id = _submit(client, topic="Vaterschaft klären")

    response = coordinator_client.post(
        f"/koordination/pruefung/{request_id}", data={"decision": "accept", "note": ""}, follow_redirects=True
    )

    assert "Die Anfrage ist angenommen" in response.get_data(as_text=True)
    assert db.get(InterpretingRequest, request_id).status == RequestStatus.OPEN
    assert mails(db)[-1].subject == "Ihre Anfrage für eine Sprachmittlung wurde angenommen"


def test_rejecting_in_the_queue_ends_the_request_and_mails_the_reasons_and_note(
    client, coordinator_client, db
):
    request_id = _submit(client, topic="Vaterschaft klären")

    coordinator_client.post(
        f"/koordination/pruefung/{request_id}",
        data={"decision": "reject", "note": "Bitte Notariat fragen.", **CONFIRMED},
    )

    assert db.get(InterpretingRequest, request_id).status == RequestStatus.REJECTED
    mail = mails(db)[-1]
    assert "Bitte Notariat fragen." in mail.body_text
    assert "Vaterschaftsanerkennungen und Sorgeerklärungen: " in mail.body_text


def test_a_decided_request_cannot_be_decided_again(client, coordinator_client, db):
    request_id = _submit(client, topic="Vaterschaft klären")
    coordinator_client.post(f"/koordination/pruefung/{request_id}", data={"decision": "accept"})

    response = coordinator_client.post(
        f"/koordination/pruefung/{request_id}",
        data={"decision": "reject", **CONFIRMED},
        follow_redirects=True,
    )

    assert "schon entschieden" in response.get_data(as_text=True)
    assert db.get(InterpretingRequest, request_id).status == RequestStatus.OPEN
