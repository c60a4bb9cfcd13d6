"""Sending pace: one message a second per chat and a cap overall."""

from __future__ import annotations

import asyncio
import itertools
import time

from bot.reminders.pacing import SendLimiter


async def test_one_chat_is_paced():
    limiter = SendLimiter(per_second=1000, per_chat_seconds=0.1)
    stamps = []

    async def send() -> None:
        async with limiter.slot(42):
            stamps.append(time.monotonic())

    await asyncio.gather(*(send() for _ in range(4)))
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert all(gap >= 0.095 for gap in gaps), gaps


async def test_different_chats_are_not_held_up_by_each_other():
    limiter = SendLimiter(per_second=1000, per_chat_seconds=5)
    start = time.monotonic()

    async def send(chat: int) -> None:
        async with limiter.slot(chat):
            pass

    await asyncio.gather(*(send(c) for c in range(50)))
    assert time.monotonic() - start < 1.0


async def test_overall_rate_is_capped():
    limiter = SendLimiter(per_second=20, per_chat_seconds=0)
    start = time.monotonic()

    async def send(chat: int) -> None:
        async with limiter.slot(chat):
            pass

    await asyncio.gather(*(send(c) for c in range(40)))
    assert time.monotonic() - start >= 0.9
