"""flask seed-demo."""

import click
from flask.cli import with_appcontext


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load the demo pool once (a second run changes nothing)."""
    from sprachmittlerpool.demo import seed

    click.echo(seed())
