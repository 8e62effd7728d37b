"""XSS and SQL payloads typed into the settings' free text (tariff name, closure note) are stored verbatim and shown escaped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from sprachmittlerpool.models import PoolClosure, Tariff, local_now
from sprachmittlerpool.tariff import HEINSBERG
from sprachmittlerpool.tariff_form import form_values
from tests.hardening.payloads import PAYLOADS, assert_shown_escaped, assert_tables_intact


@pytest.fixture
def coordinator_role() -> str:
    """Log in as an admin: the settings are theirs."""
    return "admin"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_closure_note_is_shown_escaped_to_admins_and_to_the_public(
    app, client, coordinator_client, db, payload
):
    first = local_now().date() + timedelta(days=20)

    coordinator_client.post(
        "/einstellungen/kalender/schliesstage", data={"first": first.isoformat(), "note": payload}
    )

    db.rollback()
    assert db.exec(select(PoolClosure.note)).one() == payload.strip()
    pages = {
        "settings": coordinator_client.get(f"/einstellungen/kalender?jahr={first.year}"),
        "rules": client.get("/regeln"),
        "form": client.get("/anfrage"),
    }
    for where, response in pages.items():
        assert_shown_escaped(response.get_data(as_text=True), payload.strip(), where)
    assert_tables_intact(app)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_tariff_name_is_shown_escaped_on_the_confirmation_and_the_list(
    app, coordinator_client, db, payload
):
    values = form_values(HEINSBERG, name=payload, valid_from="2030-01-01")

    confirm = coordinator_client.post("/einstellungen/tarife", data=values | {"step": "check"})
    coordinator_client.post("/einstellungen/tarife/speichern", data=values)

    db.rollback()
    stored = db.exec(select(Tariff.name).where(Tariff.valid_from > HEINSBERG.valid_from)).one()
    assert stored == payload.strip()
    assert_shown_escaped(confirm.get_data(as_text=True), payload.strip(), "confirmation")
    assert_shown_escaped(
        coordinator_client.get("/einstellungen/tarife").get_data(as_text=True), payload.strip(), "list"
    )
    assert_tables_intact(app)
