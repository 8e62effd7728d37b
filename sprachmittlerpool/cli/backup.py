"""flask backup create [--to PATH] / backup restore PATH [--yes]: backups that are known to restore."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from sprachmittlerpool import backups
from sprachmittlerpool.db import get_engine
from sprachmittlerpool.models import local_now


@click.group()
def backup() -> None:
    """Back the database up and restore it."""


@backup.command("create")
@click.option("--to", "target", type=click.Path(dir_okay=False, path_type=Path), help="Zieldatei")
@with_appcontext
def create(target: Path | None) -> None:
    """Take a consistent backup while the app keeps running."""
    engine = get_engine()
    target = target or backups.default_path(current_app.instance_path, engine, local_now())
    click.echo(f"Sichere {backups.describe(engine)} …", err=True)
    try:
        written = backups.create(engine, target)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Sicherung geschrieben: {written}")


@backup.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Ohne Rückfrage wiederherstellen")
@with_appcontext
def restore(source: Path, yes: bool) -> None:
    """Replace the database by a backup, then check the result against the backup."""
    engine = get_engine()
    click.echo(
        f"Achtung: Der ganze Inhalt der {backups.describe(engine)} wird durch den Stand aus {source} ersetzt. "
        "Alles, was seit dieser Sicherung eingegangen oder geändert worden ist, geht verloren. "
        "Halten Sie vorher die Anwendung und den Zeitplaner an."
    )
    if not yes:
        click.confirm("Wiederherstellen?", abort=True)
    click.echo("Stelle wieder her …", err=True)
    try:
        backups.restore(engine, source)
        checks = backups.check(engine, source)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    for item in checks:
        click.echo(f"{'✓' if item.ok else '✗'} {item.title}: {item.detail}")
    if not all(item.ok for item in checks):
        raise click.ClickException("Die Wiederherstellung ist nicht in Ordnung (siehe oben).")
    click.echo("Wiederherstellung abgeschlossen und geprüft.")
