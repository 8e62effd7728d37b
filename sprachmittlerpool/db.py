"""The database engine and one session per app context.

SQLite needs care to behave like a real database under concurrency: foreign keys are
off by default, pysqlite's own BEGIN handling defers locks until the first write (so a
read-then-write transaction fails with "database is locked" instead of waiting), and
the default journal blocks readers. The recipe below takes over BEGIN, turns on WAL,
foreign keys and a busy timeout. Write paths ask for BEGIN IMMEDIATE up front.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from sprachmittlerpool.config import ConfigError
from sprachmittlerpool.private_files import make_private

T = TypeVar("T")

IMMEDIATE = "sqlite_begin_immediate"
# Marks a view (attribute) and its session (info key) whose reads run alone; see `reads_alone`.
READS_ALONE = "reads_alone"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# How long a SQLite connection waits for another writer's lock before it gives up.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str) -> Engine:
    """Create the engine for a URL with the per-dialect settings this app relies on."""
    if url.startswith("sqlite"):
        _private_database_file(url)
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        )
        _install_sqlite_recipe(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})


def _private_database_file(url: str) -> None:
    """Create or tighten the SQLite file to 0600 before SQLite opens it (its -wal and -shm follow it)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.parent.is_dir():
        make_private(path)


def _install_sqlite_recipe(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")  # erased personal data must not linger in free pages
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        immediate = connection.get_execution_options().get(IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def init_app(app: Flask) -> None:
    """Create the engine, check that the database answers, and close sessions on teardown."""
    engine = make_engine(app.config["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        raise ConfigError(
            f"Die Datenbank unter {engine.url.render_as_string(hide_password=True)} ist nicht erreichbar."
        ) from exc
    app.extensions["sqlalchemy_engine"] = engine
    app.extensions["sqlalchemy_engine_options"] = {}
    # Each request ends its own session, even where an app context outlives it (tests, CLI runners),
    # so no request ever sees another one's identity map.
    app.teardown_request(_close_session)
    app.teardown_appcontext(_close_session)


def get_engine() -> Engine:
    """Return the app's engine."""
    return current_app.extensions["sqlalchemy_engine"]


def new_session(*, write: bool, alone: bool = False) -> Session:
    """Open a session; write sessions take SQLite's write lock at BEGIN so they wait instead of failing.

    `alone` (PostgreSQL only) opens no transaction for reads; see `reads_alone`.
    """
    engine = get_engine()
    alone = alone and engine.dialect.name == "postgresql"
    if write or alone:
        engine = _with_options(engine, write=write, alone=alone)
    session = Session(engine, expire_on_commit=False)
    session.info[READS_ALONE] = alone
    return session


def _with_options(engine: Engine, *, write: bool, alone: bool) -> Engine:
    """Return the engine with these options, made once: making one costs a tenth of a millisecond."""
    made = current_app.extensions["sqlalchemy_engine_options"]
    if (write, alone) not in made:
        options: dict[str, Any] = {IMMEDIATE: True} if write else {}
        if alone:
            options["isolation_level"] = "AUTOCOMMIT"
        made[write, alone] = engine.execution_options(**options)
    return made[write, alone]


def reads_alone(view: Callable[..., T]) -> Callable[..., T]:
    """Run the view's reads without a transaction; its writes must be one statement (`intake_store`).

    A transaction costs two round trips to PostgreSQL (BEGIN before the first statement, COMMIT or ROLLBACK
    after the last). The public intake reads (its caller's token, the lists and the sender) and then writes
    four rows with one statement, which is atomic by itself: without the transaction the request waits for
    the server three times instead of five. Each read of READ COMMITTED sees the latest committed data
    either way, so nothing read changes meaning. A write through the session would commit on its own, one
    statement at a time, and is refused (`WriteWithoutTransaction`). SQLite keeps its transaction.
    """
    setattr(view, READS_ALONE, True)
    return view


def commit(session: Session) -> None:
    """Commit the session's transaction; a session without one (`reads_alone`) has nothing left to commit.

    Its one write committed itself; SQLAlchemy's commit would only find that out (a tenth of a millisecond).
    """
    if not session.info.get(READS_ALONE):
        session.commit()


class WriteWithoutTransaction(RuntimeError):
    """A session whose reads run alone was asked to write through the ORM, one statement at a time."""


@event.listens_for(Session, "do_orm_execute")
def _refuse_single_write(state: Any) -> None:
    if state.session.info.get(READS_ALONE) and (state.is_insert or state.is_update or state.is_delete):
        raise WriteWithoutTransaction("this session has no transaction to write in")


@event.listens_for(Session, "before_flush")
def _refuse_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(READS_ALONE) and (session.new or session.dirty or session.deleted):
        raise WriteWithoutTransaction("this session has no transaction to write in")


def get_session() -> Session:
    """Return this app context's session: a write session for POST/PUT/PATCH/DELETE and outside requests."""
    if "db_session" not in g:
        write = not (has_request_context() and request.method in READ_METHODS)
        g.db_session = _holding(new_session(write=write, alone=_view_reads_alone()))
    return g.db_session


def _view_reads_alone() -> bool:
    if not has_request_context() or request.endpoint is None:
        return False
    return getattr(current_app.view_functions.get(request.endpoint), READS_ALONE, False)


def _holding(session: Session) -> Session:
    """Keep every row this session loads until it closes, so `session.get` of it again needs no query.

    SQLAlchemy's identity map holds rows weakly: the pool row, a language or a municipality read early in a
    request was gone again by the time the mail or the page asked for it, and was read a second or third
    time. A request's session lives for one request, so holding its rows costs little.
    """
    held: list[object] = []
    session.info["held"] = held
    event.listen(session, "loaded_as_persistent", lambda _session, row: held.append(row))
    return session


@contextmanager
def write_session() -> Iterator[Session]:
    """Open a separate write session for jobs and scripts, committed or rolled back on exit."""
    session = new_session(write=True)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def end_session() -> None:
    """End this app context's session now, rolling back what it did (a refused request keeps nothing)."""
    _close_session(None)


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def find_or_insert(session: Session, find: Callable[[], T | None], make: Callable[[], T]) -> T:
    """Return the row `find` sees, or insert `make()` in the caller's transaction.

    Two transactions can both find nothing (PostgreSQL; SQLite's write lock serialises them); the unique
    index then refuses the later insert. A savepoint undoes only that insert, and the caller gets the
    winner's row and keeps the rest of its transaction instead of an IntegrityError.
    """
    existing = find()
    if existing is not None:
        return existing
    row = make()
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        winner = find()
        if winner is None:
            raise  # another constraint failed: not a duplicate
        return winner
    return row
