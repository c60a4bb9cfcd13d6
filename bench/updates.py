"""/neste and /frister through the real Application, against an echo bot in the same
harness: p50 and p99 time per update.

Rounds interleave echo, /neste and /frister for one random koordinator, so noise hits
all three alike. Updates are paced (one every 40 ms): the bot, like Telegram, sends at
most 30 messages a second, and a tighter loop would time the rate limiter's queue
instead of the handler.
"""

from __future__ import annotations

import asyncio
import random
import time

from sqlalchemy import select

from bench.config import Target, cipher
from bench.harness import LogTally, feed, running_bot, running_echo
from bench.report import Figure, percentile
from bot.standin import FakeTelegram, FakeUser
from storage.db import Database
from storage.models import Koordinator

PACE = 0.04
TARGET_MS = 20.0
TARGET_RATIO = 3.0


async def usable_chats(url: str) -> list[int]:
    """Telegram ids of registered koordinatorer who are active and reachable."""
    db = Database(url, cipher())
    try:
        async with db.session() as session:
            return list(
                (
                    await session.scalars(
                        select(Koordinator.telegram_user_id).where(
                            Koordinator.active.is_(True),
                            Koordinator.unreachable_since.is_(None),
                            Koordinator.is_admin.is_(False),
                        )
                    )
                ).all()
            )
    finally:
        await db.dispose()


async def run(
    target: Target, commands: list[str], iterations: int, tally: LogTally, warmup: int = 30
) -> list[Figure]:
    """Time `commands` (e.g. ["/neste", "/frister"]) and the echo baseline."""
    chats = await usable_chats(target.url)
    rng = random.Random(7)
    bot_tg, echo_tg = FakeTelegram(), FakeTelegram()
    samples: dict[str, list[float]] = {"echo": [], **{c: [] for c in commands}}
    silent = 0
    tally.reset()
    async with running_bot(target.url, bot_tg) as bot, running_echo(echo_tg) as echo:
        next_start = time.perf_counter()
        for i in range(warmup + iterations):
            chat = rng.choice(chats)
            for name in samples:
                app, telegram = (echo, echo_tg) if name == "echo" else (bot, bot_tg)
                update = FakeUser(telegram, chat).message("/neste" if name == "echo" else name)
                await asyncio.sleep(max(0.0, next_start - time.perf_counter()))
                next_start = time.perf_counter() + PACE
                before = len(telegram.messages(chat))
                seconds = await feed(app, update)
                if len(telegram.messages(chat)) == before:
                    silent += 1
                if i >= warmup:
                    samples[name].append(seconds * 1000)
    echo_p50, echo_p99 = percentile(samples["echo"], 50), percentile(samples["echo"], 99)
    figures = [
        Figure("echo handler p50", echo_p50, "ms"),
        Figure("echo handler p99", echo_p99, "ms"),
    ]
    for name in commands:
        p50, p99 = percentile(samples[name], 50), percentile(samples[name], 99)
        figures.append(Figure(f"{name} p50", p50, "ms", echo_p50, "echo p50"))
        figures.append(
            Figure(
                f"{name} p99",
                p99,
                "ms",
                echo_p99,
                "echo p99",
                f"< {TARGET_MS:.0f} ms, <= {TARGET_RATIO:.0f}x",
                p99 < TARGET_MS and p99 <= TARGET_RATIO * echo_p99,
            )
        )
    print(
        f"  updates: {iterations} timed rounds (+{warmup} warm-up) over {len(chats):,} "
        f"koordinatorer; max /neste {max(samples.get('/neste', [0])):.1f} ms, "
        f"max /frister {max(samples.get('/frister', [0])):.1f} ms, echo max "
        f"{max(samples['echo']):.1f} ms; updates without a reply: {silent}; "
        f"errors logged: {tally.errors()}"
    )
    return figures
