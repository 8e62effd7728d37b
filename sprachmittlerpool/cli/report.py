"""flask report --year YYYY [--format text|csv]: the committee's figures; flask report-state: the state's, all pools."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from sprachmittlerpool.cli.pools import pool_option
from sprachmittlerpool.db import new_session
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import reports, state_report


@click.command("report")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="Berichtsjahr")
@click.option("--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True)
@with_appcontext
@pool_option
def report(year: int, fmt: str) -> None:
    """Print the year's figures; progress goes to stderr so the CSV on stdout stays clean."""
    click.echo(f"Berechne Kennzahlen {year} …", err=True)
    session = new_session(write=False)
    try:
        pool_id = current_pool_id(session)
        titles = reports.rule_titles(session, pool_id=pool_id, instance_path=current_app.instance_path)
        figures = reports.build_report(
            session, date(year, 1, 1), date(year, 12, 31), pool_id=pool_id, titles=titles
        )
    finally:
        session.close()
    click.echo("Fertig.", err=True)
    if fmt == "csv":
        click.echo(reports.to_csv(figures).decode("utf-8"), nl=False)
    else:
        click.echo(reports.to_text(figures), nl=False)


@click.command("report-state")
@click.option("--year", type=click.IntRange(2007, 2100), required=True, help="Berichtsjahr")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, writable=True), help="CSV-Datei schreiben")
@with_appcontext
def report_state(year: int, csv_path: str | None) -> None:
    """Print the state's figures of every pool and their total (no personal data); --csv writes the file."""
    session = new_session(write=False)
    try:
        figures = state_report.build(session, year, instance_path=current_app.instance_path)
    finally:
        session.close()
    if csv_path:
        Path(csv_path).write_bytes(state_report.to_csv(figures))
        click.echo(f"Landesauswertung {year} geschrieben: {csv_path}")
        return
    click.echo(f"Landesauswertung {year}")
    click.echo("\t".join(state_report.COLUMNS))
    for row in (*figures.pools, figures.total):
        click.echo("\t".join(row.cells()))
