"""flask region import / list-shipped: a district's municipalities from a file, without a developer."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from sprachmittlerpool import regions
from sprachmittlerpool.cli.pools import chosen_pool_id
from sprachmittlerpool.db import write_session
from sprachmittlerpool.models import local_now
from sprachmittlerpool.services import regions as service

PROGRESS_EVERY = 100


@click.group()
def region() -> None:
    """Manage the pool's region: import its municipalities, list the shipped district files."""


@region.command("list-shipped")
def list_shipped() -> None:
    """List the district files shipped with the app (import one by its name)."""
    for name in regions.shipped_names():
        checked = regions.shipped_region(name)
        click.echo(f"{name}\t{checked.region}\t{len(checked.entries)} Gemeinden")


@region.command("import")
@click.argument("source")
@click.option(
    "--pool", "pool_slug", help="Kurzname des Pools (nur nötig, wenn die Installation mehrere hat)."
)
@click.option("--dry-run", is_flag=True, help="Nur zeigen, was sich ändern würde; nichts übernehmen.")
@with_appcontext
def import_command(source: str, pool_slug: str | None, dry_run: bool) -> None:
    """Import FILE (CSV name;lat;lon[;kind] or JSON) or a shipped district (e.g. kreis-kleve): all or nothing."""
    checked = _read(source)
    if not checked.ok:
        for error in checked.errors:
            click.echo(str(error), err=True)
        click.echo(f"{len(checked.errors)} Fehler – nichts übernommen.", err=True)
        raise SystemExit(1)
    click.echo(f"{len(checked.entries)} Gemeinden gelesen{f' ({checked.region})' if checked.region else ''}.")
    with write_session() as db:
        pool_id = chosen_pool_id(db, pool_slug)
        if dry_run:
            result = service.plan(db, checked.entries, pool_id=pool_id)
            for line in result.lines():
                click.echo(line)
            said = (
                "Es würde sich nichts ändern."
                if result.empty
                else f"Das würde sich ändern: {result.summary()}"
            )
            click.echo(f"Nur geprüft, nichts übernommen. {said}")
            return
        result = service.apply(
            db,
            checked.entries,
            pool_id=pool_id,
            now=local_now(),
            actor="cli",
            source=source,
            progress=_progress,
        )
    for line in result.lines():
        click.echo(line)
    click.echo(result.summary())


def _read(source: str) -> regions.RegionFile:
    """Read a file path, or a shipped district's name when no such file exists."""
    path = Path(source)
    if path.is_file():
        return regions.parse(path.read_bytes(), path.name)
    if source in regions.shipped_names():
        return regions.shipped_region(source)
    shipped = ", ".join(regions.shipped_names())
    raise click.ClickException(f"„{source}“ ist weder eine Datei noch eine mitgelieferte Region ({shipped}).")


def _progress(done: int, total: int) -> None:
    """Print a line every PROGRESS_EVERY municipalities, so a long file shows it is moving."""
    if total >= PROGRESS_EVERY and (done % PROGRESS_EVERY == 0 or done == total):
        click.echo(f"Übernommen: {done}/{total}", err=True)
