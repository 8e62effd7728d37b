"""flask payouts export YYYY-MM --format csv|xlsx|pdf|sepa [--out FILE]."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from sprachmittlerpool.db import new_session
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import payouts


@click.group("payouts")
def payouts_group() -> None:
    """Export monthly payout lists."""


@payouts_group.command("export")
@click.argument("month")
@click.option(
    "--format", "fmt", type=click.Choice(sorted(payouts.EXPORT_FORMATS)), default="csv", show_default=True
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Zieldatei (Standard: auszahlung-MONAT.EXT)",
)
@with_appcontext
def export(month: str, fmt: str, out: Path | None) -> None:
    """Write one month's payout list as CSV, XLSX, PDF or SEPA XML, with progress lines."""
    try:
        payouts.parse_month(month)
    except ValueError:
        raise click.UsageError(f"{month!r} ist kein Monat im Format JJJJ-MM.") from None
    for key, value in payouts.POOL_DEFAULTS.items():
        current_app.config.setdefault(key, value)
    session = new_session(write=False)
    try:
        click.echo(f"[1/3] Lese Auszahlungsliste {month} …")
        try:
            export_file = payouts.render_export(
                session, month, fmt, current_app.config, pool_id=current_pool_id(session)
            )
        except payouts.NothingToTransferError:
            raise click.ClickException(
                f"Niemand in {month} hat eine IBAN und einen Betrag: keine SEPA-Datei."
            ) from None
        click.echo(f"[2/3] {fmt.upper()} erzeugt ({len(export_file.data)} Bytes).")
        target = out or Path(export_file.filename)
        target.write_bytes(export_file.data)
        click.echo(f"[3/3] Geschrieben: {target}")
    finally:
        session.close()
