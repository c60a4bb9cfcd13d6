"""Alembic environment: uses the connection handed over by storage.db, or the URL
from KOORDBOT_DATABASE_URL when run from the `alembic` command line."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_from_url() -> None:
    url = os.environ.get("KOORDBOT_DATABASE_URL", "sqlite+aiosqlite:///koordbot.sqlite3")

    async def run() -> None:
        engine = create_async_engine(url, hide_parameters=True)
        async with engine.begin() as conn:
            await conn.run_sync(_configure)
        await engine.dispose()

    asyncio.run(run())


if context.is_offline_mode():
    raise SystemExit("offline SQL generation is not supported; run against a database")

handed_over = config.attributes.get("connection")
if handed_over is not None:
    _configure(handed_over)
else:
    _run_from_url()
