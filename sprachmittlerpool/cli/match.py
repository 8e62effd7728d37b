"""flask match solve: the engine over the open requests, its progress and its proposals printed."""

from __future__ import annotations

import json
from typing import Any

import click
from flask.cli import with_appcontext

from sprachmittlerpool.cli.pools import pool_option
from sprachmittlerpool.db import write_session
from sprachmittlerpool.german import decimal
from sprachmittlerpool.models import RunStatus, local_now
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.run_words import CRASH_ERROR
from sprachmittlerpool.services import background_matching, matching_run
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
    """Propose volunteers for the open requests and print them with the solver's progress; nothing is sent.

    The run is the pool's one active run like a run started on the page (which shows its progress too);
    this process claims it itself, so it needs no scheduler.
    """

    def echo(line: str) -> None:
        click.echo(line, err=as_json)  # JSON output stays parseable on stdout

    worker = background_matching.worker_name()
    with write_session() as db:
        pool_id = current_pool_id(db)
        started = background_matching.start_run(
            db, pool_id=pool_id, actor_id=None, time_limit_s=time_limit, now=local_now(), claim_as=worker
        )
    if not started.created:
        raise click.ClickException(
            f"Für diesen Pool läuft schon eine Berechnung (angestoßen am {started.run.created_at:%d.%m.%Y %H:%M}). "
            "Bitte warten Sie, bis sie fertig ist."
        )
    run = background_matching.execute(started.run.id, worker=worker, echo=echo)
    if run is None or run.status != RunStatus.DONE:
        raise click.ClickException(run.error if run and run.error else CRASH_ERROR)
    with write_session() as db:
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
    """Render proposals and unplaced requests as plain-text tables, reasons in words (`--json` keeps codes)."""
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
            lines.append(f"{u.request.id:>8}  {u.request.start:%d.%m.%Y %H:%M}  {u.text}")
    return "\n".join(lines)
