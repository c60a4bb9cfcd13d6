"""Process roles: `updates` answers users and runs no reminder jobs, `reminders` runs
the jobs and fetches no updates; a second process polling the same token is refused
with one line instead of a 409 loop."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bot.settings import Settings
from koordbot.app import SWEEP_JOBS, build_application
from koordbot.standin import FakeTelegram
from koordbot.telegram_mode import run_jobs_only
from storage.crypto import Cipher
from tests.conftest import ADMIN_ID, TEST_KEY
from tests.ops_live import koordbot, live_standin

JOB_NAME = SWEEP_JOBS[0][0]  # the reminder sweep
TOKEN = "7000000001:AAH-role-test-token-0123456789"


def job_names(app) -> set[str]:
    assert app.job_queue is not None
    return {job.name for job in app.job_queue.jobs()}


def test_the_updates_role_registers_no_reminder_jobs(settings: Settings) -> None:
    everything = build_application(settings, telegram=FakeTelegram(), cipher=Cipher(TEST_KEY))
    updates_only = build_application(
        settings, telegram=FakeTelegram(), cipher=Cipher(TEST_KEY), jobs=False
    )
    assert JOB_NAME in job_names(everything)
    assert job_names(updates_only) == set()


async def test_the_reminders_role_runs_the_jobs_and_fetches_no_updates(
    settings: Settings,
) -> None:
    telegram = FakeTelegram()
    app = build_application(settings, telegram=telegram, cipher=Cipher(TEST_KEY))
    stop = asyncio.Event()
    worker = asyncio.create_task(run_jobs_only(app, stop))
    async with asyncio.timeout(20):
        while not (app.running and app.job_queue and app.job_queue.scheduler.running):
            await asyncio.sleep(0.05)
    assert JOB_NAME in job_names(app)
    await asyncio.sleep(0.3)
    stop.set()
    await asyncio.wait_for(worker, 20)
    assert not [c for c in telegram.calls if c.method == "getUpdates"]
    assert not app.running


def env_for(tmp_path: Path, url: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "KOORDBOT_ENCRYPTION_KEY": TEST_KEY,
        "KOORDBOT_ADMIN_IDS": str(ADMIN_ID),
        "KOORDBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.sqlite3",
        "KOORDBOT_BOT_API_URL": url,
    }


def test_a_second_poller_on_the_token_is_refused_with_one_line(tmp_path: Path) -> None:
    with live_standin() as standin:
        env = env_for(tmp_path, standin.url)
        first = koordbot("run", env=env, cwd=tmp_path)
        second = None
        try:
            standin.wait_for(lambda: standin.calls("getUpdates"), timeout=30)
            second = koordbot("run", "--role", "updates", env=env, cwd=tmp_path)
            # Telegram ends the older request with 409; that process stops cleanly.
            standin.wait_for(lambda: first.poll() is not None or second.poll() is not None, 40)
        finally:
            for process in (first, second):
                if process is not None and process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            outputs = [p.communicate(timeout=30) for p in (first, second) if p is not None]
    codes = [first.returncode, second.returncode if second else None]
    assert 2 in codes, (codes, [err[-1500:] for _, err in outputs])
    stopped = outputs[codes.index(2)][1].strip().splitlines()
    assert stopped[-1].startswith("koordbot: TELEGRAM_BOT_TOKEN is already used by another")
    assert "Traceback" not in "\n".join(stopped)
    assert TOKEN.split(":")[1] not in "".join(out + err for out, err in outputs)
