"""Backups that restore: a consistent copy taken while the app writes, and a restore that is checked.

SQLite: the online backup API copies the database page by page inside one read transaction, so the
copy is the state of one moment even while requests arrive (WAL lets the writers go on). PostgreSQL:
`pg_dump --format=custom` reads in one snapshot; `pg_restore --clean --if-exists --no-owner` in one
transaction replaces what the dump holds, or nothing if it fails. The password of DATABASE_URL goes to
the tools through PGPASSWORD, never on a command line or into a message.

After a restore `check` compares the database with the backup file and with the app's schema: the
file is undamaged and its foreign keys hold, the database backstops (no double booking, append-only
audit trail) are installed, the schema revision is the one the code expects, and every table holds
exactly the rows the backup held.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

from sprachmittlerpool import migrate
from sprachmittlerpool.integrity import APPEND_ONLY_MESSAGE
from sprachmittlerpool.private_files import make_private, private_dir

SQLITE_TRIGGERS = frozenset(
    {
        "assignment_no_overlap_insert",
        "assignment_no_overlap_update",
        "audit_event_no_update",
        "audit_event_no_delete",
    }
)
COPY_PREFIX = "COPY "
COPY_END = "\\."


class BackupError(Exception):
    """A backup or restore that could not be done; the message is German and names no password."""


@dataclass(frozen=True)
class Check:
    """One line of the restore check: what was checked, whether it holds, and what was found."""

    title: str
    ok: bool
    detail: str


def default_path(instance_path: str, engine: Engine, now: datetime) -> Path:
    """Name a new backup in instance/backups/ (owner-only), with the time it was taken."""
    folder = private_dir(Path(instance_path) / "backups")
    suffix = "sqlite" if is_sqlite(engine) else "dump"
    return folder / f"sprachmittlerpool-{now:%Y-%m-%d-%H%M%S}.{suffix}"


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def describe(engine: Engine) -> str:
    """Name the database for messages: the file, or host and database without the password."""
    url = engine.url
    if is_sqlite(engine):
        return f"SQLite-Datei {url.database}"
    return f"PostgreSQL-Datenbank {url.database} auf {url.host or 'localhost'}"


def create(engine: Engine, target: Path) -> Path:
    """Write a consistent backup of the database to `target` (owner-only; an older file is replaced)."""
    private_dir(target.parent)
    temporary = target.with_name(target.name + ".tmp")
    temporary.unlink(missing_ok=True)
    make_private(temporary)
    try:
        if is_sqlite(engine):
            _sqlite_backup(engine, temporary)
        else:
            _pg_dump(engine.url, temporary)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, target)
    return target


def _sqlite_backup(engine: Engine, temporary: Path) -> None:
    """Copy all pages in one step: one read transaction, so the copy is one moment's state."""
    raw = engine.raw_connection()
    try:
        with closing(sqlite3.connect(temporary)) as copy:
            raw.driver_connection.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        raw.close()


def _pg_dump(url: URL, temporary: Path) -> None:
    with temporary.open("wb") as output:
        _run([_tool("pg_dump"), "--format=custom", f"--dbname={libpq_uri(url)}"], url, stdout=output)


def restore(engine: Engine, source: Path) -> None:
    """Replace the database's contents by the backup's; nothing changes if the backup cannot be read."""
    if not source.is_file():
        raise BackupError(f"Die Sicherung {source} gibt es nicht.")
    engine.dispose()  # our own pooled connections would hold locks the restore waits for
    if is_sqlite(engine):
        _sqlite_restore(engine, source)
    else:
        _run(
            [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
             "--exit-on-error", f"--dbname={libpq_uri(engine.url)}", str(source)],
            engine.url,
        )  # fmt: skip
    engine.dispose()


def _sqlite_restore(engine: Engine, source: Path) -> None:
    """Check the file first, then copy it over the database with the same backup API (one transaction)."""
    with _open_backup(source) as backup:
        if not _sqlite_undamaged(backup):
            raise BackupError(f"Die Sicherung {source} ist beschädigt; die Datenbank bleibt unverändert.")
        raw = engine.raw_connection()
        try:
            backup.backup(raw.driver_connection)
        finally:
            raw.close()


@contextmanager
def _open_backup(source: Path) -> Iterator[sqlite3.Connection]:
    """Open a SQLite backup read-only; a file that is no SQLite database is refused in German."""
    connection = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        connection.close()
        raise BackupError(f"{source} ist keine Sicherung einer SQLite-Datenbank.") from None
    try:
        yield connection
    finally:
        connection.close()


def _sqlite_undamaged(connection: sqlite3.Connection) -> bool:
    return connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def libpq_uri(url: URL) -> str:
    """Turn the SQLAlchemy URL into a libpq one, without the password (that goes through PGPASSWORD)."""
    plain = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return plain.render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} ist nicht installiert (Paket postgresql-client).")
    return found


