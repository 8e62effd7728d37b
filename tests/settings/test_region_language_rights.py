"""The region and languages settings are the admins': a coordinator is refused (403) and changes nothing."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlmodel import func, select

from sprachmittlerpool.models import AuditEvent, Language, Municipality
from tests.factories import FIRST_POOL

PAGES = [
    ("GET", "/einstellungen/region"),
    ("POST", "/einstellungen/region/vorschau"),
    ("POST", "/einstellungen/region/uebernehmen"),
    ("GET", "/einstellungen/sprachen"),
    ("POST", "/einstellungen/sprachen"),
    ("POST", "/einstellungen/sprachen/<code>/name"),
    ("POST", "/einstellungen/sprachen/<code>/angebot"),
]
FORM = {
    "shipped": "kreis-kleve",
    "code": "ar-lev",
    "name": "Arabisch (Levante)",
    "retire": "1",
    "confirmed": "1",
}


def test_every_route_of_these_areas_is_listed_here(app: Flask) -> None:
    mine = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[-1].startswith(("region", "language"))
        and rule.endpoint.startswith("settings.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }

    assert mine == set(PAGES)


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_a_coordinator_is_refused_and_nothing_changes(coordinator_client, db, method, path) -> None:
    response = coordinator_client.open(
        path.replace("<code>", "uk"), method=method, data=FORM if method == "POST" else None
    )

    assert response.status_code == 403
    db.rollback()
    retired = select(func.count()).select_from(Language).where(Language.retired_at.is_not(None))
    assert db.exec(retired).one() == 0
    assert db.get(Language, (FIRST_POOL, "uk")).name_de == "Ukrainisch"
    assert db.exec(select(func.count()).select_from(Municipality)).one() == 10
    assert db.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.entity != "user")).one() == 0
