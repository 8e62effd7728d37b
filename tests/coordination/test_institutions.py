"""The institutions register at /koordination/einrichtungen: search, verify, block, merge, and what intake makes of it."""

from __future__ import annotations

import re

import pytest
from sqlmodel import col, select

from sprachmittlerpool.models import AuditEvent, Institution, InterpretingRequest, Pool, RequestStatus
from sprachmittlerpool.services import institutions
from tests.intake.conftest import fresh, mails, payload

LIST = "/koordination/einrichtungen"


def detail(institution_id: int) -> str:
    return f"{LIST}/{institution_id}"


def submitted(client, db, **overrides) -> InterpretingRequest:
    """Send a request through the public API as an institution would and return the stored row."""
    response = client.post("/api/v1/requests", json=payload(**overrides))
    assert response.status_code == 201, response.get_json()
    return fresh(db).get(InterpretingRequest, int(response.get_json()["id"]))


def audit_of(db, institution_id: int) -> list[AuditEvent]:
    statement = (
        select(AuditEvent)
        .where(AuditEvent.entity == "institution", AuditEvent.entity_id == str(institution_id))
        .order_by(col(AuditEvent.id))
    )
    return list(fresh(db).exec(statement).all())


def visible_text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


# --- who may use it -----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login(client, factories):
    institution = factories.InstitutionFactory()

    answers = [
        client.get(LIST),
        client.get(detail(institution.id)),
        client.post(f"{detail(institution.id)}/sperren"),
    ]

    assert all(a.status_code == 302 and "/anmelden" in a.headers["Location"] for a in answers)


@pytest.mark.parametrize("coordinator_role", ["coordinator", "admin"])
def test_coordinators_and_admins_may_use_the_register(coordinator_client, factories, db):
    institution = factories.InstitutionFactory(name="Jugendamt Heinsberg", type="behoerde")

    listed = coordinator_client.get(LIST)
    verified = coordinator_client.post(f"{detail(institution.id)}/verifizieren")

    assert listed.status_code == 200 and "Jugendamt Heinsberg" in listed.get_data(as_text=True)
    assert verified.status_code == 302
    assert fresh(db).get(Institution, institution.id).verified_at is not None


def test_the_coordination_navigation_links_to_the_register(coordinator_client):
    page = coordinator_client.get("/koordination/").get_data(as_text=True)

    assert f'href="{LIST}">Einrichtungen</a>' in page


# --- list, search, filter -----------------------------------------------------------------------


def test_the_list_searches_name_and_email_and_counts_requests(coordinator_client, factories):
    kita = factories.InstitutionFactory(name="Kita Sonnenschein", email="leitung@sonne.example")
    factories.InstitutionFactory(name="Grundschule Am Park", type="schule", email="sekretariat@park.example")
    for _ in range(3):
        factories.RequestFactory(institution_id=kita.id)

    by_name = visible_text(
        coordinator_client.get(LIST, query_string={"suche": "sonnen"}).get_data(as_text=True)
    )
    by_email = visible_text(
        coordinator_client.get(LIST, query_string={"suche": "PARK.EX"}).get_data(as_text=True)
    )

    assert "Kita Sonnenschein" in by_name and "Grundschule Am Park" not in by_name
    assert re.search(r"Kita Sonnenschein .*? unverifiziert 3 ", by_name)
    assert "Grundschule Am Park" in by_email and "Kita Sonnenschein" not in by_email


def test_a_search_with_like_wildcards_finds_only_literal_text(coordinator_client, factories):
    factories.InstitutionFactory(name="Kita Sonnenschein")

    page = coordinator_client.get(LIST, query_string={"suche": "%"}).get_data(as_text=True)

    assert "Keine Einrichtung passt zu dieser Suche." in page