def _run(arguments: list[str], url: URL, **kwargs) -> None:
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    # A fixed tool with an argument list, no shell: nothing the user typed is interpreted.
    finished = subprocess.run(arguments, env=environment, stderr=subprocess.PIPE, check=False, **kwargs)  # noqa: S603
    if finished.returncode != 0:
        message = finished.stderr.decode("utf-8", "replace").strip()
        if url.password:
            message = message.replace(str(url.password), "***")
        raise BackupError(f"{Path(arguments[0]).name} ist gescheitert: {message}")


# --- the check after a restore ---------------------------------------------------------------------


def check(engine: Engine, source: Path) -> list[Check]:
    """Check the restored database against the backup file and the app's schema."""
    expected = _rows_in_backup(engine, source)
    with engine.connect() as connection:
        checks = _sqlite_checks(connection) if is_sqlite(engine) else _postgresql_checks(connection)
        checks.append(_revision_check(connection))
        checks.append(_row_check(connection, expected))
    return checks


def _sqlite_checks(connection) -> list[Check]:
    damage = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
    orphans = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    triggers = set(
        connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars()
    )
    missing = sorted(SQLITE_TRIGGERS - triggers)
    return [
        Check("Datei unbeschädigt", damage == ["ok"], "; ".join(damage)),
        Check(
            "Verweise zwischen Tabellen stimmen",
            not orphans,
            f"{len(orphans)} Verweise ins Leere" if orphans else "ja",
        ),
        Check("Schutzregeln vorhanden", not missing, ", ".join(missing) or _BACKSTOPS),
    ]


_BACKSTOPS = "keine Doppelbuchung, Protokoll unveränderlich"


def _postgresql_checks(connection) -> list[Check]:
    unchecked = connection.execute(
        text("SELECT conname FROM pg_constraint WHERE contype = 'f' AND NOT convalidated")
    ).scalars().all()  # fmt: skip
    overlap = connection.execute(
        text("SELECT 1 FROM pg_constraint WHERE conname = 'assignment_no_overlap'")
    ).first()
    trigger = connection.execute(
        text("SELECT 1 FROM pg_trigger WHERE tgname = 'audit_event_no_change' AND tgenabled != 'D'")
    ).first()
    function = connection.execute(
        text("SELECT 1 FROM pg_proc WHERE proname = 'audit_event_append_only' AND prosrc LIKE :message"),
        {"message": f"%{APPEND_ONLY_MESSAGE}%"},
    ).first()
    missing = [
        name
        for name, found in (
            ("assignment_no_overlap", overlap),
            ("audit_event_no_change", trigger and function),
        )
        if not found
    ]
    return [
        Check("Verweise zwischen Tabellen stimmen", not unchecked, ", ".join(unchecked) or "alle geprüft"),
        Check("Schutzregeln vorhanden", not missing, ", ".join(missing) or _BACKSTOPS),
    ]


def _revision_check(connection) -> Check:
    head = ScriptDirectory.from_config(migrate.alembic_config(connection)).get_current_head()
    found = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    if found == [head]:
        return Check("Schemaversion aktuell", True, str(head))
    return Check(
        "Schemaversion aktuell", False, f"Sicherung hat {', '.join(found) or 'keine'}, erwartet {head}: "
        "bitte „flask --app sprachmittlerpool db upgrade“ ausführen"
    )  # fmt: skip


def _row_check(connection, expected: Counter[str]) -> Check:
    different = []
    for table, rows in sorted(expected.items()):
        found = connection.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar_one()  # noqa: S608 - names from the backup's catalogue
        if found != rows:
            different.append(f"{table}: {found} statt {rows}")
    if different:
        return Check("Zeilenzahlen wie in der Sicherung", False, "; ".join(different))
    return Check(
        "Zeilenzahlen wie in der Sicherung",
        True,
        f"{len(expected)} Tabellen, {sum(expected.values())} Zeilen",
    )


def _rows_in_backup(engine: Engine, source: Path) -> Counter[str]:
    """Count each table's rows as the backup file holds them."""
    if is_sqlite(engine):
        with _open_backup(source) as backup:
            tables = backup.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
            return Counter(
                {name: backup.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for (name,) in tables}  # noqa: S608
            )
    return _rows_in_dump(source)


def _rows_in_dump(source: Path) -> Counter[str]:
    """Read the dump's data as COPY text (one line per row, newlines escaped) and count per table."""
    rows: Counter[str] = Counter()
    process = subprocess.Popen(  # noqa: S603 - a fixed tool and argument list, no shell
        [_tool("pg_restore"), "--data-only", "--file=-", str(source)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
    )  # fmt: skip
    table = None
    for line in process.stdout:
        if table is None:
            if line.startswith(COPY_PREFIX):
                table = line[len(COPY_PREFIX) :].split(" ", 1)[0].split(".")[-1].strip('"')
                rows[table] += 0
        elif line.rstrip("\n") == COPY_END:
            table = None
        else:
            rows[table] += 1
    _, errors = process.communicate()
    if process.returncode != 0:
        raise BackupError(f"pg_restore kann die Sicherung nicht lesen: {errors.strip()}")
    return rows
