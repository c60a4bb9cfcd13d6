"""Fixtures: a migrated database per test (SQLite always, PostgreSQL when
KOORDBOT_TEST_DATABASE_URL points at a reachable server), a controllable clock and
a running bot against the Telegram stand-in."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bot.clock import ManualClock
from bot.settings import Settings, load_settings
from storage.crypto import Cipher
from storage.db import Database
from storage.models import Base
from tests.harness import TestBot

OSLO = ZoneInfo("Europe/Oslo")
ADMIN_ID = 900_001
TEST_KEY = Cipher.generate_key()
PG_ENV = "KOORDBOT_TEST_DATABASE_URL"


def _pg_url() -> str | None:
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        return None
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+asyncpg://" + url.split("://", 1)[1]
    return url


_pg_state: dict[str, str | None] = {}


def _pg_ready() -> str | None:
    """Reset the PostgreSQL test database once per run; the reason when unusable."""
    if "reason" in _pg_state:
        return _pg_state["reason"]
    url = _pg_url()
    if url is None:
        _pg_state["reason"] = f"{PG_ENV} is not set; PostgreSQL tests skipped"
        return _pg_state["reason"]

    async def reset() -> None:
        db = Database(url, Cipher(TEST_KEY))
        try:
            async with db.engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
            await db.upgrade()
        finally:
            await db.dispose()

    try:
        asyncio.run(asyncio.wait_for(reset(), timeout=20))
        _pg_state["reason"] = None
    except Exception as exc:  # noqa: BLE001 - any failure means: skip with the reason
        _pg_state["reason"] = f"PostgreSQL at {PG_ENV} is not reachable ({exc!r:.120})"
    return _pg_state["reason"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once keeps tests fast)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"

    async def migrate() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}", Cipher(TEST_KEY))
        await db.upgrade()
        await db.dispose()

    asyncio.run(migrate())
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path
) -> Iterator[str]:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        target = tmp_path / "koordbot.sqlite3"
        shutil.copy(sqlite_template, target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    yield empty_postgres()


def empty_postgres() -> str:
    """The URL of the PostgreSQL test database with every table emptied (skips the test,
    saying why, when KOORDBOT_TEST_DATABASE_URL is unset or unreachable)."""
    reason = _pg_ready()
    if reason:
        pytest.skip(reason)
    url = _pg_url()
    assert url is not None

    async def truncate() -> None:
        db = Database(url, Cipher(TEST_KEY))
        try:
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            async with db.engine.begin() as conn:
                await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        finally:
            await db.dispose()

    asyncio.run(truncate())
    return url


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated SQLite database (for tests that need only one backend)."""
    target = tmp_path / "koordbot.sqlite3"
    shutil.copy(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
def clock() -> ManualClock:
    """Tuesday 24 November 2026, 09:00 in Oslo."""
    return ManualClock(datetime(2026, 11, 24, 9, 0, tzinfo=OSLO))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        database_url=database_url,
        admin_ids=str(ADMIN_ID),
        encryption_key=TEST_KEY,
        local_key_file=tmp_path / "local.key",
        # Tests talk to the stand-in; the real sending pace has a test of its own.
        send_per_chat_seconds=0.0,
        send_per_second=1000.0,
        # The chat tests predate the web form; form and off have tests of their own.
        free_text="chat",
    )


@pytest.fixture
async def bot(settings: Settings, clock: ManualClock) -> AsyncIterator[TestBot]:
    """A running bot on a fresh database (each backend)."""
    test_bot = TestBot(settings=settings, cipher=Cipher(TEST_KEY), clock=clock)
    await test_bot.start()
    try:
        yield test_bot
    finally:
        await test_bot.stop()


# CI runs the property tests with a fixed seed, so a run is repeatable; locally they
# explore new examples every time.
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")
