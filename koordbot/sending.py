"""PTB's rate limiter on the bot's one sending budget (`bot.reminders.pacing.SendBudget`).

Every Bot API call that makes or changes a message takes a slot: at REPLY priority
unless the caller passes `rate_limit_args=Priority.BACKGROUND` (the notifier does, for
reminders, digests and notices). Other calls (answering a button, getUpdates, a chat
action) are not limited by Telegram's message limits and go straight through."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.reminders.pacing import Priority, SendBudget

log = logging.getLogger(__name__)
_COUNTED = ("send", "copy", "forward", "edit")
_NOT_COUNTED = frozenset({"sendChatAction"})


def counts(endpoint: str) -> bool:
    """Whether a Bot API method makes or changes a message (and so takes a slot)."""
    return endpoint.startswith(_COUNTED) and endpoint not in _NOT_COUNTED


def seconds_of(exc: RetryAfter) -> float:
    """RetryAfter's wait in seconds (PTB gives an int or a timedelta)."""
    wait: Any = exc.retry_after
    return wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)


class BudgetRateLimiter(BaseRateLimiter[Priority]):
    """Replies first, background sends after, one budget; a 429 pauses everyone for
    as long as Telegram asks, and a reply is tried again (a background send is handed
    back to its caller, which records it for a later sweep)."""

    def __init__(self, budget: SendBudget, max_retries: int = 3) -> None:
        self.budget = budget
        self.max_retries = max_retries

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Priority | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if not counts(endpoint):
            return await callback(*args, **kwargs)
        priority = rate_limit_args if isinstance(rate_limit_args, Priority) else Priority.REPLY
        chat = data.get("chat_id")
        chat_id = chat if isinstance(chat, int) else None
        for attempt in range(self.max_retries + 1):
            async with self.budget.slot(chat_id, priority):
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as exc:
                    self.budget.pause(seconds_of(exc))
                    if priority is Priority.BACKGROUND or attempt == self.max_retries:
                        raise
                    log.warning("%s got 429 (retry after %s s); trying again", endpoint, exc)
        raise AssertionError("unreachable")
