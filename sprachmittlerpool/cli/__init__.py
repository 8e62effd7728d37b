"""The `flask --app sprachmittlerpool …` commands (operations.md)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach every command group to the app's CLI."""
    from sprachmittlerpool.cli import accounts, database, demo, serve

    for command in (database.db, accounts.users, accounts.tokens, demo.seed_demo, serve.serve):
        app.cli.add_command(command)
