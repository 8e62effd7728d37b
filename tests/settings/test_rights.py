"""Tariffs, closure days, limits and rules are the admins': a coordinator is refused (403) and changes nothing."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlmodel import func, select

from sprachmittlerpool.models import AuditEvent, Pool, PoolClosure, Tariff
from tests.factories import FIRST_POOL

PAGES = [
    ("GET", "/einstellungen/tarife"),
    ("GET", "/einstellungen/tarife/vorschau"),
    ("POST", "/einstellungen/tarife"),
    ("POST", "/einstellungen/tarife/speichern"),
    ("GET", "/einstellungen/kalender"),
    ("POST", "/einstellungen/kalender/grenzen"),
    ("POST", "/einstellungen/kalender/schliesstage"),
    ("POST", "/einstellungen/kalender/schliesstage/entfernen"),
    ("GET", "/einstellungen/regeln"),
    ("POST", "/einstellungen/regeln"),
]
FORM = {
    "name": "Billig",
    "valid_from": "2030-01-01",
    "kind": "flat",
    "flat_amount": "1,00",
    "travel_mode": "included",
    "cancellation": "base",
    "first": "2030-01-01",
    "lead_working_days": "0",
    "medical": "off",
    "confirmed": "1",
}


@pytest.fixture
def coordinator_role() -> str:
    """Log in as a coordinator, who does the pool's work but not its settings."""
    return "coordinator"


def test_every_route_of_these_areas_is_listed_here(app: Flask):
    mine = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[-1].startswith(("tariff", "calendar", "closure", "rules"))
        and rule.endpoint.startswith("settings.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }

    assert mine == set(PAGES)


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_a_coordinator_is_refused_and_nothing_changes(coordinator_client, db, method, path):
    response = coordinator_client.open(path, method=method, data=FORM if method == "POST" else None)

    assert response.status_code == 403
    assert "Keine Berechtigung" in response.get_data(as_text=True)
    db.rollback()
    assert db.exec(select(func.count()).select_from(Tariff)).one() == 0
    assert db.exec(select(func.count()).select_from(PoolClosure)).one() == 0
    pool = db.get(Pool, FIRST_POOL)
    assert pool.lead_working_days is None and pool.rule_overrides == {}
    assert db.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.entity != "user")).one() == 0


def test_the_public_rules_page_needs_no_login(client):
    assert client.get("/regeln").status_code == 200
