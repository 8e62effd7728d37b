"""Owner-only files: what the app writes holds personal data (the database, mails, payout lists).

Created with mode 0600 (folders 0700) from the start, never written world-readable and tightened later,
whatever the process's umask — the same rule the generated keys in instance/ follow.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Make the folder (and missing parents) and keep the folder itself owner-only."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    path.chmod(DIR_MODE)
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write the file atomically through an owner-only temporary next to it; an older file is replaced."""
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)  # a stale temporary may have had other bits
        with os.fdopen(descriptor, "wb", closefd=False) as handle:
            handle.write(data)
    finally:
        os.close(descriptor)
    os.replace(temporary, path)
    return path


def make_private(path: Path) -> None:
    """Create the file empty if it is missing, and make it owner-only either way.

    SQLite gives its -wal and -shm files the database file's mode, so a private database keeps them
    private too.
    """
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)
    finally:
        os.close(descriptor)
