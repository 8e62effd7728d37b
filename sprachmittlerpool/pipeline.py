"""Several statements of one transaction in one round trip: PostgreSQL's pipeline mode (psycopg).

The public intake writes four rows (the sender, the request, its audit row, the first mail), one after the
other, and waited for the server after each: four round trips, each a wake-up of the database process
and of the web worker. A later row needs an earlier one's id only through values the database can look
up itself (the sender by its unique identity, the request by its unique status token), so the four can
be sent at once: psycopg's pipeline mode sends them together and reads the answers together, and the
server still runs them in order, in the caller's transaction. A session whose reads run alone (`db.reads_alone`:
no transaction yet) gets one around the statements, its BEGIN and COMMIT sent with them. SQLite has no round
trips; there the same statements run one by one through the session.

The statements go to the driver compiled by SQLAlchemy (once per statement and set of keys) with
SQLAlchemy's own bind processing, so a JSON column or a date is sent exactly as `session.execute` sends
it. A failure comes back as SQLAlchemy's exception (an `IntegrityError` for a unique key), as callers
expect from `session.execute`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.dml import Insert
from sqlmodel import Session


@dataclass(frozen=True)
class Step:
    """One statement of a pipeline and its parameters; `returns` asks for its first row."""

    statement: Insert
    params: Mapping[str, Any]
    returns: bool = False


def run_together(session: Session, steps: Sequence[Step]) -> list[Any]:
    """Run the statements in order in the session's transaction; return the first row of each that `returns`.

    Rows come as tuples of the columns the statement returns (None for a statement that found none).

    On PostgreSQL they travel in one round trip; elsewhere they run one by one. In a session without a
    transaction (`db.reads_alone`) they are committed together before this returns, or not at all.
    """
    connection = session.connection()
    sent = [(_compiled(connection.dialect, step.statement, frozenset(step.params)), step) for step in steps]
    if connection.dialect.name != "postgresql":  # compiled all the same: a missing value fails everywhere
        results = [session.execute(step.statement, step.params) for step in steps]
        return [_plain(result.first()) for step, result in zip(steps, results, strict=True) if step.returns]
    driver = connection.connection.driver_connection
    own_transaction = driver.autocommit  # type: ignore[union-attr]
    cursors = []
    try:
        with driver.pipeline():  # type: ignore[union-attr]
            if own_transaction:
                driver.execute("BEGIN")  # type: ignore[union-attr]
            for (sql, process), step in sent:
                cursor = driver.cursor()  # type: ignore[union-attr]
                cursor.execute(sql, process(step.params))
                cursors.append(cursor)
            if own_transaction:
                driver.execute("COMMIT")  # type: ignore[union-attr]
        return [cursor.fetchone() for cursor, (_, step) in zip(cursors, sent, strict=True) if step.returns]
    except connection.dialect.loaded_dbapi.Error as exc:
        invalidated = connection.dialect.is_disconnect(exc, driver, None)
        if invalidated:
            connection.invalidate(exc)
        elif own_transaction:
            driver.rollback()  # type: ignore[union-attr]  # a refused statement left BEGIN's transaction open
        raise DBAPIError.instance(
            "; ".join(sql for (sql, _), _ in sent), None, exc, connection.dialect.loaded_dbapi.Error,
            connection_invalidated=invalidated, dialect=connection.dialect,
        ) from exc  # fmt: skip
    finally:
        for cursor in cursors:
            cursor.close()


Params = Mapping[str, Any]


def _plain(row: Any) -> tuple[Any, ...] | None:
    return tuple(row) if row is not None else None


@lru_cache(maxsize=64)
def _compiled(
    dialect: Dialect, statement: Insert, keys: frozenset[str]
) -> tuple[str, Callable[[Params], Params]]:
    """Compile a statement for these parameter keys once; return its SQL and what turns values into binds.

    A column left out gets its constant default, as `session.execute` gives it. One whose default only
    SQLAlchemy's execution could compute (a function) is refused: the caller gives that column.
    """
    compiled = statement.compile(dialect=dialect, column_keys=sorted(keys))
    defaults = {}
    for column in compiled.insert_prefetch:  # type: ignore[attr-defined]
        if column.default is None or not column.default.is_scalar:
            raise ValueError(f"the pipeline needs a value for {column.name}")
        defaults[column.key] = column.default.arg
    processors = {
        name: processor
        for name, bind in compiled.binds.items()
        if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    }

    def process(params: Params) -> Params:
        values = compiled.construct_params(defaults | dict(params))
        return {
            name: processors[name](value) if name in processors else value for name, value in values.items()
        }

    return compiled.string, process


__all__ = ["Step", "run_together"]
