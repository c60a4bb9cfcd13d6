"""Engine, sessions and migrations for one database (SQLite or PostgreSQL)."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.crypto import Cipher
from storage.models import OpsMark
from storage.types import attach_cipher

MIGRATIONS = Path(__file__).parent / "migrations"
# OpsMark names: recurring work whose last completion `koordbot health` reports.
SWEEP_COMPLETED = "sweep_completed"
# Any constant works; it only has to be the same in every process.
_MIGRATION_LOCK_ID = 720_431_001

# The type of one update's session (the edge opens it and hands it to the services).
Session = AsyncSession
# The type of the bare connection of one lean read (`Database.reader`).
Reader = AsyncConnection


class Database:
    """Owns the engine and hands out sessions. One per process, made by the app factory."""

    def __init__(self, url: str, cipher: Cipher, **engine_kwargs: Any) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            engine_kwargs.setdefault("connect_args", {"timeout": 30})
        # A failing statement's parameters (an answer, a name) never reach a traceback.
        engine_kwargs.setdefault("hide_parameters", True)
        self.engine: AsyncEngine = create_async_engine(url, **engine_kwargs)
        attach_cipher(self.engine.sync_engine.dialect, cipher)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # One read outside a transaction: PostgreSQL then needs no BEGIN and ROLLBACK
        # round trips (SQLite's driver opens no transaction for a SELECT anyway).
        self._reads = (
            self.engine
            if self.is_sqlite
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session that commits when the block ends normally and rolls back otherwise."""
        async with self.sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[AsyncConnection]:
        """A bare connection for one read statement, without a session or transaction:
        the lean path of the commands that only look something up (/neste, /frister,
        inline lookups). Give it back before talking to Telegram."""
        async with self._reads.connect() as connection:
            yield connection

    async def mark_sweep_completed(self, now: datetime) -> None:
        """Record that a reminder sweep has just completed (any process may)."""
        insert = sqlite_insert if self.is_sqlite else pg_insert
        statement = insert(OpsMark).values(name=SWEEP_COMPLETED, at=now)
        statement = statement.on_conflict_do_update(index_elements=["name"], set_={"at": now})
        async with self.session() as session:
            await session.execute(statement)

    async def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to `revision`; safe when several processes start at once."""
        async with self.engine.begin() as conn:
            if not self.is_sqlite:
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID}
                )
            await conn.run_sync(_run_alembic, "upgrade", revision)

    async def downgrade(self, revision: str) -> None:
        """Step the schema back (used by migration tests)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(_run_alembic, "downgrade", revision)

    async def current_revision(self) -> str | None:
        """The revision the database is at, or None when it has no schema yet."""
        async with self.engine.connect() as conn:
            return await conn.run_sync(
                lambda c: MigrationContext.configure(c).get_current_revision()
            )

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def head_revision() -> str | None:
    """The newest migration this code ships."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def alembic_config() -> Config:
    """An Alembic config pointing at our migrations, independent of the working directory."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _run_alembic(connection: Connection, action: str, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    getattr(command, action)(cfg, revision)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets a reader and a writer work at once; the busy timeout waits out short locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted rows are overwritten, so a deleted case's text does not linger in the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def sqlite_missing(url: str) -> bool:
    """True for a SQLite URL whose file does not exist (yet)."""
    parts = make_url(url)
    return (
        parts.get_backend_name() == "sqlite"
        and bool(parts.database)
        and not Path(parts.database or "").exists()
    )


def sqlite_file_problem(url: str) -> str | None:
    """Why a SQLite URL cannot work, found without connecting (a connection that fails
    leaves aiosqlite's worker thread behind); None when it looks usable."""
    parts = make_url(url)
    if parts.get_backend_name() != "sqlite" or not parts.database:
        return None
    path = Path(parts.database)
    if not path.parent.is_dir():
        return f"the folder '{path.parent}' for the SQLite file does not exist"
    if path.is_file() and path.stat().st_size > 0:
        with path.open("rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                return f"'{path}' is not a SQLite database"
    return None


def describe_connect_error(exc: BaseException, url: str) -> str | None:
    """One line saying why the database could not be opened, or None when `exc` is not
    such a failure. Names host, port, database and user, never the password."""
    parts = make_url(url)
    if parts.get_backend_name() == "sqlite":
        path = Path(parts.database or "")
        for cause in _causes(exc):
            if not isinstance(cause, sqlite3.DatabaseError):
                continue
            if not path.parent.is_dir():
                return f"the folder '{path.parent}' for the SQLite file does not exist"
            if "not a database" in str(cause):
                return f"'{path}' is not a SQLite database"
            if "unable to open" in str(cause):
                return f"the SQLite file '{path}' cannot be opened (check permissions)"
        return None
    where = f"{parts.host or 'localhost'}:{parts.port or 5432}"
    for cause in _causes(exc):
        name = type(cause).__name__
        if name == "InvalidCatalogNameError":
            return f"the database '{parts.database}' does not exist on {where} (createdb it)"
        if name in ("InvalidAuthorizationSpecificationError", "InvalidPasswordError"):
            return (
                f"the PostgreSQL server at {where} refused user '{parts.username}' "
                "(wrong user name or password)"
            )
        if isinstance(cause, socket.gaierror):
            return f"the database host '{parts.host}' is unknown (check the host name)"
        if isinstance(cause, OSError | TimeoutError):
            return f"no PostgreSQL server answers at {where} (is it running and reachable?)"
    return None


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and what it wraps (SQLAlchemy's `orig`, `__cause__`, `__context__`)."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        for inner in (orig, current.__cause__, current.__context__):
            if isinstance(inner, BaseException):
                todo.append(inner)
