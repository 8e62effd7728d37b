"""flask match solve: the engine over the open requests, printed."""

from __future__ import annotations

import json
from typing import Any

import click
from flask.cli import with_appcontext

from sprachmittlerpool.cli.pools import pool_option
from sprachmittlerpool.db import write_session
from sprachmittlerpool.german import decimal
from sprachmittlerpool.models import local_now
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import matching_run
from sprachmittlerpool.services.matching_run import RunReport


@click.group()
def match() -> None:
    """Run the matching engine."""


@match.command("solve")
@click.option(
    "--time-limit", type=click.FloatRange(min=0.1), default=10.0, show_default=True, help="Sekunden"
)
@click.option("--json", "as_json", is_flag=True, help="Ergebnis als JSON ausgeben")
@with_appcontext
@pool_option
def solve(time_limit: float, as_json: bool) -> None:
    """Propose volunteers for the open requests and print them; nothing is sent."""

    def progress(message: str) -> None:
        click.echo(message, err=as_json)  # JSON output stays parseable on stdout

    with write_session() as db:
        try:
            run = matching_run.run_matching(
                db, pool_id=current_pool_id(db), now=local_now(), time_limit_s=time_limit, progress=progress
            )
        except matching_run.MatchingFailed as exc:
            raise click.ClickException(f"Kein gültiges Ergebnis: {exc}") from exc
        report = matching_run.describe_run(db, run)
    if as_json:
        click.echo(json.dumps(_as_dict(run.result), ensure_ascii=False, indent=2))
        return
    click.echo(_table(report))


def _as_dict(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "proposals": result["assignments"],
        "unassigned": result["unassigned"],
        "objective": result["objective"],
        "proven_optimal": result["proven_optimal"],
        "solve_seconds": result["solve_seconds"],
    }


def _table(report: RunReport) -> str:
    """Render proposals and unplaced requests as plain-text tables."""
    lines = [
        f"Vorschläge: {len(report.proposals)}, nicht besetzbar: {len(report.unplaced)}, "
        f"{'nachweislich optimal' if report.proven_optimal else 'Zeitlimit erreicht'}, {decimal(report.solve_seconds, 2)} s",
        "",
        f"{'Anfrage':>8}  {'Termin':<16}  {'Sprache':<18}  {'Ort':<16}  {'Sprachmittler/in':<24}  {'km':>5}",
    ]
    for p in report.proposals:
        lines.append(
            f"{p.request.id:>8}  {p.request.start:%d.%m.%Y %H:%M}  "
            f"{report.languages.get(p.request.language_code, p.request.language_code)[:18]:<18}  "
            f"{report.municipalities.get(p.request.municipality_id, p.request.municipality_id)[:16]:<16}  "
            f"{(p.volunteer.name if p.volunteer else '–')[:24]:<24}  {decimal(p.distance_km):>5}"
            + ("  (gewünscht)" if p.preferred else "")
        )
    if report.unplaced:
        lines += ["", "Nicht besetzbar:"]
        for u in report.unplaced:
            lines.append(f"{u.request.id:>8}  {u.request.start:%d.%m.%Y %H:%M}  {u.reason:<12}  {u.text}")
    return "\n".join(lines)