def test_the_list_filters_by_type_and_state(coordinator_client, factories, db):
    verified = factories.InstitutionFactory(name="Schule Verifiziert", type="schule")
    blocked = factories.InstitutionFactory(name="Beratung Gesperrt", type="beratungsstelle")
    factories.InstitutionFactory(name="Kita Neu")
    institutions.set_verified(db, verified, verified=True, now=verified.created_at, actor="t")
    institutions.set_blocked(db, blocked, blocked=True, now=blocked.created_at, actor="t")

    def names(**query) -> set[str]:
        page = coordinator_client.get(LIST, query_string=query).get_data(as_text=True)
        return {n for n in ("Schule Verifiziert", "Beratung Gesperrt", "Kita Neu") if n in page}

    assert names(status="verifiziert") == {"Schule Verifiziert"}
    assert names(status="gesperrt") == {"Beratung Gesperrt"}
    assert names(status="unverifiziert") == {"Kita Neu"}
    assert names(art="beratungsstelle") == {"Beratung Gesperrt"}
    assert names() == {"Schule Verifiziert", "Beratung Gesperrt", "Kita Neu"}


def test_the_list_is_paginated(coordinator_client, factories):
    for n in range(institutions.PAGE_SIZE + 2):
        factories.InstitutionFactory(name=f"Kita Nummer {n:02d}")

    first = coordinator_client.get(LIST).get_data(as_text=True)
    second = coordinator_client.get(LIST, query_string={"seite": "2"}).get_data(as_text=True)

    assert "Kita Nummer 00" in first and "Kita Nummer 26" not in first
    assert "Seite 1 von 2" in first and "Seite 2 von 2" in second
    assert "Kita Nummer 26" in second and "Kita Nummer 00" not in second


# --- detail and edit ----------------------------------------------------------------------------


def test_the_detail_lists_the_institutions_requests_with_date_language_and_german_status(
    coordinator_client, factories
):
    request = factories.RequestFactory(status=RequestStatus.CONFIRMED)

    page = coordinator_client.get(detail(request.institution_id)).get_data(as_text=True)

    assert request.start.strftime("%d.%m.%Y") in page
    assert "Ukrainisch" in page and "bestätigt" in page and "confirmed<" not in page


def test_editing_stores_the_fields_and_is_audited(coordinator_client, factories, db):
    institution = factories.InstitutionFactory()

    response = coordinator_client.post(
        detail(institution.id),
        data={
            "name": "Familienzentrum Nord",
            "type": "beratungsstelle",
            "email": "Info@FZ-Nord.example",
            "note": "Träger: AWO",
        },
    )

    stored = fresh(db).get(Institution, institution.id)
    assert response.status_code == 302
    assert (stored.name, stored.type, stored.email, stored.note) == (
        "Familienzentrum Nord", "beratungsstelle", "info@fz-nord.example", "Träger: AWO",
    )  # fmt: skip
    assert audit_of(db, institution.id)[-1].detail == {"fields": ["email", "name", "note", "type"]}


def test_editing_into_another_institutions_identity_asks_to_merge_instead(coordinator_client, factories, db):
    first = factories.InstitutionFactory()
    second = factories.InstitutionFactory()

    response = coordinator_client.post(
        detail(second.id), data={"name": first.name, "type": first.type, "email": first.email, "note": ""}
    )

    assert response.status_code == 422
    assert "Führen Sie die beiden bitte zusammen." in response.get_data(as_text=True)
    assert fresh(db).get(Institution, second.id).name == second.name


def test_editing_with_a_wrong_email_names_the_field(coordinator_client, factories):
    institution = factories.InstitutionFactory()

    response = coordinator_client.post(
        detail(institution.id), data={"name": "Kita", "type": "kita", "email": "kein-at", "note": ""}
    )

    assert response.status_code == 422
    assert 'id="email-error">Bitte geben Sie eine gültige E-Mail-Adresse an' in response.get_data(
        as_text=True
    )


# --- verify -------------------------------------------------------------------------------------


