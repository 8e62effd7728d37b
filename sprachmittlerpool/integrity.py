"""Database backstops that hold even when application code is wrong.

A volunteer can be in one place at a time: on PostgreSQL an exclusion constraint over
the time ranges of a volunteer's active assignments, on SQLite triggers doing the same. A written
translation's assignment (`written`) spans its due day but holds none of its hours, so both leave it out.
The migrations install them; tests insert conflicting rows behind the app's back.

The audit trail is append-only: triggers refuse every UPDATE and DELETE of `audit_event`, so
neither a bug nor a console session can rewrite who did what. That is why audit rows must
never hold values that erasure or retention have to remove (they could not be removed there).
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
      AND NOT other.written
      AND other.id IS NOT NEW.id
      AND other.start < NEW."end" AND NEW.start < other."end"
);
"""

APPEND_ONLY_MESSAGE = "audit_event_append_only"

SQLITE_STATEMENTS = (
    f"""CREATE TRIGGER assignment_no_overlap_insert BEFORE INSERT ON assignment
    WHEN NEW.status != 'cancelled' AND NOT NEW.written BEGIN {_SQLITE_OVERLAP} END""",
    f"""CREATE TRIGGER assignment_no_overlap_update
    BEFORE UPDATE OF volunteer_id, start, "end", status, written ON assignment
    WHEN NEW.status != 'cancelled' AND NOT NEW.written BEGIN {_SQLITE_OVERLAP} END""",
    f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END""",
)

POSTGRESQL_STATEMENTS = (
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """ALTER TABLE assignment ADD CONSTRAINT assignment_no_overlap
    EXCLUDE USING gist (volunteer_id WITH =, tsrange(start, "end") WITH &&)
    WHERE (status != 'cancelled' AND NOT written)""",
    # SQLSTATE 23000 (integrity_constraint_violation) reaches the app as an IntegrityError.
    f"""CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' USING ERRCODE = '23000'; END $$""",
    """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
)

SQLITE_UNINSTALL = (
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS assignment_no_overlap_insert",
    "DROP TRIGGER IF EXISTS assignment_no_overlap_update",
)

POSTGRESQL_UNINSTALL = (
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
    "ALTER TABLE assignment DROP CONSTRAINT IF EXISTS assignment_no_overlap",
)


def install(connection: Connection) -> None:
    """Install the dialect's overlap backstop and the append-only audit trail."""
    statements = SQLITE_STATEMENTS if connection.dialect.name == "sqlite" else POSTGRESQL_STATEMENTS
    for statement in statements:
        connection.exec_driver_sql(statement)


def uninstall(connection: Connection) -> None:
    """Remove the backstops again (for downgrades)."""
    statements = SQLITE_UNINSTALL if connection.dialect.name == "sqlite" else POSTGRESQL_UNINSTALL
    for statement in statements:
        connection.exec_driver_sql(statement)
