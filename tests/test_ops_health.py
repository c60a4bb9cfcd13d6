"""`koordbot health`: one line and an exit code from the database, the migrations and
the reminder sweep; and the JSON log format."""

from __future__ import annotations

import io
import json
import logging
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from telegram.error import RetryAfter

from bot import health
from bot.reminders.pacing import SendBudget
from koordbot.logs import configure_logging
from koordbot.sending import BudgetRateLimiter
from storage.crypto import Cipher
from storage.db import Database, head_revision
from storage.models import Koordinator, Reminder
from tests.conftest import TEST_KEY
from tests.harness import TestBot
from tests.ops_live import clean_env
from tests.test_e2e_cases import create_case

# The newest migration: each branch adds its own, the merge chains them.
HEAD = head_revision()


async def check(bot: TestBot) -> health.Health:
    services = bot.services
    return await health.check(services.db, services.now(), services.settings.sweep_seconds)


async def test_health_follows_the_reminder_sweep(bot: TestBot, clock) -> None:
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    first = await check(bot)
    assert not first.healthy
    assert first.line().startswith("UNHEALTHY: no reminder sweep has completed yet")

    await bot.sweep()
    now = await check(bot)
    assert now.healthy, now.line()
    assert now.line().startswith(f"OK: database reachable; migrations current ({HEAD})")
    assert "last reminder sweep 0 s ago" in now.line()
    assert "0 reminders failed for good; 0 koordinatorer unreachable" in now.line()

    clock.advance(timedelta(minutes=30))  # no process has swept for half an hour
    stale = await check(bot)
    assert not stale.healthy
    assert "last reminder sweep 30 min ago (expected every 60 s)" in stale.line()
    await bot.sweep()
    assert (await check(bot)).healthy


async def test_failed_reminders_and_unreachable_koordinatorer_are_reported(
    bot: TestBot,
) -> None:
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await bot.sweep()
    async with bot.services.db.session() as session:
        await session.execute(update(Reminder).values(status="failed"))
        await session.execute(
            update(Koordinator)
            .where(Koordinator.telegram_user_id == kari.user_id)
            .values(unreachable_since=bot.services.now())
        )
    found = await check(bot)
    assert found.healthy  # a person must act, a restart would not help
    assert "koordinatorer unreachable" in found.line()
    assert "1 koordinatorer unreachable" in found.line()
    assert " 0 reminders failed" not in found.line()


async def test_old_schema_and_unreachable_database_are_unhealthy(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/old.sqlite3", Cipher(TEST_KEY))
    try:
        await db.upgrade("0004")
        found = await health.check(db, datetime.now(UTC), 60)
        assert found.line().startswith("UNHEALTHY: migrations not current (database 0004")
    finally:
        await db.dispose()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gone = Database(f"postgresql+asyncpg://x:pw@127.0.0.1:{port}/x", Cipher(TEST_KEY))
    try:
        found = await health.check(gone, datetime.now(UTC), 60)
    finally:
        await gone.dispose()
    assert found.line().startswith("UNHEALTHY: database not reachable")
    assert "pw" not in found.line()


def test_health_from_the_command_line(tmp_path: Path, sqlite_url: str) -> None:
    def cli(url: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "koordbot.cli", "health"],
            env=clean_env({"KOORDBOT_DATABASE_URL": url}),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )

    fresh = cli(sqlite_url)
    assert fresh.returncode == 1, fresh.stderr
    assert fresh.stdout.strip() == (
        "UNHEALTHY: no reminder sweep has completed yet; database reachable; "
        f"migrations current ({HEAD}); 0 reminders failed for good; 0 koordinatorer unreachable"
    )
    missing = cli(f"sqlite+aiosqlite:///{tmp_path}/nothing-here.sqlite3")
    assert missing.returncode == 1
    assert missing.stdout.startswith("UNHEALTHY: database not reachable")
    assert not (tmp_path / "nothing-here.sqlite3").exists()


def test_json_log_lines_carry_the_traceback_and_mask_secrets() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging("json", ["s3cret-value"], stream=stream)
    try:
        log = logging.getLogger("koordbot.test")
        log.info("hello %s", "s3cret-value")
        try:
            raise ValueError("boom s3cret-value")
        except ValueError:
            log.exception("it failed")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "hello ***" and first["level"] == "INFO"
    assert first["logger"] == "koordbot.test" and first["time"].endswith("+00:00")
    assert "ValueError: boom ***" in second["exception"]
    assert "s3cret-value" not in stream.getvalue()


async def test_flood_control_outlasting_the_rate_limiters_retries_is_a_warning() -> None:
    """Found by the chaos suite: 429s that outlast the rate limiter's retries were logged
    as ERROR with a traceback, although the caller waits the flood out (replies,
    reminders). Our rate limiter (one sending budget) logs a warning per retry and hands
    RetryAfter to the caller: no ERROR line for an alert to fire on."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging(stream=stream)
    try:
        limiter = BudgetRateLimiter(SendBudget(1000, 0), max_retries=1)

        async def flooded(*args: object, **kwargs: object) -> bool:
            raise RetryAfter(0)

        with pytest.raises(RetryAfter):
            await limiter.process_request(flooded, (), {}, "sendMessage", {"chat_id": 1}, None)
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    text = stream.getvalue()
    assert "WARNING koordbot.sending: sendMessage got 429" in text
    assert "ERROR" not in text and "Traceback" not in text