def test_verifying_asks_first_then_marks_and_audits_and_can_be_undone(coordinator_client, factories, db):
    institution = factories.InstitutionFactory(type="beratungsstelle")

    question = coordinator_client.get(f"{detail(institution.id)}/verifizieren").get_data(as_text=True)
    untouched = fresh(db).get(Institution, institution.id).verified_at
    coordinator_client.post(f"{detail(institution.id)}/verifizieren")
    verified = fresh(db).get(Institution, institution.id).verified_at
    coordinator_client.post(f"{detail(institution.id)}/verifizierung-aufheben")

    assert "Einrichtung als verifiziert markieren?" in question and untouched is None
    assert verified is not None
    assert fresh(db).get(Institution, institution.id).verified_at is None
    trail = audit_of(db, institution.id)
    assert [(e.action, e.from_state, e.to_state) for e in trail] == [
        ("verified", "unverifiziert", "verifiziert"),
        ("unverified", "verifiziert", "unverifiziert"),
    ]
    assert trail[0].actor.startswith("user:")


def test_an_unknown_action_is_not_found(coordinator_client, factories):
    institution = factories.InstitutionFactory()

    assert coordinator_client.post(f"{detail(institution.id)}/loeschen").status_code == 404


def test_another_pools_institution_is_not_found(coordinator_client, db):
    db.add(Pool(id=2, slug="zweiter", name="Zweiter Pool"))
    db.commit()
    other = Institution(pool_id=2, name="Kita anderswo", type="kita", email="a@b.example")
    db.add(other)
    db.commit()

    assert coordinator_client.get(detail(other.id)).status_code == 404
    assert coordinator_client.post(f"{detail(other.id)}/sperren").status_code == 404


# --- intake reads the register --------------------------------------------------------------------


def test_a_blocked_institution_is_refused_at_intake_with_the_rule_and_the_coordinator_sees_it(
    client, coordinator_client, db
):
    first = submitted(client, db)
    coordinator_client.post(f"{detail(first.institution_id)}/sperren")

    refused = submitted(client, db, topic="Elternabend")

    assert refused.status == RequestStatus.REJECTED
    assert [r["rule"] for r in refused.reasons] == ["pool.institution_blocked"]
    assert "gesperrt" in refused.reasons[0]["message"]
    assert mails(db, refused.contact_email)[-1].subject.startswith("Ihre Anfrage")
    assert "gesperrt" in mails(db, refused.contact_email)[-1].body_text
    page = coordinator_client.get(detail(first.institution_id)).get_data(as_text=True)
    assert "abgelehnt" in page and "Die Koordination hat die Einrichtung gesperrt." in page


def test_unblocking_lets_the_next_request_through(client, coordinator_client, db):
    first = submitted(client, db)
    coordinator_client.post(f"{detail(first.institution_id)}/sperren")
    coordinator_client.post(f"{detail(first.institution_id)}/entsperren")

    assert submitted(client, db, topic="Elternabend").status == RequestStatus.OPEN


def test_a_new_counselling_centre_goes_to_review_with_the_reason_in_german(client, coordinator_client, db):
    request = submitted(
        client, db, institution_name="Familienberatung Nord", institution_type="beratungsstelle"
    )

    page = visible_text(coordinator_client.get("/koordination/pruefung").get_data(as_text=True))

    assert request.status == RequestStatus.REVIEW
    assert [r["rule"] for r in request.reasons] == ["pool.institution_unverified"]
    assert "Ihre Einrichtung ist beim Sprachmittlerpool noch nicht bestätigt." in page
    assert "Familienberatung Nord" in page and "unverifiziert" in page


def test_a_verified_counselling_centre_goes_straight_to_open(client, coordinator_client, db):
    first = submitted(
        client, db, institution_name="Familienberatung Nord", institution_type="beratungsstelle"
    )
    coordinator_client.post(f"{detail(first.institution_id)}/verifizieren")

    second = submitted(
        client,
        db,
        institution_name="Familienberatung Nord",
        institution_type="beratungsstelle",
        topic="Elternabend",
    )

    assert second.status == RequestStatus.OPEN and second.reasons == []


def test_a_new_school_is_open_without_verification(client, db):
    request = submitted(client, db, institution_name="Grundschule Am Park", institution_type="schule")

    assert request.status == RequestStatus.OPEN


