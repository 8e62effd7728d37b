"""flask volunteers import / export / erase (operations.md, GDPR Art. 15 and 17)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from sprachmittlerpool.cli.pools import pool_option
from sprachmittlerpool.db import write_session
from sprachmittlerpool.models import local_now
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import privacy
from sprachmittlerpool.services import volunteers as service
from sprachmittlerpool.volunteer_import import ImportFileError, check_rows, read_table

PROGRESS_EVERY = 50


def _progress(label: str) -> service.Progress:
    """Print a line every PROGRESS_EVERY rows and at the end, so a long list shows it is moving."""

    def report(done: int, total: int) -> None:
        if done % PROGRESS_EVERY == 0 or done == total:
            click.echo(f"{label}: {done}/{total} Zeilen", err=True)

    return report


@click.group()
def volunteers() -> None:
    """Manage volunteers: import the pool's list, export or erase one person's data."""


@volunteers.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Nur prüfen, nichts übernehmen.")
@with_appcontext
@pool_option
def import_command(file: Path, dry_run: bool) -> None:
    """Import a CSV or XLSX list: all rows or, if any is invalid, none (exit code 1)."""
    try:
        rows = read_table(file.read_bytes(), file.name)
    except ImportFileError as error:
        raise click.ClickException(str(error)) from None
    with write_session() as db:
        check = check_rows(
            rows,
            service.load_catalog(db, pool_id=current_pool_id(db)),
            service.existing_emails(db, pool_id=current_pool_id(db)),
            progress=_progress("Geprüft"),
        )
        if not check.ok:
            for message in check.errors:
                click.echo(message, err=True)
            click.echo(
                f"{check.rows} Zeilen gelesen, {len(check.errors)} Fehler – nichts übernommen.", err=True
            )
            raise SystemExit(1)
        if dry_run:
            click.echo(f"{check.rows} Zeilen gelesen, alle gültig – nur geprüft, nichts übernommen.")
            return
        try:
            imported = service.import_volunteers(
                db, check.records, pool_id=current_pool_id(db), actor="cli", progress=_progress("Übernommen")
            )
        except service.DuplicateEmail:
            raise click.ClickException(
                "Eine E-Mail-Adresse wurde während des Imports vergeben; nichts übernommen."
            ) from None
    click.echo(f"{check.rows} Zeilen gelesen, {imported} Personen übernommen.")


@volunteers.command("export")
@click.argument("volunteer_id", type=int)
@with_appcontext
def export_command(volunteer_id: int) -> None:
    """Print everything stored about a volunteer as JSON (Art. 15 DSGVO); the IBAN masked."""
    with write_session() as db:
        try:
            data = privacy.export_volunteer(db, volunteer_id)
        except privacy.VolunteerNotFound:
            raise click.ClickException(f"Es gibt keine Person mit der Nummer {volunteer_id}.") from None
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@volunteers.command("erase")
@click.argument("volunteer_id", type=int)
@click.option("--yes", is_flag=True, help="Ohne Rückfrage löschen.")
@with_appcontext
def erase_command(volunteer_id: int, yes: bool) -> None:
    """Anonymise a volunteer (Art. 17 DSGVO), keeping assignments and amounts for the books."""
    if not yes:
        click.confirm(f"Persönliche Daten der Person {volunteer_id} unwiderruflich löschen?", abort=True)
    with write_session() as db:
        try:
            privacy.erase_volunteer(db, volunteer_id, now=local_now(), actor="cli")
        except privacy.VolunteerNotFound:
            raise click.ClickException(f"Es gibt keine Person mit der Nummer {volunteer_id}.") from None
    click.echo(f"Die persönlichen Daten der Person {volunteer_id} wurden gelöscht.")
