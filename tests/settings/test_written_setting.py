"""The pool's setting for written translations: on the calls page, off by default, audited like the others."""

from __future__ import annotations

import pytest
from sqlmodel import select

from sprachmittlerpool.models import AuditEvent, Pool
from tests.factories import FIRST_POOL
from tests.intake.conftest import fresh


@pytest.fixture
def coordinator_role() -> str:
    """Log in as an admin: the settings are theirs."""
    return "admin"


def test_the_setting_is_off_by_default(db):
    assert db.get(Pool, FIRST_POOL).brokers_written is False


def test_the_setting_is_saved_on_the_settings_page_and_audited(coordinator_client, db):
    page = coordinator_client.get("/einstellungen/nachweise").get_data(as_text=True)
    assert "schriftliche Übersetzungen vermitteln" in page

    coordinator_client.post("/einstellungen/nachweise", data={"brokers_written": "1"})

    assert fresh(db).get(Pool, FIRST_POOL).brokers_written is True
    events = fresh(db).exec(select(AuditEvent).where(AuditEvent.action == "matching_settings_changed")).all()
    assert events[-1].detail["after"]["brokers_written"] is True
    history = coordinator_client.get("/einstellungen/nachweise").get_data(as_text=True)
    assert "Schriftliche Übersetzungen: werden vermittelt" in history