def test_the_public_rules_page_lists_the_institution_rules_by_title(client):
    page = client.get("/regeln").get_data(as_text=True)

    assert "Anfragen gesperrter Einrichtungen" in page
    assert "Erste Anfragen noch nicht bestätigter Einrichtungen" in page


# --- merge --------------------------------------------------------------------------------------


def test_merging_asks_first_then_moves_the_requests_removes_the_duplicate_and_audits_both_ids(
    coordinator_client, factories, db
):
    keep = factories.InstitutionFactory(name="Kita Regenbogen")
    duplicate = factories.InstitutionFactory(name="Kita Regenbogen (alt)")
    factories.RequestFactory(institution_id=keep.id)
    moved = [factories.RequestFactory(institution_id=duplicate.id).id for _ in range(2)]
    keep_id, duplicate_id = keep.id, duplicate.id
    form = {"other": str(duplicate_id), "keep": "this"}

    question = coordinator_client.post(f"{detail(keep_id)}/zusammenfuehren", data=form)
    still_there = fresh(db).get(Institution, duplicate_id) is not None
    done = coordinator_client.post(f"{detail(keep_id)}/zusammenfuehren", data=form | {"confirmed": "1"})

    assert question.status_code == 200 and "Einrichtungen zusammenführen?" in question.get_data(as_text=True)
    assert still_there
    assert done.status_code == 302 and done.headers["Location"].endswith(detail(keep_id))
    assert fresh(db).get(Institution, duplicate_id) is None
    assert {fresh(db).get(InterpretingRequest, i).institution_id for i in moved} == {keep_id}
    listed = visible_text(coordinator_client.get(LIST).get_data(as_text=True))
    assert re.search(r"Kita Regenbogen .*? unverifiziert 3 ", listed) and "(alt)" not in listed
    detail_expected = {"kept": keep_id, "removed": duplicate_id, "requests_moved": 2}
    assert audit_of(db, keep_id)[-1].detail == detail_expected
    assert audit_of(db, duplicate_id)[-1].detail == detail_expected


def test_merging_may_keep_the_other_institution(coordinator_client, factories, db):
    this = factories.InstitutionFactory()
    other = factories.InstitutionFactory()
    this_id, other_id = this.id, other.id
    request_id = factories.RequestFactory(institution_id=this_id).id

    coordinator_client.post(
        f"{detail(this_id)}/zusammenfuehren", data={"other": str(other_id), "keep": "other", "confirmed": "1"}
    )

    assert fresh(db).get(Institution, this_id) is None
    assert fresh(db).get(InterpretingRequest, request_id).institution_id == other_id


def test_merging_into_itself_is_refused(coordinator_client, factories, db):
    institution = factories.InstitutionFactory()

    response = coordinator_client.post(
        f"{detail(institution.id)}/zusammenfuehren",
        data={"other": str(institution.id), "confirmed": "1"},
        follow_redirects=True,
    )

    assert "Bitte wählen Sie eine andere Einrichtung" in response.get_data(as_text=True)
    assert fresh(db).get(Institution, institution.id) is not None
    with pytest.raises(institutions.MergeRefused, match="mit sich selbst"):
        institutions.merge(db, keep=institution, duplicate=institution, actor="t")


def test_merging_across_pools_is_refused(coordinator_client, factories, db):
    db.add(Pool(id=2, slug="zweiter", name="Zweiter Pool"))
    db.commit()
    ours = factories.InstitutionFactory()
    theirs = Institution(pool_id=2, name="Kita anderswo", type="kita", email="a@b.example")
    db.add(theirs)
    db.commit()

    response = coordinator_client.post(
        f"{detail(ours.id)}/zusammenfuehren", data={"other": str(theirs.id), "confirmed": "1"}
    )

    assert response.status_code == 404
    with pytest.raises(institutions.MergeRefused, match="verschiedener Pools"):
        institutions.merge(db, keep=ours, duplicate=theirs, actor="t")
    assert (
        fresh(db).get(Institution, theirs.id) is not None and fresh(db).get(Institution, ours.id) is not None
    )
