"""Engines and sessions from DATABASE_URL's plain forms."""

from __future__ import annotations

import logging
import os
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.util import await_only

DEFAULT_URL = "sqlite:///lianxin.db"


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_URL


def async_url(url: str) -> str:
    """`sqlite:///f.db` → aiosqlite, `postgresql://…` → asyncpg; explicit drivers are kept."""
    parsed = make_url(url)
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "sqlite":
        drivername = "sqlite+aiosqlite"
    elif backend in ("postgresql", "postgres"):
        drivername = f"postgresql+{driver}" if driver in ("asyncpg", "psycopg") else (
            "postgresql+asyncpg")
    else:
        raise ValueError(
            f"unsupported database {backend!r}: use sqlite:///file.db or postgresql://…")
    return parsed.set(drivername=drivername).render_as_string(hide_password=False)


def _sqlite_serialised_writes(engine: AsyncEngine) -> None:
    """SQLite: WAL, and BEGIN IMMEDIATE so concurrent writers wait instead of failing.

    synchronous=NORMAL: in WAL mode a commit is still atomic and survives a crash of the
    process; only a power loss can take back the last commits (no fsync per commit)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        # straight to aiosqlite: one trip to its thread, where a cursor opened, executed and
        # closed through SQLAlchemy makes three (each a thread wake-up on every transaction)
        await_only(connection.connection.driver_connection.execute("BEGIN IMMEDIATE"))


SQLITE_POOL_TIMEOUT_S = 30.0


def create_engine(url: str) -> AsyncEngine:
    """An engine for `url` (see `async_url`).

    SQLite takes one writer at a time (BEGIN IMMEDIATE: every transaction here), so the
    process keeps one connection and transactions queue for it in the event loop, in order.
    With more connections they would queue inside SQLite, whose busy handler sleeps (up to
    100 ms a time) rather than waking the next writer, and a connection past the pool's size
    would be opened (a thread, PRAGMAs) and closed for each transaction.

    No reset on return (pool_reset_on_return=None): the driver is in autocommit mode and
    every transaction is a unit of work's BEGIN IMMEDIATE, committed or rolled back before
    its session closes, so the pool's extra ROLLBACK would be one more thread trip each."""
    full = async_url(url)
    if full.startswith("sqlite"):
        engine = create_async_engine(full, connect_args={"timeout": 30}, pool_size=1,
                                     max_overflow=0, pool_timeout=SQLITE_POOL_TIMEOUT_S,
                                     pool_reset_on_return=None)
        _sqlite_serialised_writes(engine)
        return engine
    return create_async_engine(full, pool_pre_ping=True)


def session_factory(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> bool:
    """Whether the database answers a trivial query (a health check)."""
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        logging.getLogger(__name__).warning("the database does not answer", exc_info=True)
        return False
    return True


def unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached right now (restarted, down, not
    accepting connections): worth one line in the log and a retry, not a traceback."""
    if isinstance(exc, (OSError, ConnectionError)):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    words = str(exc.orig or exc).lower()
    return exc.connection_invalidated or any(w in words for w in (
        "connection", "accepting connections", "terminat", "shutdown", "starting up"))
