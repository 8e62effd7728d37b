"""The intake's four rows in one statement: a new sender, the request, its audit row and its first mail.

On PostgreSQL they are one `WITH … INSERT` statement (data-modifying common table expressions): the
request takes its sender's id from the sender's insert (or the known sender's id), the audit row and the
mail take the request's id from the request's RETURNING. One statement is atomic by itself, so in a session
without a transaction (`db.reads_alone`) it needs no BEGIN and no COMMIT: the intake waits for the server
once for all four rows, and the server plans and runs one statement instead of six. The statement is
compiled once per set of columns and goes straight to the driver (`direct`). A failure comes back as
SQLAlchemy's exception (an `IntegrityError` for a repeated key), and nothing of the four is kept.

SQLite has neither data-modifying WITH nor round trips: there the four inserts run one after the other in
the session's transaction, a later row finding an earlier one by its unique key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Dialect, Integer, String, Table, bindparam, cast, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session, col

from sprachmittlerpool.direct import Params, compiled, run
from sprachmittlerpool.models import AuditEvent, Institution, InterpretingRequest, OutboxMail

IDENTITY = ("pool_id", "name", "type", "email")  # the unique key `institution_identity`
SENDER_COLUMNS = frozenset({*IDENTITY, "created_at", "note"})
# The mail's key names the request: "request:{id}:received" with the id put in by the database.
REQUEST_ID_MARK = "{id}"

_requests: Table = InterpretingRequest.__table__  # type: ignore[attr-defined]
_audit: Table = AuditEvent.__table__  # type: ignore[attr-defined]
_mails: Table = OutboxMail.__table__  # type: ignore[attr-defined]
_institutions: Table = Institution.__table__  # type: ignore[attr-defined]

POSTGRESQL = postgresql.psycopg.dialect()  # type: ignore[attr-defined]


@dataclass(frozen=True)
class NewRows:
    """The columns of the four rows but the ids the database gives.

    `sender` is the institution to add unless it is there (name, type and e-mail decide), used when
    `sender_id` (a sender the look-up found) is None; `mail`'s dedupe key holds REQUEST_ID_MARK.
    """

    request: Params
    audit: Params
    mail: Params
    sender: Params
    sender_id: int | None


def store(session: Session, rows: NewRows) -> tuple[int, int]:
    """Insert the rows in the session's transaction, or as one statement of their own; return the request's
    id and its sender's."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        _statement(POSTGRESQL, *_columns(rows), new_sender=rows.sender_id is None)  # refuses what PG would
        return _one_by_one(session, rows)
    sql, process = _statement(connection.dialect, *_columns(rows), new_sender=rows.sender_id is None)
    found = run(session, sql, process(_params(rows)))
    assert found is not None  # the statement returns the request it inserted
    return found[0], found[1]


def _columns(rows: NewRows) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    return frozenset(rows.request), frozenset(rows.audit), frozenset(rows.mail)


def _params(rows: NewRows) -> dict[str, Any]:
    """Each row's values under its own prefix: the four rows share column names (pool_id, created_at)."""
    params = {f"r_{k}": v for k, v in rows.request.items()}
    params |= {f"a_{k}": v for k, v in rows.audit.items()}
    params |= {f"m_{k}": v for k, v in rows.mail.items()}
    if rows.sender_id is None:
        params |= {f"s_{k}": v for k, v in rows.sender.items()}
    else:
        params["sender_id"] = rows.sender_id
    return params


