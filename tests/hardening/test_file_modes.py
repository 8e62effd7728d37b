"""Files the app writes are owner-only, like its keys (issue 14): the SQLite database with its WAL and
shared-memory files, the .eml files of the mail outbox and their folder, and payout exports on disk.

Each test sets a permissive umask (022) itself, so it proves the app's own choice, not the machine's.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from notifications.relay import write_eml
from sprachmittlerpool.db import make_engine
from sprachmittlerpool.models import OutboxMail


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_sqlite_database_and_its_wal_and_shm_files_are_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "pool.sqlite"
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as reader:  # an open connection keeps -wal and -shm in place
        reader.execute(text("SELECT 1"))
        with engine.begin() as writer:
            writer.execute(text("CREATE TABLE t (x TEXT)"))
            writer.execute(text("INSERT INTO t VALUES ('Olena K., DE89 3704 0044 0532 0130 00')"))
        files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
        assert all(path.exists() for path in files)
        assert {path.name: oct(mode(path)) for path in files} == {path.name: "0o600" for path in files}
    engine.dispose()


def test_an_existing_world_readable_database_is_made_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "old.sqlite"
    database.touch(mode=0o644)
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    engine.dispose()

    assert mode(database) == 0o600


def test_eml_files_and_their_folder_are_owner_only(tmp_path: Path) -> None:
    mail_dir = tmp_path / "instance" / "mail"
    row = OutboxMail(id=7, created_at=datetime(2026, 3, 1, 9, 0))

    path = write_eml(mail_dir, row, b"Subject: Test\r\n\r\nOlena K.\r\n")

    assert mode(path) == 0o600 and mode(mail_dir) == 0o700


def test_a_rewritten_eml_file_stays_owner_only(tmp_path: Path) -> None:
    row = OutboxMail(id=8, created_at=datetime(2026, 3, 1, 9, 0))
    path = write_eml(tmp_path, row, b"first")
    path.chmod(0o644)

    write_eml(tmp_path, row, b"second")

    assert mode(path) == 0o600 and path.read_bytes() == b"second"


def test_a_payout_export_written_to_disk_is_owner_only(app, tmp_path: Path) -> None:
    out = tmp_path / "exports" / "feb.csv"
    out.parent.mkdir()

    result = app.test_cli_runner().invoke(
        args=["payouts", "export", "2025-02", "--format", "csv", "--out", str(out)]
    )

    assert result.exit_code == 0, result.output
    assert mode(out) == 0o600


def test_a_payout_export_over_an_older_world_readable_file_is_owner_only(app, tmp_path: Path) -> None:
    out = tmp_path / "feb.csv"
    out.write_bytes(b"old")
    out.chmod(0o644)

    result = app.test_cli_runner().invoke(
        args=["payouts", "export", "2025-02", "--format", "csv", "--out", str(out)]
    )

    assert result.exit_code == 0, result.output
    assert mode(out) == 0o600 and out.read_bytes() != b"old"
