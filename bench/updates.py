"""/neste and /frister through the real Application, against an echo bot in the same
harness: p50 and p99 time per update.

A second baseline, the echo bot looking the sender up first (one session, one indexed
SELECT, as the bot's access check does), shows the floor of any command that touches
the database. Rounds interleave the baselines and the commands, each for a random
koordinator, so noise hits all of them alike. Updates are paced (one every 40 ms):
the bot, like Telegram, sends at most 30 messages a second, and a tighter loop would
time the rate limiter's queue instead of the handler.
"""

from __future__ import annotations

import asyncio
import random
import re
import statistics
import time

from sqlalchemy import select

from bench.config import Target, cipher
from bench.harness import LogTally, feed, running_bot, running_echo
from bench.load import prewarm
from bench.report import Figure, percentile
from bench.sqlplan import Statement, StatementLog, explain, one_line
from handlers.context import services_of
from koordbot.standin import FakeTelegram, FakeUser
from storage.db import Database
from storage.models import Koordinator

PACE = 0.04
TARGET_MS = 20.0
TARGET_RATIO = 3.0


_PARAM_LIST = re.compile(r"\((?:\?|\$\d+(?:::[A-Z ]+)?)(?:, (?:\?|\$\d+(?:::[A-Z ]+)?))*\)")


class SqlTally:
    """Statements per update of one command, grouped by their SQL text."""

    def __init__(self) -> None:
        self.updates = 0
        self.total = 0.0
        self.count = 0
        self.by_text: dict[str, list[float]] = {}
        self.example: dict[str, Statement] = {}

    def add(self, statements: list[Statement]) -> None:
        self.updates += 1
        for sql, params, seconds in statements:
            key = _PARAM_LIST.sub("(...)", sql)
            self.by_text.setdefault(key, []).append(seconds * 1000)
            self.example[key] = (sql, params, seconds)
            self.total += seconds * 1000
            self.count += 1

    def mean_ms(self) -> float:
        return self.total / max(self.updates, 1)

    def mean_count(self) -> float:
        return self.count / max(self.updates, 1)

    def slowest(self, n: int) -> list[Statement]:
        """(SQL, parameters, mean ms) of the n statements costing most per update."""
        ranked = sorted(self.by_text.items(), key=lambda kv: -sum(kv[1]))[:n]
        return [(self.example[k][0], self.example[k][1], statistics.fmean(v)) for k, v in ranked]


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
    print(f"  updates: prewarmed the database cache ({await prewarm(target)})")
    rng = random.Random(7)
    bot_tg, echo_tg, floor_tg = FakeTelegram(), FakeTelegram(), FakeTelegram()
    samples: dict[str, list[float]] = {"echo": [], "floor": [], **{c: [] for c in commands}}
    sql = {c: SqlTally() for c in commands}
    silent = 0
    tally.reset()
    async with (
        running_bot(target.url, bot_tg) as bot,
        running_echo(echo_tg) as echo,
        running_echo(floor_tg, target.url) as floor,
    ):
        engine = services_of(bot).db.engine
        log = StatementLog(recording=True).attach(engine)
        next_start = time.perf_counter()
        for i in range(warmup + iterations):
            for name in samples:
                # A koordinator of its own for each update: one chat gets one message a
                # second, so /frister right after /neste in the same chat would wait.
                chat = rng.choice(chats)
                app, telegram = {"echo": (echo, echo_tg), "floor": (floor, floor_tg)}.get(
                    name, (bot, bot_tg)
                )
                update = FakeUser(telegram, chat).message(name if name in sql else "/neste")
                await asyncio.sleep(max(0.0, next_start - time.perf_counter()))
                next_start = time.perf_counter() + PACE
                before = len(telegram.messages(chat))
                seconds = await feed(app, update)
                statements = log.take()
                if len(telegram.messages(chat)) == before:
                    silent += 1
                if i >= warmup:
                    samples[name].append(seconds * 1000)
                    if name in sql:
                        sql[name].add(statements)
        log.recording = False
        for name, seen in sql.items():
            mean = statistics.fmean(samples[name])
            print(
                f"  {name}: mean {mean:.2f} ms per update, of which SQL {seen.mean_ms():.2f} ms "
                f"in {seen.mean_count():.1f} statements; the rest is Python (PTB, ORM, "
                "templates, decryption)"
            )
            for text, _, ms in seen.slowest(3):
                print(f"    {ms:6.2f} ms avg  {one_line(text, 150)}")
            await explain(engine, f"{name}'s costliest", [seen.slowest(1)[0]])
    echo_p50, echo_p99 = percentile(samples["echo"], 50), percentile(samples["echo"], 99)
    # A run with an error logged or an update left without a reply is a MISS, however
    # fast it was.
    errors = tally.errors()
    clean = errors == 0 and silent == 0
    figures = [
        Figure("echo handler p50", echo_p50, "ms"),
        Figure("echo handler p99", echo_p99, "ms"),
        Figure(
            "echo after koordinator lookup p50",
            percentile(samples["floor"], 50),
            "ms",
            echo_p50,
            "echo p50",
        ),
        Figure(
            "echo after koordinator lookup p99",
            percentile(samples["floor"], 99),
            "ms",
            echo_p99,
            "echo p99",
        ),
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
                f"< {TARGET_MS:.0f} ms, <= {TARGET_RATIO:.0f}x, no error, all replied",
                p99 < TARGET_MS and p99 <= TARGET_RATIO * echo_p99 and clean,
            )
        )
    figures.append(
        Figure(
            "updates: errors logged + updates without a reply",
            errors + silent,
            "",
            target="0",
            ok=clean,
        )
    )
    labels = {"echo": "echo", "floor": "echo after lookup"}
    maxima = ", ".join(f"{labels.get(n, n)} {max(v):.1f} ms" for n, v in samples.items())
    print(
        f"  updates: {iterations} timed rounds (+{warmup} warm-up) over {len(chats):,} "
        f"koordinatorer; slowest: {maxima}; updates without a reply: {silent}; "
        f"errors logged: {errors}"
    )
    for line in tally.summary()[:6]:
        print(f"    log: {line}")
    return figures
