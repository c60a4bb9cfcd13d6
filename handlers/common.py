"""One update as a handler sees it (`Req`): who is asking, a session, and ways to
answer with rendered templates (reply, edit, toast), split and retried as Telegram
needs. The access check that makes a `Req` lives in `handlers.edge`."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, MessageLimit, ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.access import Asker
from bot.case_record import file_slug as file_slug  # one slug for every export
from bot.services import Services
from handlers.context import KContext
from messages import Texts
from storage.db import Session
from storage.models import Koordinator

log = logging.getLogger(__name__)

# (label, callback data), or a ready button (one that opens the web form).
Button = tuple[str, str] | InlineKeyboardButton
Keyboard = Sequence[Sequence[Button]]


class Incoming:
    """What every handler has of one update: who sent it, where to answer, the texts."""

    def __init__(self, update: Update, context: KContext) -> None:
        self.update = update
        self.context = context
        self.services: Services = context.services
        self.texts: Texts = self.services.texts
        user = update.effective_user
        self.user_id: int = user.id if user else 0
        chat = update.effective_chat
        self.chat_id: int = chat.id if chat else self.user_id

    def render(self, template: str, /, **values: Any) -> str:
        return self.texts.render(template, **values)


class Req(Incoming):
    """One update as a handler sees it: who, what, a session and ways to answer."""

    def __init__(
        self,
        update: Update,
        context: KContext,
        session: Session,
        koordinator: Koordinator | None,
    ) -> None:
        super().__init__(update, context)
        self.session = session
        self.koordinator = koordinator
        message = update.message
        self.text: str = (message.text or "") if message else ""
        self.callback = update.callback_query
        # Ids of the messages this update made the bot send (tidy mode removes them later).
        self.sent_ids: list[int] = []

    @property
    def me(self) -> Koordinator:
        """The registered koordinator (guaranteed by the access level)."""
        assert self.koordinator is not None
        return self.koordinator

    async def commit(self) -> None:
        """Make what this update changed durable before the user is told about it: an
        answer is stored before «lagret» or the next question is shown, and no write
        transaction is held open across a Bot API call (which may wait out flood
        control)."""
        if self.session.in_transaction():
            await self.session.commit()

    async def reply(
        self, template: str, keyboard: Keyboard | None = None, /, **values: Any
    ) -> Message | None:
        """Send a rendered template to the chat (split when longer than Telegram allows)."""
        return await self.send_text(self.render(template, **values), keyboard)

    async def send_text(self, text: str, keyboard: Keyboard | None = None) -> Message | None:
        await self.commit()
        sent = await send_split(self.context, self.chat_id, text, keyboard)
        self.sent_ids.extend(m.message_id for m in sent)
        return sent[-1] if sent else None

    async def answer(self, template: str | None = None, /, **values: Any) -> None:
        """Answer the pressed button (a small toast, or just stop the spinner)."""
        if self.callback is None:
            return
        await self.commit()
        text = self.render(template, **values)[:200] if template else None
        try:
            await with_retry(lambda: self.callback.answer(text))  # type: ignore[union-attr]
        except BadRequest as exc:
            # Too old to answer (Telegram allows ~15 minutes): nothing to fix.
            log.info("could not answer callback: %s", exc)

    async def edit(self, template: str, keyboard: Keyboard | None = None, /, **values: Any) -> None:
        """Replace the text (and buttons) of the message whose button was pressed."""
        message = self.callback.message if self.callback else None
        if message is None:
            await self.reply(template, keyboard, **values)
            return
        text = self.render(template, **values)
        await self.commit()
        try:
            await with_retry(
                lambda: self.context.bot.edit_message_text(
                    text[: MessageLimit.MAX_TEXT_LENGTH],
                    chat_id=self.chat_id,
                    message_id=message.message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup_of(keyboard),
                    disable_web_page_preview=True,
                )
            )
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                log.info("edit failed (%s); sending instead", exc)
                await self.send_text(text, keyboard)

    async def drop_keyboard(self, note: str | None = None) -> None:
        """Remove the buttons from the pressed message, optionally appending a line."""
        message = self.callback.message if self.callback else None
        if message is None:
            return
        await self.commit()
        try:
            if note is not None and getattr(message, "text", None):
                html = getattr(message, "text_html", None) or ""
                await with_retry(
                    lambda: self.context.bot.edit_message_text(
                        f"{html}\n{note}"[: MessageLimit.MAX_TEXT_LENGTH],
                        chat_id=self.chat_id,
                        message_id=message.message_id,
                        parse_mode=ParseMode.HTML,
                    )
                )
            else:
                await with_retry(
                    lambda: self.context.bot.edit_message_reply_markup(
                        chat_id=self.chat_id,
                        message_id=message.message_id,
                        reply_markup=None,
                    )
                )
        except BadRequest as exc:
            log.info("could not remove keyboard: %s", exc)

    async def drop_rows(self, belongs: Callable[[str], bool], note: str | None = None) -> None:
        """Remove the rows of the pressed message whose buttons `belongs` to one thing
        (a deadline in a list): the other rows stay and `note` comes as a new message.
        When no row is left (a reminder), the same as `drop_keyboard(note)`."""
        message = self.callback.message if self.callback else None
        markup = getattr(message, "reply_markup", None)
        rows = markup.inline_keyboard if markup is not None else ()
        kept = [row for row in rows if not any(belongs(b.callback_data or "") for b in row)]
        if message is None or not kept:
            await self.drop_keyboard(note)
            return
        await self.commit()
        if len(kept) != len(rows):
            try:
                await with_retry(
                    lambda: self.context.bot.edit_message_reply_markup(
                        chat_id=self.chat_id,
                        message_id=message.message_id,
                        reply_markup=InlineKeyboardMarkup(kept),
                    )
                )
            except BadRequest as exc:
                log.info("could not remove buttons: %s", exc)
        if note is not None:
            await self.send_text(note)

    async def working(self, action: str = ChatAction.UPLOAD_DOCUMENT) -> None:
        """Show that something takes a moment («sender fil …»); never fails the update."""
        await self.commit()
        try:
            await self.context.bot.send_chat_action(self.chat_id, action)
        except TelegramError as exc:
            log.info("could not show a chat action: %s", exc)

    async def delete_user_message(self) -> None:
        """Delete the message the user sent (text that must not stay in the chat)."""
        if self.update.message is None:
            return
        await self.commit()
        try:
            await self.update.message.delete()
        except (BadRequest, Forbidden) as exc:
            log.info("could not delete user message: %s", exc)


class Look(Incoming):
    """One update on the lean path (`handlers.edge.lean`): a read that answers from one
    statement, with no session; only what a reply needs."""

    def may_answer(self, asker: Asker | None) -> bool:
        """Whether the asker read with the answer lets the lean path answer at once."""
        return asker is not None and asker.plain(self.user_id, self.services.settings.admin_ids)

    async def reply(
        self, template: str, keyboard: Keyboard | None = None, /, **values: Any
    ) -> None:
        await send_split(self.context, self.chat_id, self.render(template, **values), keyboard)


async def send_split(
    context: KContext, chat_id: int, text: str, keyboard: Keyboard | None = None
) -> list[Message]:
    """Send `text` to the chat (split when longer than Telegram allows; the keyboard goes
    under the last part); the messages sent."""
    parts = split_message(text)
    sent = []
    for i, part in enumerate(parts):
        markup = markup_of(keyboard) if i == len(parts) - 1 else None
        message = await with_retry(
            functools.partial(
                context.bot.send_message,
                chat_id,
                part,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                disable_web_page_preview=True,
            )
        )
        if message is not None:
            sent.append(message)
    return sent


def markup_of(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [
                b
                if isinstance(b, InlineKeyboardButton)
                else InlineKeyboardButton(b[0], callback_data=b[1])
                for b in row
            ]
            for row in keyboard
        ]
    )


def split_message(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Split on line breaks so every part fits in one Telegram message."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


async def with_retry(call: Callable[[], Awaitable[Any]], attempts: int = 4) -> Any:
    """Retry a Bot API call on flood control, timeouts and network errors (bounded)."""
    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as exc:
            if attempt == attempts:
                raise
            wait = exc.retry_after
            seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
            await asyncio.sleep(min(seconds, 60.0))
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc, BadRequest) or attempt == attempts:
                raise
            await asyncio.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")
