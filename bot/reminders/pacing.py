"""One sending budget for the whole bot: Telegram allows about 30 messages a second
overall, one a second per chat and 20 a minute per group (the KE's chat may be one),
and answers more with 429, which stalls every send for a second. Replies to people
and reminders share that budget: replies are served first, reminders fill what is
left, and each chat gets at most one message per `per_chat_seconds` whoever sends it.

Sends are spread evenly (one every 1/rate seconds, a little under the rate): a bucket
of 30 refilled each second lets more than 30 through in some one-second windows. A
chat that is paced or has a send in flight never holds up other chats: the next slot
goes to the most urgent waiter whose chat is free.

The clock and the sleep are injected, so tests run on virtual time."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from enum import IntEnum


class Priority(IntEnum):
    """Who is waiting: a person who just did something, or a background send."""

    REPLY = 0
    BACKGROUND = 1


# Telegram's own figure is 30; a little under it leaves room for clock jitter.
MARGIN = 0.97
# A group (negative chat id) gets at most 20 messages a minute.
GROUP_SECONDS = 3.0
# Past this many chats remembered, those whose pace has run out are forgotten.
_FORGET_AFTER = 50_000


@dataclass(order=True)
class _Waiter:
    priority: int
    seq: int
    chat_id: int | None = field(compare=False)
    granted: asyncio.Future[None] = field(compare=False)


class SendBudget:
    """`async with budget.slot(chat_id, priority):` around each message that counts."""

    def __init__(
        self,
        per_second: float = 30.0,
        per_chat_seconds: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._interval = 1.0 / (per_second * MARGIN)
        self._per_chat = per_chat_seconds
        self._clock = clock
        self._sleep = sleep
        self._next_grant = float("-inf")
        self._paused_until = float("-inf")
        self._waiting: list[_Waiter] = []
        self._seq = itertools.count()
        self._last: dict[int, float] = {}  # chat -> when its last send ended
        self._busy: set[int] = set()  # chats with a send in flight
        self._pump: asyncio.Task[None] | None = None
        self._kick: asyncio.Future[None] | None = None
        self.granted = {Priority.REPLY: 0, Priority.BACKGROUND: 0}

    # ---- what callers use ----------------------------------------------------------
    @asynccontextmanager
    async def slot(
        self, chat_id: int | None, priority: Priority = Priority.REPLY
    ) -> AsyncIterator[None]:
        """Wait for a slot (overall and the chat's), hold the chat while sending."""
        await self._take(chat_id, priority)
        try:
            yield
        finally:
            self._release(chat_id)

    async def chat_ready(self, chat_id: int) -> None:
        """Wait until the chat's pace allows a message (holds nothing: a reply to the
        same chat may still go first)."""
        while True:
            wait = self._chat_free_at(chat_id) - self._clock()
            if wait <= 0:
                return
            await self._sleep(wait)

    def pause(self, seconds: float) -> None:
        """Telegram said 429: no slot for anyone until `seconds` have passed."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def waiting(self) -> int:
        """Sends waiting for a slot now."""
        return len(self._waiting)

    # ---- the queue ---------------------------------------------------------------
    async def _take(self, chat_id: int | None, priority: Priority) -> None:
        now = self._clock()
        if not self._waiting and self._can_grant(chat_id, now):
            self._grant(chat_id, priority, now)
            return
        waiter = _Waiter(
            priority, next(self._seq), chat_id, asyncio.get_running_loop().create_future()
        )
        self._waiting.append(waiter)
        self._wake_pump()
        try:
            await waiter.granted
        except asyncio.CancelledError:
            if waiter.granted.done() and not waiter.granted.cancelled():
                self._release(chat_id)  # granted just before the cancel: give it back
            elif waiter in self._waiting:
                self._waiting.remove(waiter)
            raise

    def _release(self, chat_id: int | None) -> None:
        if chat_id is not None:
            self._busy.discard(chat_id)
            self._last[chat_id] = self._clock()
            if len(self._last) > _FORGET_AFTER:
                self._forget_old()
        if self._waiting:
            self._wake_pump()

    def _can_grant(self, chat_id: int | None, now: float) -> bool:
        return (
            now >= self._next_grant
            and now >= self._paused_until
            and (chat_id is None or self._chat_free_at(chat_id) <= now)
        )

    def _chat_free_at(self, chat_id: int) -> float:
        if chat_id in self._busy:
            return float("inf")
        last = self._last.get(chat_id)
        if last is None:
            return float("-inf")
        # No per-chat pace at all (tests, local mode): none for groups either.
        group = GROUP_SECONDS if self._per_chat > 0 else 0.0
        return last + (max(self._per_chat, group) if chat_id < 0 else self._per_chat)

    def _grant(self, chat_id: int | None, priority: Priority, now: float) -> None:
        self._next_grant = max(now, self._next_grant) + self._interval
        if chat_id is not None:
            self._busy.add(chat_id)
        self.granted[priority] += 1

    def _wake_pump(self) -> None:
        if self._pump is None or self._pump.done():
            self._pump = asyncio.get_running_loop().create_task(self._run_pump())
        elif self._kick is not None and not self._kick.done():
            self._kick.set_result(None)

    async def _run_pump(self) -> None:
        """Hand out slots while anyone waits: the most urgent (then the oldest) waiter
        whose chat is free gets the next one."""
        while self._waiting:
            now = self._clock()
            start = max(self._next_grant, self._paused_until)
            if now < start:
                await self._nap(start - now)
                continue
            chosen: _Waiter | None = None
            soonest = float("inf")
            for waiter in sorted(self._waiting):
                free_at = (
                    float("-inf") if waiter.chat_id is None else self._chat_free_at(waiter.chat_id)
                )
                if free_at <= now:
                    chosen = waiter
                    break
                soonest = min(soonest, free_at)
            if chosen is None:
                # Every waiting chat is paced or busy: until one is free, or a release or
                # a new waiter changes that.
                await self._nap(None if soonest == float("inf") else soonest - now)
                continue
            self._waiting.remove(chosen)
            if chosen.granted.done():  # cancelled meanwhile
                continue
            self._grant(chosen.chat_id, Priority(chosen.priority), now)
            chosen.granted.set_result(None)

    async def _nap(self, seconds: float | None) -> None:
        """Sleep `seconds` (None: until kicked), or less if kicked."""
        self._kick = asyncio.get_running_loop().create_future()
        sleeper = None if seconds is None else asyncio.ensure_future(self._sleep(seconds))
        try:
            await asyncio.wait(
                [f for f in (self._kick, sleeper) if f is not None],
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            if sleeper is not None and not sleeper.done():
                sleeper.cancel()
            self._kick = None

    def _forget_old(self) -> None:
        cutoff = self._clock() - max(self._per_chat, GROUP_SECONDS)
        for chat_id in [c for c, t in self._last.items() if t < cutoff]:
            del self._last[chat_id]
