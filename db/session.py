"""Engine and sessions built from settings.

Two kinds of session: `read_session()` for queries, and `unit_of_work()` for writes,
which on SQLite starts with BEGIN IMMEDIATE so that concurrent writers queue instead of
failing half-way (and never fork the audit chain). A unit of work commits only when its
block finishes without an exception, and its caller answers only after that commit.

Writers hold the lock briefly: expensive reading and checking goes in a `read_phase`
before the first write, and a writer that cannot get the lock (or a pooled connection)
within `PLANGOV_DB_LOCK_TIMEOUT_SECONDS` gets `DatabaseBusy`, which the API answers with
503 and `Retry-After` instead of a 500.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, Insert, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlmodel import Session

from plangov_app.settings import get_settings

SQLITE_BEGIN_OPTION = "plangov_sqlite_begin"
POOL_OVERFLOW = 8
# PostgreSQL SQLSTATEs that mean "could not get a lock in time" (lock_timeout, deadlock,
# statement cancelled by lock_timeout).
_PG_BUSY_STATES = {"55P03", "40P01", "57014"}


class DatabaseBusy(Exception):
    """The database could not take this write (lock or connection) in time; retry later."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"The database is busy; retry in {retry_after} s.")
        self.retry_after = retry_after


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain `postgresql://` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def _lock_timeout() -> float:
    return get_settings().db_lock_timeout_seconds


def _configure_sqlite(engine: Engine) -> None:
    busy_ms = int(_lock_timeout() * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        mode = conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str) -> Engine:
    """A new engine for `url`, configured for PlanGov.

    The pool is as large as the server's worker-thread pool (`PLANGOV_DB_POOL_SIZE`), so
    requests wait for the database lock, not for a connection; both waits end after the
    lock timeout.
    """
    url = normalise_url(url)
    settings = get_settings()
    timeout = _lock_timeout()
    pooling = {"pool_size": settings.db_pool_size, "max_overflow": POOL_OVERFLOW,
               "pool_timeout": timeout}
    if make_url(url).get_backend_name() == "sqlite":
        if make_url(url).database in (None, "", ":memory:"):
            pooling = {}
        engine = create_engine(url, connect_args={"check_same_thread": False,
                                                  "timeout": timeout}, **pooling)
        _configure_sqlite(engine)
        return engine
    lock_ms = int(timeout * 1000)
    return create_engine(url, pool_pre_ping=True, **pooling,
                         connect_args={"options": f"-c lock_timeout={lock_ms}"})


@lru_cache
def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for `url` (default: settings.database_url)."""
    return make_engine(url or get_settings().database_url)


def upsert(session: Session, table: type) -> Insert:
    """An INSERT into `table` that takes ON CONFLICT clauses, for the session's database."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _writer(engine: Engine) -> Engine:
    if is_sqlite(engine):
        return engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
    return engine


def is_busy(error: BaseException) -> bool:
    """Whether `error` means "no lock or connection in time" rather than a real fault."""
    if isinstance(error, sa_exc.TimeoutError):  # the connection pool stayed empty
        return True
    if not isinstance(error, sa_exc.OperationalError | sa_exc.DBAPIError):
        return False
    original = getattr(error, "orig", None)
    if getattr(original, "sqlstate", None) in _PG_BUSY_STATES:
        return True
    message = str(original or error).lower()
    return "database is locked" in message or "database table is locked" in message


def _busy(error: BaseException) -> DatabaseBusy:
    return DatabaseBusy(retry_after=max(1, math.ceil(_lock_timeout() / 4)))


@contextmanager
def unit_of_work(engine: Engine | None = None) -> Iterator[Session]:
    """A write transaction: committed when the block ends, rolled back on any error.

    Lock or pool time-outs surface as `DatabaseBusy`.
    """
    session = Session(_writer(engine or get_engine()), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException as error:
        session.rollback()
        if is_busy(error):
            raise _busy(error) from error
        raise
    finally:
        session.close()


@contextmanager
def read_phase(session: Session) -> Iterator[None]:
    """Read and check before writing, without holding the write lock.

    Statements in the block run in a plain read transaction, which ends with the block;
    the session's next statement starts the write transaction (BEGIN IMMEDIATE on SQLite),
    so everything read here that a decision rests on must be read again after it (e.g.
    `SELECT … FOR UPDATE` of the row and a comparison). In a session that is already
    writing, the block just runs inside that transaction.
    """
    if session.in_transaction():
        yield
        return
    session.connection(execution_options={SQLITE_BEGIN_OPTION: "DEFERRED"})
    yield
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("read_phase: nothing may be written before the write lock is taken")
    session.commit()  # ends the read transaction; loaded objects stay (expire_on_commit=False)


def finish_write(session: Session) -> None:
    """Commit the write now and release its lock; later reads in `session` take none.

    For the work after a write that only builds the answer (reading the new rows back):
    it no longer holds other writers up. Raises (and the caller answers with an error) if
    the commit fails, so nothing is reported stored that is not.
    """
    session.commit()
    session.connection(execution_options={SQLITE_BEGIN_OPTION: "DEFERRED"})


@contextmanager
def read_session(engine: Engine | None = None) -> Iterator[Session]:
    """A read-only session; anything written in it is discarded.

    Closing (rather than rolling back first) ends the transaction without expiring the
    loaded objects, so callers may keep reading them after the block.
    """
    session = Session(engine or get_engine(), expire_on_commit=False)
    try:
        yield session
    except BaseException as error:
        if is_busy(error):
            raise _busy(error) from error
        raise
    finally:
        session.close()
