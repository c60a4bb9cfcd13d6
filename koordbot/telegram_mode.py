"""Telegram mode: long polling by default, a webhook when a public URL is configured.

Process roles let a municipality split the work over processes sharing one
PostgreSQL database: `updates` answers users (polling or webhook) and runs no reminder
jobs, `reminders` runs the jobs and receives no updates, `all` (default) does both.
With the web form (KOORDBOT_FREE_TEXT=form) uvicorn serves it in the same event loop as
the process that answers updates."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from telegram import Update

from bot.settings import Settings
from koordbot.app import FATAL, App, build_application, start_app, stop_app
from koordbot.startup import webhook_secret
from koordbot.webserver import WebServer, bind, web_app

log = logging.getLogger(__name__)


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


def warn_about_free_text(settings: Settings) -> None:
    """Chat mode sends every free-text answer through Telegram: say so at start-up."""
    if settings.free_text_mode == "chat":
        log.warning(
            "KOORDBOT_FREE_TEXT=chat: free-text answers and notes about persons go through "
            "Telegram's servers, which have no data processing agreement with the "
            "municipality. Use form (the web form) or off."
        )


def run_telegram(settings: Settings, role: Role = Role.ALL) -> None:
    """Run until interrupted; raises the fault that stopped the bot, if any."""
    settings.require_form()
    warn_about_free_text(settings)
    app = build_application(settings, jobs=role is not Role.UPDATES)
    # The start-up checks ran in asyncio.run, which leaves no current loop behind; older
    # python-telegram-bot releases need one for run_polling / run_webhook.
    asyncio.set_event_loop(asyncio.new_event_loop())
    secret = webhook_secret(settings) if settings.webhook_url else ""
    if role is Role.REMINDERS:
        asyncio.run(run_jobs_only(app))
    elif settings.free_text_mode == "form":
        asyncio.run(_run_with_form(app, settings, secret))
    elif settings.webhook_url:
        app.run_webhook(**webhook_options(settings, secret))
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


async def _run_with_form(app: App, settings: Settings, secret: str) -> None:
    """The bot and the web form in one event loop, as PTB's custom-webhook example runs
    Starlette next to the Application; Ctrl-C or SIGTERM stops both."""
    server = WebServer(web_app(app), bind(settings.web_listen, settings.web_port))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # uvicorn stops serving on these and passes them on: land them here, not in a
        # KeyboardInterrupt or a hard exit, so the bot below shuts down cleanly.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, lambda: None)
    await start_app(app)
    try:
        assert app.updater is not None
        if settings.webhook_url:
            await app.updater.start_webhook(**webhook_options(settings, secret))
        else:
            await app.updater.start_polling(allowed_updates=Update.ALL_TYPES)
        await app.start()
        log.info("web form on %s:%s for %s", settings.web_listen, server.port, settings.public_url)
        try:
            await server.serve()  # until SIGINT or SIGTERM
        finally:
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
    finally:
        await stop_app(app)
