"""Database backstops that hold even when application code is wrong.

A volunteer can be in one place at a time: on PostgreSQL an exclusion constraint over
the time ranges of a volunteer's active assignments, on SQLite triggers doing the same.
The migrations install them; tests insert conflicting rows behind the app's back.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

OVERLAP_MESSAGE = "volunteer_double_booked"

_SQLITE_OVERLAP = f"""
SELECT RAISE(ABORT, '{OVERLAP_MESSAGE}')
WHERE EXISTS (
    SELECT 1 FROM assignment AS other
    WHERE other.volunteer_id = NEW.volunteer_id
      AND other.status != 'cancelled'
      AND other.id IS NOT NEW.id
      AND other.start < NEW."end" AND NEW.start < other."end"
);
"""

SQLITE_STATEMENTS = (
    f"""CREATE TRIGGER assignment_no_overlap_insert BEFORE INSERT ON assignment
    WHEN NEW.status != 'cancelled' BEGIN {_SQLITE_OVERLAP} END""",
    f"""CREATE TRIGGER assignment_no_overlap_update
    BEFORE UPDATE OF volunteer_id, start, "end", status ON assignment
    WHEN NEW.status != 'cancelled' BEGIN {_SQLITE_OVERLAP} END""",
)

POSTGRESQL_STATEMENTS = (
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """ALTER TABLE assignment ADD CONSTRAINT assignment_no_overlap
    EXCLUDE USING gist (volunteer_id WITH =, tsrange(start, "end") WITH &&)
    WHERE (status != 'cancelled')""",
)


def install(connection: Connection) -> None:
    """Install the dialect's overlap backstop."""
    statements = SQLITE_STATEMENTS if connection.dialect.name == "sqlite" else POSTGRESQL_STATEMENTS
    for statement in statements:
        connection.exec_driver_sql(statement)


def uninstall(connection: Connection) -> None:
    """Remove the overlap backstop (for downgrades)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS assignment_no_overlap_insert")
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS assignment_no_overlap_update")
    else:
        connection.exec_driver_sql("ALTER TABLE assignment DROP CONSTRAINT IF EXISTS assignment_no_overlap")
