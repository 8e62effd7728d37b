"""flask payouts close YYYY-MM | export YYYY-MM --format csv|xlsx|pdf|sepa [--out FILE]."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from sprachmittlerpool.cli.pools import pool_option
from sprachmittlerpool.db import new_session
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.private_files import write_private
from sprachmittlerpool.services import payouts


@click.group("payouts")
def payouts_group() -> None:
    """Close and export monthly payout lists."""


def _month(month: str) -> str:
    """Return a valid month or stop with a German usage error."""
    try:
        return payouts.parse_month(month)
    except ValueError:
        raise click.UsageError(f"{month!r} ist kein Monat im Format JJJJ-MM.") from None


@payouts_group.command("close")
@click.argument("month")
@click.option("--yes", is_flag=True, help="Ohne Rückfrage abschließen")
@with_appcontext
@pool_option
def close(month: str, yes: bool) -> None:
    """Close a month for good, after warning of volunteers without an IBAN."""
    month = _month(month)
    session = new_session(write=True)
    try:
        pool_id = current_pool_id(session)
        payout_list = payouts.build_payout_list(session, month, pool_id=pool_id)
        session.rollback()  # end the reading transaction before the prompt
        warning = payouts.iban_warning(payout_list)
        if warning:
            click.echo(f"Achtung: {warning}")
        click.echo(f"{len(payout_list.lines)} Sprachmittelnde, Summe {payout_list.total} €.")
        if not yes:
            click.confirm(f"{month} endgültig abschließen?", abort=True)
        try:
            row = payouts.close_month(
                session,
                month,
                pool_id=pool_id,
                user_id=None,
                actor="cli",
            )
        except (payouts.MonthClosedError, payouts.MonthNotClosableError) as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"{month} ist abgeschlossen (Prüfsumme {row.checksum}).")
    finally:
        session.close()


@payouts_group.command("export")
@click.argument("month")
@click.option(
    "--format", "fmt", type=click.Choice(sorted(payouts.EXPORT_FORMATS)), default="csv", show_default=True
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Zieldatei (Standard: auszahlung-MONAT.EXT, sepa-MONAT-NR.xml)",
)
@with_appcontext
@pool_option
def export(month: str, fmt: str, out: Path | None) -> None:
    """Write one month's payout list as CSV, XLSX, PDF, or a new SEPA file of a closed month."""
    month = _month(month)
    session = new_session(write=fmt == "sepa")
    try:
        click.echo(f"[1/3] Lese Auszahlungsliste {month} …")
        try:
            if fmt == "sepa":
                export_file = payouts.create_sepa_file(
                    session, month, current_app.config, pool_id=current_pool_id(session), actor="cli"
                )
            else:
                export_file = payouts.render_export(
                    session, month, fmt, current_app.config, pool_id=current_pool_id(session)
                )
        except payouts.SepaRefusedError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"[2/3] {fmt.upper()} erzeugt ({len(export_file.data)} Bytes).")
        target = out or Path(export_file.filename)
        write_private(target, export_file.data)
        click.echo(f"[3/3] Geschrieben: {target}")
    finally:
        session.close()
