"""`koordbot db backup` while the bot works, `koordbot db restore` into a fresh
database: every table comes back as it was at the moment of the backup."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.backup import BackupError, backup, restore
from storage.crypto import Cipher
from storage.db import Database
from storage.models import AuditEntry, Base
from tests.conftest import TEST_KEY
from tests.harness import TestBot
from tests.ops_live import clean_env
from tests.test_e2e_cases import create_case

TABLES = [t for t in Base.metadata.sorted_tables]


async def table_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (and the schema version), in primary-key order."""
    db = Database(url, Cipher(TEST_KEY))
    try:
        async with db.engine.connect() as conn:
            found = {}
            for table in TABLES:
                keys = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
                result = await conn.execute(text(f'SELECT * FROM "{table.name}" ORDER BY {keys}'))
                found[table.name] = [tuple(row) for row in result]
            version = await conn.execute(text("SELECT version_num FROM alembic_version"))
            found["alembic_version"] = [tuple(row) for row in version]
        return found
    finally:
        await db.dispose()


async def fresh_database(url: str, tmp_path: Path) -> str:
    """An empty database of the same kind as `url`."""
    parts = make_url(url)
    if parts.get_backend_name() == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/restored.sqlite3"
    name = f"{parts.database}_restore"
    admin = Database(
        parts.set(database="postgres").render_as_string(False),
        Cipher(TEST_KEY),
        isolation_level="AUTOCOMMIT",
    )
    try:
        async with admin.engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    return parts.set(database=name).render_as_string(False)


async def test_backup_during_traffic_restores_every_table(
    bot: TestBot, database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("sqlite") and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed here")
    kari = await bot.registered_user("Kari Koordinator")
    await create_case(kari, "AB")
    await create_case(kari, "CD")
    await kari.send("/oppstart AB")

    stop = asyncio.Event()

    async def traffic() -> int:
        written = 0
        while not stop.is_set():
            async with bot.services.db.session() as session:
                session.add(AuditEntry(at=datetime.now(UTC), action="traffic", detail=str(written)))
            written += 1
            await asyncio.sleep(0)
        return written

    writer = asyncio.create_task(traffic())
    await asyncio.sleep(0.2)
    before = len((await table_rows(database_url))["audit_log"])
    target = tmp_path / "koordbot.backup"
    await asyncio.to_thread(backup, database_url, target)
    await asyncio.sleep(0.1)
    stop.set()
    written = await writer
    assert written > 0

    restored_url = await fresh_database(database_url, tmp_path)
    await asyncio.to_thread(restore, restored_url, target)
    source, restored = await table_rows(database_url), await table_rows(restored_url)

    audit = restored.pop("audit_log")
    assert len(audit) >= before, "the backup holds what was written before it began"
    last = audit[-1][0]
    assert audit == [row for row in source.pop("audit_log") if row[0] <= last]
    assert restored == source
    assert restored["case"] and restored["koordinator"] and restored["deadline"]
    assert target.stat().st_mode & 0o077 == 0


def test_restore_refuses_a_database_with_data(tmp_path: Path, sqlite_url: str) -> None:
    target = tmp_path / "b.sqlite3"
    backup(sqlite_url, target)
    with pytest.raises(BackupError, match="is not empty"):
        restore(sqlite_url, target)
    restore(sqlite_url, target, replace=True)
    with pytest.raises(BackupError, match="exists already"):
        backup(sqlite_url, target)
    (tmp_path / "junk").write_text("not a backup")
    with pytest.raises(BackupError, match="is not a SQLite backup"):
        restore(f"sqlite+aiosqlite:///{tmp_path}/new.sqlite3", tmp_path / "junk")


def test_backup_and_restore_from_the_command_line(tmp_path: Path, sqlite_url: str) -> None:
    def cli(*args: str, url: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "koordbot.cli", "db", *args],
            env=clean_env({"KOORDBOT_DATABASE_URL": url}),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )

    made = cli("backup", "nightly.backup", url=sqlite_url)
    assert made.returncode == 0, made.stderr
    assert "nightly.backup" in made.stdout
    fresh = f"sqlite+aiosqlite:///{tmp_path}/fresh.sqlite3"
    back = cli("restore", "nightly.backup", url=fresh)
    assert back.returncode == 0, back.stderr
    assert cli("current", url=fresh).stdout.strip()[:4].isdigit()
    again = cli("restore", "nightly.backup", url=fresh)
    assert again.returncode == 2 and "--replace" in again.stderr
    assert again.stderr.count("\n") == 1
