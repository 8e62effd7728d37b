"""flask report --year YYYY [--format text|csv]: the committee's figures in the terminal."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from sprachmittlerpool.cli.pools import pool_option
from sprachmittlerpool.db import new_session
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import reports


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
