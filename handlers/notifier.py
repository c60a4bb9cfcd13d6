"""The notifier on Telegram: renders reminders, digests and notices from their
templates, sends them within Telegram's limits, and turns what Telegram answers (429,
timeouts, a blocked bot, a refused message) into a `Delivery` for the services."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.notify import Delivery, DigestView, Notice, Notifier, ReminderView
from bot.reminders.pacing import Priority, SendBudget
from bot.services import Services
from handlers import callbacks
from handlers.common import Keyboard, markup_of
from messages import Texts

# What httpx raises when the request never reached Telegram: safe to send again.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def surely_unsent(exc: NetworkError) -> bool:
    """True only when the request cannot have reached Telegram (no connection was made
    or none was free). A read or write timeout, a dropped connection or an HTTP 5xx
    (PTB raises those without an httpx cause) may come after Telegram delivered."""
    return isinstance(exc.__cause__, _NEVER_SENT)


async def send_guarded(
    bot: Any, chat_id: int, text: str, markup: InlineKeyboardMarkup | None, attempts: int = 4
) -> Delivery:
    """Send once, retrying flood control and network trouble a bounded number of times.
    A failure after the request may have reached Telegram is not retried: it answers
    `uncertain`, so a message is never sent twice because an answer got lost. The send
    takes a background slot of the sending budget: replies to people go first."""
    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            message = await bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                rate_limit_args=Priority.BACKGROUND,
            )
            return Delivery.sent(message.message_id)
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
            if attempt == attempts:
                return Delivery.retry_later(f"flood control: retry after {seconds}s")
            await asyncio.sleep(min(seconds, 60.0))
        except Forbidden as exc:
            return Delivery.blocked(str(exc))
        except BadRequest as exc:
            return Delivery.rejected(f"rejected: {exc}")
        except (TimedOut, NetworkError) as exc:
            if not surely_unsent(exc):
                return Delivery.uncertain(f"maybe delivered: {exc}")
            if attempt == attempts:
                return Delivery.retry_later(f"network: {exc}")
            await asyncio.sleep(delay)
            delay *= 2
    return Delivery.retry_later("gave up")


class TelegramNotifier:
    """`bot.notify.Notifier` for Telegram (also sends the edge's own one-off messages)."""

    def __init__(self, bot: Any, texts: Texts, budget: SendBudget) -> None:
        self.bot = bot
        self.texts = texts
        # The one budget the bot's rate limiter also paces replies with.
        self.budget = budget

    def turn(self, chat_id: int) -> AbstractAsyncContextManager[None]:
        """Once the chat's pace allows a message. Holds nothing: a reply to the same
        chat may still go first, and the send waits for its slot then."""
        return self._chat_ready(chat_id)

    @asynccontextmanager
    async def _chat_ready(self, chat_id: int) -> AsyncIterator[None]:
        await self.budget.chat_ready(chat_id)
        yield

    async def send_reminder(self, chat_id: int, view: ReminderView) -> Delivery:
        """The reminder with Utført, Åpne sak and the snooze buttons."""
        text = self.texts.render("reminders/reminder", r=view, today=view.today)
        b = self.texts.button
        keyboard = [
            [
                (b("done_deadline"), callbacks.make("u", view.deadline_id)),
                (b("open_case"), callbacks.make("c", view.case_id)),
            ],
            [
                (b("snooze_1d"), callbacks.make("sn", view.deadline_id, "1d")),
                (b("snooze_1w"), callbacks.make("sn", view.deadline_id, "1w")),
                (b("snooze_pick"), callbacks.make("sn", view.deadline_id, "pick")),
            ],
        ]
        return await self.send_text(chat_id, text, keyboard)

    async def send_digest(self, chat_id: int, view: DigestView) -> Delivery:
        """The weekly digest."""
        text = self.texts.render("reminders/digest", items=view.items, today=view.today)
        return await self.send_text(chat_id, text)

    async def send_notice(self, chat_id: int, notice: Notice) -> Delivery:
        """A notice from `notices/<kind>`, with its buttons (if any)."""
        text = self.texts.render(f"notices/{notice.kind.value}", **notice.values)
        return await self.send_text(chat_id, text, notice.buttons or None)

    async def send_text(
        self, chat_id: int, text: str, keyboard: Keyboard | None = None
    ) -> Delivery:
        """Send a rendered message at Telegram's pace, after any waiting replies (the
        bot's rate limiter takes the slot)."""
        return await send_guarded(self.bot, chat_id, str(text), markup_of(keyboard))


def telegram_notifier(services: Services) -> TelegramNotifier:
    """The Telegram notifier the composition root gave the services."""
    notifier: Notifier = services.notifier
    if not isinstance(notifier, TelegramNotifier):
        raise TypeError(f"the services' notifier is not Telegram's: {notifier!r}")
    return notifier
