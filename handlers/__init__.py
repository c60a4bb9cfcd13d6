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

from handlers import (
    case_card,
    case_lifecycle,
    deadlines_view,
    forms,
    menu,
    menus,
    registration,
    router,
)
from handlers.commands import COMMANDS, bot_commands
from handlers.context import KContext

log = logging.getLogger(__name__)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add all handlers in the order they must match."""
    # What each form does once every step is answered.
    forms.set_finishers(
        {
            "register": registration.finish_registration,
            "new_case": case_card.finish_new_case,
            "edit_case": case_card.finish_edit_case,
            "handover": case_lifecycle.finish_handover_checklist,
            "close_case": case_lifecycle.finish_closing,
            "new_deadline": deadlines_view.finish_new_deadline,
            "snooze": deadlines_view.finish_snooze,
            "move_deadline": deadlines_view.finish_move,
        }
    )
    texts = app.bot_data["services"].texts
    app.bot_data[menus.MENUS] = (bot_commands(texts), bot_commands(texts, admin=True))
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
