"""Telegram mode: long polling by default, a webhook when a public URL is configured."""

from __future__ import annotations

from telegram import Update

from bot.app import build_application
from bot.settings import Settings


def run_telegram(settings: Settings) -> None:
    """Run until interrupted."""
    app = build_application(settings)
    if settings.webhook_url:
        path = settings.webhook_url.rstrip("/").rsplit("/", 1)[-1] or "telegram"
        app.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=path,
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret or None,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
