"""Fixtures of the browser tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def screens(tmp_path: Path) -> Path:
    """Return where screenshots go: the folder named by SPRACHMITTLERPOOL_SCREENS, else a scratch folder."""
    folder = Path(os.environ.get("SPRACHMITTLERPOOL_SCREENS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
