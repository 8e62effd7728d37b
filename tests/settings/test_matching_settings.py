"""Matching settings: an admin chooses the qualifications each institution type requires and the calls brokered."""

from __future__ import annotations

import pytest

from sprachmittlerpool.models import Pool
from tests.coordination.helpers import fresh_read
from tests.factories import FIRST_POOL
from tests.settings.conftest import audit_rows
from tests.settings.test_calendar import text_of


@pytest.fixture
def coordinator_role() -> str:
    """Log in as an admin: the settings are theirs."""
    return "admin"


def test_the_page_shows_the_defaults_in_german_without_codes(coordinator_client):
    page = coordinator_client.get("/einstellungen/nachweise").get_data(as_text=True)

    visible = text_of(page)
    assert "Erweitertes Führungszeugnis" in visible and "Kindertageseinrichtung (Kita)" in visible
    assert "Termine am Telefon vermitteln" in visible
    assert "clearance" not in visible and "in_person" not in visible
    assert (
        'name="require-kita" value="clearance" aria-label="Kindertageseinrichtung (Kita): Erweitertes Führungszeugnis" checked'
        in page
    )
    assert (
        'name="require-behoerde" value="clearance" aria-label="Behörde: Erweitertes Führungszeugnis">' in page
    )
    assert 'name="remote_modes" value="phone">' in page


def test_saving_changes_the_pool_and_keeps_a_history(coordinator_client, db):
    form = {
        "remote_modes": ["phone"],
        "require-all": ["trained"],
        "require-beratungsstelle": ["clearance", "exchange"],
    }

    response = coordinator_client.post("/einstellungen/nachweise", data=form, follow_redirects=True)

    assert "Gespeichert." in response.get_data(as_text=True)
    pool = fresh_read(db, lambda: db.get(Pool, FIRST_POOL, populate_existing=True))
    assert pool.remote_modes == ["phone"]
    assert pool.required_qualifications == {"all": ["trained"], "beratungsstelle": ["clearance", "exchange"]}
    [row] = audit_rows(db, "pool", action="matching_settings_changed")
    assert row.detail["after"]["remote_modes"] == ["phone"]
    page = text_of(response.get_data(as_text=True))
    assert "Telefon/Video: am Telefon. Verlangte Nachweise – alle: Grundschulung; Beratungsstelle: " in page


def test_saving_the_same_again_changes_nothing(coordinator_client, db):
    form = {
        "require-all": ["trained", "confidentiality"],
        "require-kita": ["clearance"],
        "require-schule": ["clearance"],
    }

    response = coordinator_client.post("/einstellungen/nachweise", data=form, follow_redirects=True)

    assert "Nichts geändert." in response.get_data(as_text=True)
    assert audit_rows(db, "pool", action="matching_settings_changed") == []


@pytest.mark.parametrize("coordinator_role", ["coordinator"])
def test_a_coordinator_is_refused_and_nothing_changes(coordinator_client, db):
    assert coordinator_client.get("/einstellungen/nachweise").status_code == 403
    response = coordinator_client.post("/einstellungen/nachweise", data={"remote_modes": ["phone"]})

    assert response.status_code == 403
    assert fresh_read(db, lambda: db.get(Pool, FIRST_POOL, populate_existing=True).remote_modes) == []


def test_the_clearance_notice_is_saved_in_weeks_and_shown_in_the_history(coordinator_client, db):
    form = {"require-all": ["trained", "confidentiality"], "require-kita": ["clearance"]}
    form |= {"require-schule": ["clearance"], "clearance_notice_weeks": "12"}

    response = coordinator_client.post("/einstellungen/nachweise", data=form, follow_redirects=True)

    assert "Gespeichert." in response.get_data(as_text=True)
    assert (
        fresh_read(db, lambda: db.get(Pool, FIRST_POOL, populate_existing=True).clearance_notice_weeks) == 12
    )
    assert "Ablaufende Führungszeugnisse 12 Wochen vorher ankündigen." in text_of(
        response.get_data(as_text=True)
    )
    assert (
        'name="clearance_notice_weeks" type="number" min="1" max="52" step="1" inputmode="numeric" value="12"'
        in (response.get_data(as_text=True))
    )


@pytest.mark.parametrize("weeks", ["0", "53", "acht", "2,5", ""])
def test_a_notice_outside_one_to_52_weeks_is_refused_next_to_the_field(coordinator_client, db, weeks):
    response = coordinator_client.post(
        "/einstellungen/nachweise", data={"remote_modes": ["phone"], "clearance_notice_weeks": weeks}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Bitte eine ganze Zahl von 1 bis 52 Wochen angeben." in page
    assert f'value="{weeks}" aria-invalid="true"' in page
    pool = fresh_read(db, lambda: db.get(Pool, FIRST_POOL, populate_existing=True))
    assert (pool.clearance_notice_weeks, pool.remote_modes) == (8, [])
