"""flask pools create|list, and the `--pool SLUG` option every per-pool command shares.

A data centre adds a KI's pool without a developer: `pools create` makes the row and its standard
languages; `region import`, `users create`, `volunteers import` … `--pool SLUG` then fill it. With a single
pool `--pool` may be left out; with several, a command that would otherwise guess refuses in German.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import click
from flask.cli import with_appcontext
from sqlmodel import Session, func, select

from sprachmittlerpool import pools, reference_data
from sprachmittlerpool.db import write_session
from sprachmittlerpool.models import Language, Pool, User, Volunteer
from sprachmittlerpool.services.audit import record

HOST_PATTERN = re.compile(
    r"^(?=.{1,253}(?::\d{1,5})?$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$"
)


def chosen_pool_id(db: Session, slug: str | None) -> int:
    """Return the pool a command names, the only pool when none is named; refuse to guess among several."""
    if slug is not None:
        pool = pools.pool_by_slug(db, slug)
        if pool is None:
            raise click.ClickException(f"Es gibt keinen Pool mit dem Kurznamen „{slug}“.")
        return pool.id  # type: ignore[return-value]
    slugs = list(db.exec(select(Pool.slug).order_by(Pool.id)).all())
    if not slugs:
        raise click.ClickException(
            "Die Datenbank enthält keinen Pool. Bitte zuerst `flask db upgrade` ausführen."
        )
    if len(slugs) > 1:
        raise click.ClickException(
            f"In dieser Installation gibt es mehrere Pools ({', '.join(slugs)}). "
            "Bitte mit --pool KURZNAME angeben, für welchen Pool der Befehl gilt."
        )
    return pools.first_pool_id(db)


def pool_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add `--pool SLUG` to a command and make its body work for that pool (`use_pool`).

    Put it below `@with_appcontext`: the pool is looked up in the command's app context.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, pool_slug: str | None, **kwargs: Any) -> Any:
        with write_session() as db:
            pool_id = chosen_pool_id(db, pool_slug)
        pools.use_pool(pool_id)
        return command(*args, **kwargs)

    return click.option(
        "--pool", "pool_slug", help="Kurzname des Pools (nur nötig, wenn die Installation mehrere hat)."
    )(wrapper)


@click.group("pools")
def pools_group() -> None:
    """The pools of this installation (one per KI)."""


@pools_group.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Name des Pools, wie ihn Menschen lesen")
@click.option(
    "--host", default=None, help="eigener Hostname der öffentlichen Seiten (sonst BASE_URL/p/KURZNAME)"
)
@with_appcontext
def create_pool(slug: str, name: str, host: str | None) -> None:
    """Create a pool with the standard languages; its admin, region and volunteers follow with --pool SLUG."""
    if not pools.SLUG_PATTERN.match(slug):
        raise click.UsageError(
            f"„{slug}“ ist kein gültiger Kurzname: Kleinbuchstaben, Ziffern und Bindestriche, höchstens 40 Zeichen."
        )
    name = name.strip()
    if not name:
        raise click.UsageError("Bitte geben Sie mit --name den Namen des Pools an.")
    host = pools.normal_host(host) if host else None
    if host is not None and not HOST_PATTERN.match(host):
        raise click.UsageError(f"„{host}“ ist kein gültiger Hostname.")
    if host is not None and pools.is_installation_host(host):
        raise click.UsageError(
            f"„{host}“ ist die Adresse der Installation (BASE_URL) und gehört dem ersten Pool."
        )
    with write_session() as db:
        if pools.pool_by_slug(db, slug) is not None:
            raise click.ClickException(f"Einen Pool mit dem Kurznamen „{slug}“ gibt es schon.")
        if host is not None and db.exec(select(Pool).where(Pool.host == host)).first() is not None:
            raise click.ClickException(f"Der Hostname „{host}“ gehört schon zu einem anderen Pool.")
        pool = Pool(slug=slug, name=name, host=host)
        db.add(pool)
        db.flush()
        for code, language in reference_data.standard_languages():
            db.add(Language(pool_id=pool.id, code=code, name_de=language))
        record(db, actor="cli", entity="pool", entity_id=str(pool.id), action="created", to_state=slug)
        db.flush()
        address = pools.base_url_of(db, pool.id)  # type: ignore[arg-type]
    click.echo(f"Pool „{name}“ angelegt. Öffentliche Seiten: {address}/anfrage")
    click.echo(
        f"Weiter mit: region import DATEI --pool {slug}, users create E-MAIL --role admin --pool {slug}"
    )


@pools_group.command("list")
@with_appcontext
def list_pools() -> None:
    """List every pool: short name, name, public address, accounts and volunteers."""
    with write_session() as db:
        for pool in db.exec(select(Pool).order_by(Pool.id)).all():
            users = db.exec(select(func.count()).select_from(User).where(User.pool_id == pool.id)).one()
            people = db.exec(
                select(func.count()).select_from(Volunteer).where(Volunteer.pool_id == pool.id)
            ).one()
            address = pools.base_url_of(db, pool.id)  # type: ignore[arg-type]
            click.echo(f"{pool.slug}\t{pool.name}\t{address}\t{users} Konten\t{people} Sprachmittelnde")
