"""The PostgreSQL pass of CI must fail, never skip, when its server cannot be reached."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_an_unreachable_postgresql_makes_the_suite_fail_not_skip(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SPRACHMITTLERPOOL_TEST_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/none",
    }
    one_database_test = "tests/web/test_foundation.py::test_home_page_says_what_the_pool_is_in_german"

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", one_database_test],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0, result.stdout
    assert "1 error" in result.stdout and "skipped" not in result.stdout, result.stdout[-2000:]
