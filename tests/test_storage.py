"""Storage: migrations from empty on both databases, models and migrations agree,
free text encrypted at rest, instants in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from storage.crypto import Cipher
from storage.db import Database
from storage.models import Base, Koordinator
from tests.conftest import TEST_KEY


async def test_migrations_run_from_empty_and_back(database_url):
    db = Database(database_url, Cipher(TEST_KEY))
    try:
        await db.downgrade("base")
        assert await db.current_revision() is None
        await db.upgrade()
        assert await db.current_revision() is not None
        await db.upgrade()  # idempotent: a second start changes nothing
    finally:
        await db.dispose()


async def test_models_and_migrations_agree(database_url):
    db = Database(database_url, Cipher(TEST_KEY))
    try:
        async with db.engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": False}), Base.metadata
                )
            )
    finally:
        await db.dispose()
    assert diff == []


async def test_names_are_encrypted_at_rest(database_url):
    db = Database(database_url, Cipher(TEST_KEY))
    marker = "Blåbærsyltetøy-Markør"
    try:
        async with db.session() as s:
            s.add(
                Koordinator(
                    telegram_user_id=42,
                    name=marker,
                    tjenestested="skole",
                    is_admin=False,
                    active=True,
                    created_at=datetime.now(UTC),
                )
            )
        async with db.engine.connect() as conn:
            raw = (await conn.execute(text("SELECT name FROM koordinator"))).scalar_one()
        assert marker not in raw
        async with db.session() as s:
            row = await s.get(Koordinator, 1)
            assert row is not None and row.name == marker
            assert row.created_at.tzinfo is not None
    finally:
        await db.dispose()
    if database_url.startswith("sqlite"):
        path = Path(database_url.split("///", 1)[1])
        raw_bytes = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert marker.encode() not in raw_bytes


async def test_a_wrong_key_cannot_read(sqlite_url):
    db = Database(sqlite_url, Cipher(TEST_KEY))
    async with db.session() as s:
        s.add(
            Koordinator(
                telegram_user_id=43,
                name="Navn",
                is_admin=False,
                active=True,
                created_at=datetime.now(UTC),
            )
        )
    await db.dispose()
    other = Database(sqlite_url, Cipher(Cipher.generate_key()))
    try:
        with pytest.raises(ValueError, match="cannot be decrypted"):
            async with other.session() as s:
                await s.get(Koordinator, 1)
    finally:
        await other.dispose()


async def test_sqlite_runs_in_wal_mode(sqlite_url):
    db = Database(sqlite_url, Cipher(TEST_KEY))
    try:
        async with db.engine.connect() as conn:
            mode = (await conn.execute(text("PRAGMA journal_mode"))).scalar_one()
        assert mode == "wal"
    finally:
        await db.dispose()


def test_naive_datetimes_are_refused():
    from storage.types import UTCDateTime

    with pytest.raises(ValueError):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), None)  # type: ignore[arg-type]


async def test_sqlite_transactions_that_read_then_write_wait_for_each_other(sqlite_url):
    """Two updates that each read, then write (a press of Utført: load the deadline,
    update it) queue on SQLite instead of failing. In WAL mode a transaction that
    began as a reader cannot become a writer once another has committed since its
    read («database is locked» at once, whatever the busy timeout); the driver opens
    the transaction at the first write, so the read holds no snapshot. This guards
    that against a change of driver settings (the morning wave runs 32 updates at
    once)."""
    import asyncio

    from sqlalchemy import select, update

    db = Database(sqlite_url, Cipher(TEST_KEY))
    try:
        async with db.session() as s:
            for uid in (51, 52):
                s.add(
                    Koordinator(
                        telegram_user_id=uid,
                        name="Navn",
                        is_admin=False,
                        active=True,
                        created_at=datetime.now(UTC),
                    )
                )
        first_read = asyncio.Event()

        async def press(uid: int, wait: asyncio.Event | None) -> None:
            async with db.session() as s:
                await s.scalar(select(Koordinator.id).where(Koordinator.telegram_user_id == uid))
                first_read.set()
                if wait is not None:
                    await asyncio.sleep(0.2)  # the other one writes and commits meanwhile
                await s.execute(
                    update(Koordinator)
                    .where(Koordinator.telegram_user_id == uid)
                    .values(active=False)
                )

        async def second() -> None:
            await first_read.wait()
            await press(52, None)

        await asyncio.wait_for(asyncio.gather(press(51, first_read), second()), 20)
        async with db.session() as s:
            actives = (await s.scalars(select(Koordinator.active))).all()
        assert actives == [False, False]
    finally:
        await db.dispose()
