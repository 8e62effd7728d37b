"""The `flask --app sprachmittlerpool …` commands (operations.md)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach every command group to the app's CLI."""
    from sprachmittlerpool.cli import accounts, backup, database, demo, match, serve
    from sprachmittlerpool.cli import jobs as jobs_cli
    from sprachmittlerpool.cli import payouts as payouts_cli
    from sprachmittlerpool.cli import pools as pools_cli
    from sprachmittlerpool.cli import region as region_cli
    from sprachmittlerpool.cli import report as report_cli
    from sprachmittlerpool.cli import volunteers as volunteers_cli

    for command in (
        database.db,
        pools_cli.pools_group,
        backup.backup,
        accounts.users,
        accounts.tokens,
        demo.seed_demo,
        serve.serve,
        jobs_cli.jobs,
        match.match,
        payouts_cli.payouts_group,
        region_cli.region,
        report_cli.report,
        report_cli.report_state,
        volunteers_cli.volunteers,
    ):
        app.cli.add_command(command)
