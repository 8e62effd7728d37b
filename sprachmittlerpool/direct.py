"""Statements of the busiest path sent straight to PostgreSQL's driver, compiled by SQLAlchemy once.

`session.execute` computes a cache key for every statement it runs, walking the whole statement: for the
intake's look-up and its one write that cost more CPU than running them. Here a statement is compiled once
per dialect (and kept with its bind processing, so a JSON column or a date goes out exactly as
`session.execute` sends it) and then only its parameters travel. A failure comes back as SQLAlchemy's
exception (an `IntegrityError` for a unique key), as callers expect from `session.execute`; a dropped
connection is marked invalid in the pool. Other databases run the statement through the session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlmodel import Session

Params = Mapping[str, Any]


def first_row(session: Session, statement: ClauseElement, params: Params) -> tuple[Any, ...] | None:
    """Run the statement in the session's transaction (or none, see `db.reads_alone`); return its first row."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        row = session.execute(statement, params).first()
        return tuple(row) if row is not None else None
    sql, process = compiled(connection.dialect, statement)
    return run(session, sql, process(params))


def run(session: Session, sql: str, params: Params) -> tuple[Any, ...] | None:
    """Send compiled SQL to the driver of the session's connection; return the first row it gives."""
    connection = session.connection()
    driver = connection.connection.driver_connection
    try:
        return driver.execute(sql, params).fetchone()  # type: ignore[union-attr]
    except connection.dialect.loaded_dbapi.Error as exc:
        invalidated = connection.dialect.is_disconnect(exc, driver, None)
        if invalidated:
            connection.invalidate(exc)
        raise DBAPIError.instance(
            sql, None, exc, connection.dialect.loaded_dbapi.Error,
            connection_invalidated=invalidated, dialect=connection.dialect,
        ) from exc  # fmt: skip


@lru_cache(maxsize=32)
def compiled(
    dialect: Dialect, statement: ClauseElement, defaults: tuple[tuple[str, Any], ...] = ()
) -> tuple[str, Callable[[Params], Params]]:
    """Compile once; return the SQL and what turns values (over `defaults`) into the driver's parameters."""
    done = statement.compile(dialect=dialect)
    if "__[POSTCOMPILE_" in done.string:  # SQLAlchemy would render these values per execution
        raise ValueError(
            "a value rendered at execution (IN list, literal_execute) cannot go straight to the driver"
        )
    processors = {
        name: processor
        for name, bind in done.binds.items()
        if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    }
    base = dict(defaults)

    def process(params: Params) -> Params:
        values = done.construct_params(base | dict(params))
        return {
            name: processors[name](value) if name in processors else value for name, value in values.items()
        }

    return done.string, process
