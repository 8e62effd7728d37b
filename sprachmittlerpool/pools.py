"""Which pool a page, an API call, a job or a command works for, and under which address a pool is reached.

One installation holds several pools (each KI its own row of `pool`). The pool of a request is decided
once, before the view, in this order:

1. a token link (offer, status, confirmation, volunteer page) works for the pool of the token's row,
   whatever address it was opened under (the view calls `use_pool` with the row's pool);
2. a logged-in coordinator works for the pool of their account on every page that is not public;
3. a public page works for the pool its address names: the pool's own host name (`Pool.host`, matched
   against the request's host) or the path prefix `/p/<slug>/…`;
4. otherwise the default pool: the installation's first pool, the one the migrations create.

The prefix is taken off the path by `PoolPrefixMiddleware` and moved into SCRIPT_NAME, so the URL map
stays as it is and every `url_for` of a page under `/p/<slug>/` keeps the prefix by itself. With a single
pool nothing changes: its addresses have no prefix, and mails link to BASE_URL as before. Mails carry
their pool's address (`base_url_of`): its host, BASE_URL/p/<slug> for a further pool, or BASE_URL for
the default pool. The API works for its token's pool (api/common.py; the public intake call for its
address's pool, or its bearer token's), a command for the pool `--pool SLUG` names (cli/pools.py).
Scheduled jobs handle the due rows of every pool in one run and take each mail's pool, identity and
address from the row itself (`queue_mail(pool_id=row.pool_id)`), never from `g`.

A host name is matched exactly (lower case, with or without the port); an unknown `/p/<slug>` is a 404,
never the default pool.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import current_app, g, has_app_context
from sqlmodel import Session, func, select

from sprachmittlerpool.models import Pool

T = TypeVar("T")

PREFIX_SEGMENT = "p"
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
ENVIRON_SLUG = "sprachmittlerpool.pool_slug"
_PREFIXED_PATH = re.compile(rf"^/{PREFIX_SEGMENT}/([^/]+)(/.*)?$")


class NoPoolError(LookupError):
    """The database holds no pool: the migrations have not run."""


FIRST_POOL_KEY = "first_pool_id"
BASE_URL_KEY = "pool_base_urls"
MIGRATED_POOL_ID = 1  # the pool migration 0002 creates (FIRST_POOL_ID there)


def first_pool_id(session: Session) -> int:
    """Return the id of the installation's first pool (the one the migrations create): the default pool.

    Asked several times per request (the pool choice, every mail's and link's address), but it changes
    never while a session lives: the answer is kept in the session. The migrations give that pool the id
    MIGRATED_POOL_ID, and ids are positive, so when that row exists it is the first; the request has
    usually read it already, and `session.get` then answers from the session without a query.
    """
    if FIRST_POOL_KEY in session.info:
        return session.info[FIRST_POOL_KEY]
    if session.get(Pool, MIGRATED_POOL_ID) is not None:
        pool_id: int | None = MIGRATED_POOL_ID
    else:
        pool_id = session.exec(select(func.min(Pool.id))).one()
    if pool_id is None:
        raise NoPoolError("Die Datenbank enthält keinen Pool. Bitte zuerst `flask db upgrade` ausführen.")
    session.info[FIRST_POOL_KEY] = pool_id
    return pool_id


def current_pool_id(session: Session) -> int:
    """Return the pool of this request or command: the one set on `g`, else the default pool."""
    pool_id = g.get("pool_id") if has_app_context() else None
    return pool_id if pool_id is not None else first_pool_id(session)


def current_pool(session: Session) -> Pool:
    """Return the pool row of this request or command."""
    pool = session.get(Pool, current_pool_id(session))
    assert pool is not None  # ids come from the table itself
    return pool


def use_pool(pool_id: int) -> None:
    """Make the rest of this request or command work for one pool (and forget an identity read for another)."""
    if g.get("pool_id") != pool_id:
        g.pop("pool_identity", None)
    g.pool_id = pool_id


def get_in_pool(session: Session, model: type[T], row_id: object) -> T | None:
    """Load a row by id only if it belongs to this request's pool; another pool's row is as good as absent."""
    row = session.get(model, row_id)
    if row is None or getattr(row, "pool_id") != current_pool_id(session):  # noqa: B009 (any pool-owned table)
        return None
    return row


def pool_by_slug(session: Session, slug: str) -> Pool | None:
    """Return the pool with this short name, or None."""
    return session.exec(select(Pool).where(Pool.slug == slug)).first()


def normal_host(host: str) -> str:
    """Return a host name as it is stored and compared: lower case, no trailing dot, port kept."""
    return host.strip().lower().rstrip(".")


def pool_by_host(session: Session, host: str) -> Pool | None:
    """Return the pool whose own host name this is (with or without the port), or None."""
    wanted = normal_host(host)
    candidates: Iterable[str] = {wanted, wanted.rsplit(":", 1)[0]}
    return session.exec(select(Pool).where(Pool.host.in_(list(candidates)))).first()  # type: ignore[union-attr]


def addressed_pool_id(session: Session, *, slug: str | None, host: str) -> int | None:
    """Return the pool an address names (prefix first, then host), None for the default address.

    An unknown prefix raises LookupError: `/p/unbekannt/anfrage` must be a 404, not the default pool's form.
    """
    if slug is not None:
        pool = pool_by_slug(session, slug)
        if pool is None:
            raise LookupError(slug)
        return pool.id
    if not host or is_installation_host(host):
        return None  # BASE_URL's host is the default pool's: no database look-up on the common path
    pool = pool_by_host(session, host)
    return pool.id if pool is not None else None


def is_installation_host(host: str) -> bool:
    """Tell whether a host name is BASE_URL's, the default pool's address (no pool may claim it)."""
    return normal_host(host) == normal_host(urlsplit(installation_url()).netloc)


def installation_url() -> str:
    """Return the configured BASE_URL without a trailing slash: the default pool's address."""
    return str(current_app.config["BASE_URL"]).rstrip("/")


def base_url_of(session: Session, pool_id: int) -> str:
    """Return the absolute address of a pool's public pages, as mail links and status links need it.

    Kept in the session like `first_pool_id`: the public intake asks it three times (the status link, the
    mail's identity, the receipt), and a pool's address does not change under a running request.
    """
    known = session.info.setdefault(BASE_URL_KEY, {})
    if pool_id not in known:
        known[pool_id] = _base_url_of(session, pool_id)
    return known[pool_id]


def _base_url_of(session: Session, pool_id: int) -> str:
    root = installation_url()
    pool = session.get(Pool, pool_id)
    if pool is None or (not pool.host and pool_id == first_pool_id(session)):
        return root
    if pool.host:
        return f"{urlsplit(root).scheme}://{pool.host}"
    return f"{root}/{PREFIX_SEGMENT}/{pool.slug}"


class PoolPrefixMiddleware:
    """Move `/p/<slug>` from the path into SCRIPT_NAME, so the app sees the usual path under a prefix.

    Flask's `url_for` then writes every link of the page with the prefix, and the pool's slug waits in
    the WSGI environ for the request's pool choice (web.py); whether the slug exists is checked there.
    """

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        match = _PREFIXED_PATH.match(environ.get("PATH_INFO", ""))
        if match:
            slug, rest = match.group(1), match.group(2) or "/"
            environ[ENVIRON_SLUG] = slug
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "").rstrip("/") + f"/{PREFIX_SEGMENT}/{slug}"
            environ["PATH_INFO"] = rest
        return self.app(environ, start_response)
