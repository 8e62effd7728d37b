"""District rules: an admin tightens or relaxes a state default, relaxing needs a confirmation, all is audited."""

from __future__ import annotations

import re

import pytest
from sqlmodel import col, select

from matching.effective_rules import OVERRIDABLE, state_document
from sprachmittlerpool.models import InterpretingRequest, Pool
from tests.factories import FIRST_POOL
from tests.intake.test_form import form_data
from tests.settings.conftest import audit_rows
from tests.settings.test_calendar import text_of


@pytest.fixture
def coordinator_role() -> str:
    """Log in as an admin: the settings are theirs."""
    return "admin"


INTERNAL = re.compile(r"legal\.|private\.|pool\.|\bmedical\b|\breject\b|\breview\b")


def current_choices(**changes: str) -> dict[str, str]:
    """Return the page's form as sent without changes (the state's defaults), with some rules changed."""
    return {rule_id: state_document()["rules"][rule_id]["effect"] for rule_id in OVERRIDABLE} | changes


def submitted(client, db, key: str, **overrides) -> InterpretingRequest:
    client.post("/anfrage", data=form_data(idempotency_key=key, **overrides))
    db.rollback()
    return db.exec(select(InterpretingRequest).order_by(col(InterpretingRequest.id).desc())).first()


def test_the_page_shows_each_rule_by_its_german_title_and_no_internal_code(coordinator_client):
    page = coordinator_client.get("/einstellungen/regeln").get_data(as_text=True)

    visible = text_of(page)
    assert "Termine bei Gerichten" in visible and "Termine im medizinischen Bereich" in visible
    assert "ablehnen" in visible and "im Einzelfall prüfen" in visible
    assert not INTERNAL.search(visible), INTERNAL.search(visible)


def test_relaxing_a_state_rule_asks_for_confirmation_naming_the_state_funds_and_stores_nothing_before(
    coordinator_client, db
):
    response = coordinator_client.post("/einstellungen/regeln", data=current_choices(medical="review"))

    page = text_of(response.get_data(as_text=True))
    assert response.status_code == 200 and "Landesregel lockern?" in page
    assert "decken die Landesmittel möglicherweise nicht" in page
    assert "Termine im medizinischen Bereich: ablehnen → im Einzelfall prüfen" in page
    db.rollback()
    assert db.get(Pool, FIRST_POOL).rule_overrides == {}
    assert audit_rows(db, "pool", "rule_changed") == []


def test_a_relaxed_rule_sends_a_formerly_rejected_request_to_review_then_open_with_audit_rows_naming_the_admin(
    client, coordinator_client, coordinator, db
):
    before = submitted(client, db, "k1", appointment_type="arzt")

    coordinator_client.post(
        "/einstellungen/regeln", data=current_choices(medical="review") | {"confirmed": "1"}
    )
    reviewed = submitted(client, db, "k2", appointment_type="arzt")
    coordinator_client.post("/einstellungen/regeln", data=current_choices(medical="off") | {"confirmed": "1"})
    opened = submitted(client, db, "k3", appointment_type="arzt")

    assert [before.status, reviewed.status, opened.status] == ["rejected", "review", "open"]
    assert "nur nach Prüfung im Einzelfall" in reviewed.reasons[0]["message"]
    rows = audit_rows(db, "pool", "rule_changed")
    assert [(row.actor, row.detail["rule"], row.from_state, row.to_state) for row in rows] == [
        (f"user:{coordinator.id}", "medical", "reject", "review"),
        (f"user:{coordinator.id}", "medical", "review", "off"),
    ]
    history = text_of(coordinator_client.get("/einstellungen/regeln").get_data(as_text=True))
    assert "Kim Koordination" in history
    assert "Termine im medizinischen Bereich: im Einzelfall prüfen → vermitteln (Regel gilt nicht)" in history


def test_tightening_needs_no_confirmation_and_rejects_with_a_refusing_message(client, coordinator_client, db):
    response = coordinator_client.post(
        "/einstellungen/regeln",
        data=current_choices(**{"pool.institution_unclear": "reject"}),
        follow_redirects=True,
    )

    request = submitted(client, db, "k1", institution_type="sonstige_oeffentliche_stelle")
    assert "1 Regeln geändert" in response.get_data(as_text=True)
    assert request.status == "rejected"
    assert "vermittelt der Sprachmittlerpool nicht" in request.reasons[0]["message"]


def test_an_unknown_choice_is_refused_at_its_field(coordinator_client, db):
    response = coordinator_client.post("/einstellungen/regeln", data=current_choices(medical="vielleicht"))

    assert response.status_code == 422 and "Bitte wählen Sie eine der Möglichkeiten." in response.get_data(
        as_text=True
    )
    db.rollback()
    assert db.get(Pool, FIRST_POOL).rule_overrides == {}


def test_the_public_rules_page_follows_the_pools_choices_without_internal_codes(client, coordinator_client):
    before = text_of(client.get("/regeln").get_data(as_text=True))
    coordinator_client.post(
        "/einstellungen/regeln",
        data=current_choices(medical="off", **{"legal.police": "review"}) | {"confirmed": "1"},
    )
    coordinator_client.post(
        "/einstellungen/kalender/grenzen", data={"lead_working_days": "3", "max_duration_minutes": "120"}
    )

    after = text_of(client.get("/regeln").get_data(as_text=True))

    def sections(text: str) -> tuple[str, str]:
        refused, checked = text.split("Was wir nicht vermitteln")[1].split("Was wir im Einzelfall prüfen")
        return refused, checked

    assert "Termine im medizinischen Bereich" in sections(before)[0]
    refused, checked = sections(after)
    assert "Termine im medizinischen Bereich" not in refused + checked
    assert (
        "Abweichend von den Vorgaben des Landes vermittelt dieser Pool auch: Termine im medizinischen Bereich."
        in after
    )
    assert "Termine bei der Polizei" in checked and "Termine bei der Polizei" not in refused
    assert "Bitte fragen Sie mindestens 3 Werktage vor dem Termin an" in after
    assert "Ein Einsatz dauert höchstens 2 Stunden;" in after
    assert not INTERNAL.search(after), INTERNAL.search(after)


def test_the_form_links_the_public_rules_page(client):
    page = client.get("/anfrage").get_data(as_text=True)

    assert 'href="/regeln"' in page
