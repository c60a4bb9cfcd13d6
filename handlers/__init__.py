"""The Telegram edge: registers every handler on the Application."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from handlers import deadlines_view, menu, reminders, router
from handlers.commands import COMMANDS
from handlers.context import KContext

log = logging.getLogger(__name__)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add all handlers in the order they must match."""
    private = filters.ChatType.PRIVATE
    fresh = filters.UpdateType.MESSAGE
    for command in COMMANDS:
        app.add_handler(CommandHandler(command.names, command.handler, filters=private & fresh))
    app.add_handler(CallbackQueryHandler(router.button))
    app.add_handler(InlineQueryHandler(deadlines_view.inline_query))
    app.add_handler(MessageHandler(private & fresh & filters.COMMAND, menu.unknown_command))
    app.add_handler(MessageHandler(private & fresh & filters.TEXT, menu.text))
    app.add_handler(MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, menu.edited))
    app.add_handler(MessageHandler(private & fresh & ~filters.StatusUpdate.ALL, menu.not_text))
    app.add_error_handler(on_error)
    settings = app.bot_data["services"].settings
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            reminders.sweep_job, interval=settings.sweep_seconds, first=5, name=reminders.JOB_NAME
        )


async def on_error(update: object, context: KContext) -> None:
    """Log the fault and tell the user nothing was lost (the session was rolled back)."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private":
        return
    try:
        text = context.services.texts.render("errors/internal")
        await context.bot.send_message(update.effective_chat.id, text)
    except Exception:
        log.warning("could not tell the user about the error", exc_info=True)
