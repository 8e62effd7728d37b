"""Fixtures for the volunteer tests: an API token and a valid payload."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from sprachmittlerpool import security
from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import ApiToken, User

TEST_IBAN = "DE89370400440532013000"
IBAN_DIGITS = TEST_IBAN[2:]


@pytest.fixture
def auth(app: Flask, coordinator: User) -> dict[str, str]:
    """Return the Authorization header of a coordinator's API token."""
    token = security.new_token()
    with app.app_context():
        session = new_session(write=True)
        session.add(ApiToken(user_id=coordinator.id, token_hash=security.token_hash(token)))
        session.commit()
        session.close()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def payload() -> dict[str, Any]:
    """Return a complete, valid volunteer as api.md shows it."""
    return {
        "name": "Olena K.",
        "email": "olena.k@example.org",
        "phone": "02452 98765",
        "gender": "f",
        "home": "heinsberg",
        "max_distance_km": 25,
        "languages": ["uk", "ru"],
        "availability": [{"weekday": 0, "start": "08:00", "end": "13:00"}],
        "max_per_week": 3,
        "iban": TEST_IBAN,
    }
