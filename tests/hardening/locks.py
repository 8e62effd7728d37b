"""Seeing PostgreSQL lock waits from the test, so a test can act at the exact moment another connection waits."""

from __future__ import annotations

import time

from sqlalchemy import Connection, text


def wait_for_lock_waiter(connection: Connection, timeout: float = 10.0) -> int:
    """Return the backend pid of another connection of this database that waits for a lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = connection.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
        ).scalar()
        if pid is not None:
            return int(pid)
        time.sleep(0.02)
    raise AssertionError("no other connection waited for a lock")
