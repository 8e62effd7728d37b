"""The app for `flask --app tests.coordination.matching_scheduler:create jobs scheduler`: the real command and job.

test_background_runs starts two of these as OS processes on the test's database. The registry keeps
only the real `matching_runs` job, so the processes do nothing else; runs are not solved inline.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from sprachmittlerpool import create_app
from sprachmittlerpool import jobs as registry
from tests.conftest import make_test_config

FOLDER_VARIABLE = "MATCHING_TEST_FOLDER"
DATABASE_VARIABLE = "MATCHING_TEST_DATABASE_URL"


def create() -> Flask:
    """Build the app on the test's database with the matching job alone and short guard timings."""
    registry.JOBS[:] = [job for job in registry.JOBS if job.name == "matching_runs"]
    folder = Path(os.environ[FOLDER_VARIABLE])
    config = make_test_config(
        os.environ[DATABASE_VARIABLE],
        folder,
        MATCHING_INLINE=False,
        SCHEDULER_LEASE_SECONDS=3.0,
        SCHEDULER_RENEW_SECONDS=0.2,
        MAIL_DIR=str(folder / "mail"),
    )
    return create_app(config)