@lru_cache(maxsize=16)
def _statement(
    dialect: Dialect,
    request: frozenset[str],
    audit: frozenset[str],
    mail: frozenset[str],
    *,
    new_sender: bool,
) -> tuple[str, Callable[[Params], Params]]:
    """Build and compile the one statement for these columns; return its SQL and what turns values into binds."""
    defaults: dict[str, Any] = {}
    if new_sender:
        added = pg_insert(_institutions).values(_binds(_institutions, SENDER_COLUMNS, "s_", defaults))
        # DO UPDATE, not DO NOTHING: it returns the id of a sender another request added meanwhile too
        sender = added.on_conflict_do_update(index_elements=IDENTITY, set_={"name": added.excluded.name})
        sender_id: Any = select(sender.returning(_institutions.c.id).cte("sender").c.id).scalar_subquery()
    else:
        sender_id = bindparam("sender_id", type_=Integer)
    new_request = (
        insert(_requests)
        .values(
            {
                **_binds(_requests, request, "r_", defaults),
                "institution_id": sender_id,
            }
        )
        .returning(_requests.c.id, _requests.c.institution_id)
        .cte("new_request")
    )
    request_id = cast(new_request.c.id, String)
    audit_row = _insert_for(_audit, audit, "a_", defaults, new_request, {"entity_id": request_id})
    dedupe_key = func.replace(bindparam("m_dedupe_key", type_=String), REQUEST_ID_MARK, request_id)
    first_mail = _insert_for(
        _mails, mail - {"dedupe_key"}, "m_", defaults, new_request, {"dedupe_key": dedupe_key}
    )
    statement = select(new_request.c.id, new_request.c.institution_id).add_cte(
        audit_row.cte("audit_row"), first_mail.cte("first_mail")
    )
    return compiled(dialect, statement, tuple(sorted(defaults.items())))


def _binds(
    table: Table,
    given: frozenset[str],
    prefix: str,
    defaults: dict[str, Any],
    computed: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """A typed parameter per given column, and per left-out column with a constant default (into `defaults`).

    A left-out column whose default only SQLAlchemy could compute (a function) is refused: the database
    would not apply it, so the caller gives it.
    """
    binds = {}
    for column in table.columns:
        name = column.name
        if name in given or (column.default is not None and name not in computed):
            if name not in given:
                if not column.default.is_scalar:
                    raise ValueError(f"the intake's statement needs a value for {table.name}.{name}")
                defaults[prefix + name] = column.default.arg
            binds[name] = bindparam(prefix + name, type_=column.type)
    return binds


def _insert_for(
    table: Table,
    given: frozenset[str],
    prefix: str,
    defaults: dict[str, Any],
    source: Any,
    computed: dict[str, Any],
) -> Any:
    """An insert of one row per row of `source` (the new request): given columns, defaults and computed ones."""
    columns = _binds(table, given, prefix, defaults, computed=frozenset(computed)) | computed
    return insert(table).from_select(
        list(columns), select(*columns.values()).select_from(source), include_defaults=False
    )


def _one_by_one(session: Session, rows: NewRows) -> tuple[int, int]:
    """SQLite: the same rows as four inserts in the session's transaction."""
    if rows.sender_id is None:
        session.execute(SENDER_UNLESS_PRESENT, dict(rows.sender))
        sender = {f"sender_{k}": rows.sender[k] for k in IDENTITY}
        found = session.execute(REQUEST_BY_SENDER, {**rows.request, **sender}).one()
    else:
        found = session.execute(REQUEST, {**rows.request, "institution_id": rows.sender_id}).one()
    token = {"status_token_hash": rows.request["status_token_hash"]}
    session.execute(AUDIT_BY_TOKEN, {**rows.audit, **token})
    session.execute(MAIL_BY_TOKEN, {**rows.mail, **token})
    return found[0], found[1]


SENDER_ID = (
    select(col(Institution.id))
    .where(*(_institutions.c[name] == bindparam(f"sender_{name}") for name in IDENTITY))
    .scalar_subquery()
)
REQUEST_ID = cast(
    select(_requests.c.id)
    .where(_requests.c.status_token_hash == bindparam("status_token_hash"))
    .scalar_subquery(),
    String,
)
# A sender that is there after all stays one row: the request then names it by its identity (SENDER_ID).
SENDER_UNLESS_PRESENT = sqlite.insert(_institutions).on_conflict_do_nothing(index_elements=list(IDENTITY))
REQUEST = insert(_requests).returning(_requests.c.id, _requests.c.institution_id)
REQUEST_BY_SENDER = REQUEST.values(institution_id=SENDER_ID)
AUDIT_BY_TOKEN = insert(_audit).values(entity_id=REQUEST_ID)
MAIL_BY_TOKEN = insert(_mails).values(
    dedupe_key=func.replace(bindparam("dedupe_key", type_=String), REQUEST_ID_MARK, REQUEST_ID)
)
