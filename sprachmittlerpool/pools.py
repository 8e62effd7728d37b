"""Which pool a page, an API call, a job or a command works for.

A logged-in coordinator works for the pool of their account; public pages and links work for the
installation's first pool until pools get their own addresses. Everything that reads a setting or
stores a row asks here, so the answer can change in one place.
"""

from __future__ import annotations

from typing import TypeVar

from flask import g, has_app_context
from sqlmodel import Session, func, select

from sprachmittlerpool.models import Pool

T = TypeVar("T")


class NoPoolError(LookupError):
    """The database holds no pool: the migrations have not run."""


def first_pool_id(session: Session) -> int:
    """Return the id of the installation's first pool (the one the migrations create)."""
    pool_id = session.exec(select(func.min(Pool.id))).one()
    if pool_id is None:
        raise NoPoolError("Die Datenbank enthält keinen Pool. Bitte zuerst `flask db upgrade` ausführen.")
    return pool_id


def current_pool_id(session: Session) -> int:
    """Return the pool of this request or command: the one set on `g`, else the first pool."""
    pool_id = g.get("pool_id") if has_app_context() else None
    return pool_id if pool_id is not None else first_pool_id(session)


def current_pool(session: Session) -> Pool:
    """Return the pool row of this request or command."""
    pool = session.get(Pool, current_pool_id(session))
    assert pool is not None  # ids come from the table itself
    return pool


def use_pool(pool_id: int) -> None:
    """Make the rest of this request or command work for one pool."""
    g.pool_id = pool_id


def get_in_pool(session: Session, model: type[T], row_id: object) -> T | None:
    """Load a row by id only if it belongs to this request's pool; another pool's row is as good as absent."""
    row = session.get(model, row_id)
    if row is None or getattr(row, "pool_id") != current_pool_id(session):  # noqa: B009 (any pool-owned table)
        return None
    return row
