"""The bot's profile in Telegram: command menus by scope, and its descriptions.

Every private chat gets the koordinator commands (the default scope); each admin's own
chat gets the admin commands too, refreshed when someone is made or unmade admin. A
Bot API server that refuses a call is logged and survived: menus are a convenience."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any

from telegram import BotCommandScopeChat
from telegram.error import TelegramError

from bot import command_menus
from handlers.common import Req
from handlers.context import services_of
from storage.models import Koordinator

log = logging.getLogger(__name__)
# bot_data key of the two command menus (everyone, admins), set by `handlers.register`
# from the command table.
MENUS = "command_menus"


async def _tolerant(call: Awaitable[Any], what: str) -> None:
    try:
        await call
    except TelegramError as exc:
        log.warning("the Bot API server refused %s (%s); continuing", what, exc)


async def publish(app: Any) -> None:
    """At start-up: the menus for everyone and for each admin, and the descriptions."""
    services = services_of(app)
    bot = app.bot
    everyone, admins = app.bot_data[MENUS]
    await _tolerant(bot.set_my_commands(everyone), "setMyCommands")
    async with services.db.session() as session:
        chats = await command_menus.admin_chats(session, services.settings.admin_ids)
    for chat_id in sorted(chats):
        scope = BotCommandScopeChat(chat_id)
        await _tolerant(bot.set_my_commands(admins, scope=scope), "setMyCommands")
    texts = services.texts
    await _tolerant(
        bot.set_my_description(str(texts.render("botfather/description"))), "setMyDescription"
    )
    await _tolerant(
        bot.set_my_short_description(str(texts.render("botfather/short_description"))),
        "setMyShortDescription",
    )


async def refresh_admin_menu(req: Req, target: Koordinator) -> None:
    """After `target` was made or unmade admin (or (de)activated): their chat's menu."""
    scope = BotCommandScopeChat(target.telegram_user_id)
    bot = req.context.bot
    if command_menus.gets_admin_menu(target):
        admins = req.context.bot_data[MENUS][1]
        await _tolerant(bot.set_my_commands(admins, scope=scope), "setMyCommands")
    else:
        await _tolerant(bot.delete_my_commands(scope=scope), "deleteMyCommands")
