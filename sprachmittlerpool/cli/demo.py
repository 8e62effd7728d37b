"""flask seed-demo [--pool SLUG]."""

import click
from flask.cli import with_appcontext


@click.command("seed-demo")
@click.option(
    "--pool",
    "pool_slug",
    default=None,
    help="Kurzname eines weiteren Pools (angelegt mit `flask pools create`), der die Demodaten bekommt.",
)
@with_appcontext
def seed_demo(pool_slug: str | None) -> None:
    """Load the demo pool once (a second run changes nothing); with --pool into a further pool too.

    A data centre trying several pools in one installation gets a second demo pool this way, with its
    own login, kept in instance/demo-login-SLUG.txt.
    """
    from sprachmittlerpool import demo
    from sprachmittlerpool.cli.pools import chosen_pool_id
    from sprachmittlerpool.db import write_session
    from sprachmittlerpool.pools import first_pool_id

    with write_session() as db:
        pool_id = chosen_pool_id(db, pool_slug) if pool_slug is not None else None
        first = pool_id is None or pool_id == first_pool_id(db)
    if first:
        click.echo(demo.seed())  # the first pool's demo, login in instance/demo-login.txt
        return
    email = f"koordination@{pool_slug}.demo.sprachmittlerpool.de"
    path = demo.demo_login_path(pool_slug)
    click.echo(demo.seed(pool_id=pool_id, login_email=email, login_file=path))
    click.echo(f"Anmeldung für diesen Pool: {email}, das Passwort steht in {path}.")
