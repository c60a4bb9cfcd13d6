"""Telegram mode: long polling by default, a webhook when a public URL is configured."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from telegram import Update

from bot.settings import Settings
from koordbot.app import build_application


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


def run_telegram(settings: Settings) -> None:
    """Run until interrupted."""
    app = build_application(settings)
    if settings.webhook_url:
        app.run_webhook(**webhook_options(settings))
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
