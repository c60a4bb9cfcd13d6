"""Telegram mode: long polling by default, a webhook when a public URL is configured.

Process roles let a municipality split the work over processes sharing one
PostgreSQL database: `updates` answers users (polling or webhook) and runs no reminder
jobs, `reminders` runs the jobs and receives no updates, `all` (default) does both."""

from __future__ import annotations

import asyncio
import signal
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from telegram import Update

from bot.settings import Settings
from koordbot.app import FATAL, App, build_application, start_app, stop_app
from koordbot.startup import webhook_secret


class Role(StrEnum):
    ALL = "all"
    UPDATES = "updates"
    REMINDERS = "reminders"


def webhook_options(settings: Settings, secret: str) -> dict[str, Any]:
    """Keyword arguments for `run_webhook` / `Updater.start_webhook` from the settings."""
    # Listen on the URL's own path (a reverse proxy forwards it unchanged).
    path = urlsplit(settings.webhook_url).path.strip("/")
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": path,
        "webhook_url": settings.webhook_url,
        "secret_token": secret,
        "allowed_updates": Update.ALL_TYPES,
    }


def run_telegram(settings: Settings, role: Role = Role.ALL) -> None:
    """Run until interrupted; raises the fault that stopped the bot, if any."""
    app = build_application(settings, jobs=role is not Role.UPDATES)
    # The start-up checks ran in asyncio.run, which leaves no current loop behind; older
    # python-telegram-bot releases need one for run_polling / run_webhook.
    asyncio.set_event_loop(asyncio.new_event_loop())
    if role is Role.REMINDERS:
        asyncio.run(run_jobs_only(app))
    elif settings.webhook_url:
        app.run_webhook(**webhook_options(settings, webhook_secret(settings)))
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    fatal = app.bot_data.get(FATAL)
    if isinstance(fatal, BaseException):
        raise fatal


async def run_jobs_only(app: App, stop: asyncio.Event | None = None) -> None:
    """The reminder worker: the job queue runs, no updates are fetched; until `stop` is
    set (by default: SIGINT or SIGTERM)."""
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    await start_app(app)
    try:
        await app.start()
        try:
            await stop.wait()
        finally:
            await app.stop()
    finally:
        await stop_app(app)
