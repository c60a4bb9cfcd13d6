"""Telegram mode: long polling by default, a webhook when a public URL is configured;
with the web form (KOORDBOT_FREE_TEXT=form) uvicorn serves it in the same event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any
from urllib.parse import urlsplit

from telegram import Update

from bot.settings import Settings
from koordbot.app import App, build_application, start_app, stop_app
from koordbot.webserver import WebServer, bind, web_app

log = logging.getLogger(__name__)


def webhook_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `run_webhook` / `Updater.start_webhook` from the settings."""
    # Listen on the URL's own path (a reverse proxy forwards it unchanged).
    path = urlsplit(settings.webhook_url).path.strip("/")
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": path,
        "webhook_url": settings.webhook_url,
        "secret_token": settings.webhook_secret or None,
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


def run_telegram(settings: Settings) -> None:
    """Run until interrupted."""
    settings.require_form()
    warn_about_free_text(settings)
    app = build_application(settings)
    if settings.free_text_mode == "form":
        asyncio.run(_run_with_form(app, settings))
    elif settings.webhook_url:
        app.run_webhook(**webhook_options(settings))
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)


async def _run_with_form(app: App, settings: Settings) -> None:
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
            await app.updater.start_webhook(**webhook_options(settings))
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
