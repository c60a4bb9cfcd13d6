"""Telegram's sending limits: about 30 messages a second overall and one a second
per chat. PTB's AIORateLimiter covers the overall rate and groups; this adds the
per-chat pacing for private chats that it leaves out."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiolimiter import AsyncLimiter


class SendLimiter:
    """Await `slot(chat_id)` before each message."""

    def __init__(self, per_second: float = 30.0, per_chat_seconds: float = 1.0) -> None:
        # One message per 1/rate seconds and no burst: a bucket of 30 refilled each second
        # lets more than 30 through in some one-second windows, which Telegram answers
        # with 429. A little under the rate leaves room for clock jitter.
        self._overall = AsyncLimiter(1, 1.0 / (per_second * 0.97))
        self._per_chat = per_chat_seconds
        self._last: dict[int, float] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    @asynccontextmanager
    async def slot(self, chat_id: int) -> AsyncIterator[None]:
        """Hold the chat's turn while sending; waits for both limits."""
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        async with lock:
            last = self._last.get(chat_id)
            if last is not None:
                wait = self._per_chat - (time.monotonic() - last)
                if wait > 0:
                    await asyncio.sleep(wait)
            await self._overall.acquire()
            try:
                yield
            finally:
                self._last[chat_id] = time.monotonic()
            if len(self._last) > 50_000:
                self._forget_old()

    def _forget_old(self) -> None:
        cutoff = time.monotonic() - max(self._per_chat, 1.0)
        for chat_id in [c for c, t in self._last.items() if t < cutoff]:
            self._last.pop(chat_id, None)
            lock = self._locks.get(chat_id)
            if lock is not None and not lock.locked():
                self._locks.pop(chat_id, None)
