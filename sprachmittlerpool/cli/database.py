"""flask db upgrade / downgrade."""

import click
from flask.cli import with_appcontext

from sprachmittlerpool import migrate
from sprachmittlerpool.db import get_engine


@click.group()
def db() -> None:
    """Manage the database schema."""


@db.command()
@click.argument("revision", default="head")
@with_appcontext
def upgrade(revision: str) -> None:
    """Bring the schema up to date (from nothing, or from an older version)."""
    migrate.upgrade(get_engine(), revision)
    click.echo("Datenbankschema ist aktuell.")


@db.command()
@click.argument("revision")
@with_appcontext
def downgrade(revision: str) -> None:
    """Take the schema back to an older revision (base: empty)."""
    migrate.downgrade(get_engine(), revision)
    click.echo(f"Datenbankschema auf {revision} zurückgesetzt.")
