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
    admin_views,
    calendar,
    case_card,
    case_commands,
    case_lifecycle,
    deadlines_view,
    forms,
    menu,
    profile,
    registration,
    router,
    statistics_view,
)
from handlers.context import KContext

log = logging.getLogger(__name__)

# Command name -> key of its description in labels.yaml (group `commands`).
COMMANDS = (
    "start",
    "ny",
    "saker",
    "neste",
    "frister",
    "oppstart",
    "kartlegging",
    "evaluering",
    "mote",
    "pause",
    "fortsett",
    "eksport",
    "kalender",
    "ukeoversikt",
    "hjelp",
    "avbryt",
    "invitasjon",
)


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
    private = filters.ChatType.PRIVATE
    fresh = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("start", registration.start, filters=private & fresh))
    for name, fn in (
        ("ny", case_card.new_case),
        ("saker", case_card.list_cases),
        ("hjelp", menu.help_command),
        ("help", menu.help_command),
        ("avbryt", menu.cancel),
        ("fortsett", case_commands.resume_command),
        ("pause", case_commands.pause_command),
        ("oppstart", case_commands.start_oppstart),
        ("kartlegging", case_commands.start_kartlegging),
        ("evaluering", case_commands.start_evaluering),
        ("mote", case_commands.start_mote),
        ("eksport", case_commands.export_command),
        ("neste", deadlines_view.next_command),
        ("frister", deadlines_view.frister_command),
        ("ukeoversikt", deadlines_view.digest_command),
        ("kalender", calendar.calendar_command),
        ("koordinatorer", admin_views.koordinatorer_command),
        ("mine_data", profile.my_data),
        ("statistikk", statistics_view.statistics_command),
        ("ryddig", profile.tidy_command),
        ("invitasjon", menu.invitation),
    ):
        app.add_handler(CommandHandler(name, fn, filters=private & fresh))
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
