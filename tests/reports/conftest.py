"""The report tests share one hand-counted world (tests/reports/world.py)."""

from __future__ import annotations

import pytest

from sprachmittlerpool.db import new_session
from tests.reports import world


@pytest.fixture
def two_years(app):
    """Write the world of pool 1 and pool 2 for 2024–2026."""
    with app.app_context(), new_session(write=True) as session:
        world.seed(session)
