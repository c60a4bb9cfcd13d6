"""The chat's side of the web form: after an answer is stored from the form, the chat
shows a receipt («Svar lagret») and what comes next (the next question, the end of the
conversation, or the summary after a correction). The composition root hands this to
the web edge, which knows nothing of Telegram."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot import access
from bot.conversations.outcomes import Reply
from handlers import conversation
from handlers.common import Req
from handlers.context import KContext, services_of


class FormChat:
    """Shows in a koordinator's private chat where a form answer led."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def answered(self, user_id: int, reply: Reply) -> None:
        services = services_of(self.app)
        async with services.db.session() as session:
            me = await access.koordinator_by_telegram_id(session, user_id)
            # No update started this: a request of our own for the koordinator's chat.
            context = KContext(self.app, chat_id=user_id, user_id=user_id)
            req = Req(Update(update_id=0), context, session, me)
            req.user_id = req.chat_id = user_id
            await req.reply("conv/form_saved")
            await conversation.show(req, Reply(reply.then))
