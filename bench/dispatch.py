"""Dispatch this morning's reminders: one `handlers.reminders.sweep(app)` against the
stand-in enforcing Telegram's limits (30 messages a second overall, one a second per
chat), timed against the limit's floor (N / 30 s)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from sqlalchemy import func, select

from bench.config import Target, cipher
from bench.harness import LogTally, running_bot
from bench.load import bench_dispatch, reset_dispatch
from bench.report import Figure
from koordbot.standin import FakeTelegram
from storage.db import Database
from storage.models import Reminder

TELEGRAM_RATE = 30.0
TARGET_RATIO = 1.2


@dataclass
class Phases:
    """Wall time spent in the sweep's steps after delivery (wrapped, not changed)."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def wrapped(self, module: Any, names: tuple[str, ...]) -> Iterator[None]:
        originals = {n: getattr(module, n) for n in names if hasattr(module, n)}
        for name, fn in originals.items():
            setattr(module, name, self._timed(name, fn))
        try:
            yield
        finally:
            for name, fn in originals.items():
                setattr(module, name, fn)

    def _timed(self, name: str, fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

        return timed


async def _sent_count(url: str, count: int) -> int:
    db = Database(url, cipher())
    try:
        async with db.session() as session:
            first = select(bench_dispatch.c.reminder_id).where(bench_dispatch.c.n < count)
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(Reminder)
                    .where(Reminder.id.in_(first), Reminder.status == "sent")
                )
                or 0
            )
    finally:
        await db.dispose()


async def run(target: Target, count: int, tally: LogTally) -> list[Figure]:
    import handlers.notices
    import handlers.reminders

    db = Database(target.url, cipher())
    try:
        pending = await reset_dispatch(db, count)
    finally:
        await db.dispose()
    floor = pending / TELEGRAM_RATE
    print(f"  dispatch: {pending:,} reminders due, floor {floor:.1f} s; running one sweep ...")
    telegram = FakeTelegram(enforce_limits=True)
    phases = Phases()
    tally.reset()
    async with running_bot(target.url, telegram) as app:
        with (
            phases.wrapped(handlers.reminders, ("send_digests", "purge_expired")),
            phases.wrapped(handlers.notices, ("long_overdue",)),
        ):
            started, mono_start = time.perf_counter(), time.monotonic()
            handled = await handlers.reminders.sweep(app)
            elapsed = time.perf_counter() - started
    sends = [c.at for c in telegram.calls if c.method == "sendMessage"]
    delivered = sum(1 for msgs in telegram.chats.values() for m in msgs if m.from_bot)
    sent_rows = await _sent_count(target.url, count)
    gaps = [b - a for a, b in pairwise(sends)]
    print(
        f"  dispatch: {elapsed:.1f} s for {handled:,} claimed; {len(sends):,} sendMessage calls, "
        f"{delivered:,} delivered, {telegram.too_many_requests:,} answered 429; "
        f"{sent_rows:,} rows marked sent"
    )
    if sends:
        span = sends[-1] - sends[0]
        print(
            f"    first send after {sends[0] - mono_start:.2f} s; "
            f"first to last send {span:.1f} s ({(len(sends) - 1) / max(span, 1e-9):.1f}/s); "
            f"gaps over 0.5 s: {sum(1 for g in gaps if g > 0.5)} "
            f"({sum(g for g in gaps if g > 0.5):.1f} s); longest gap {max(gaps, default=0):.2f} s"
        )
    if phases.seconds:
        print(
            "    after delivery: "
            + ", ".join(f"{name} {s:.2f} s" for name, s in phases.seconds.items())
        )
    for line in tally.summary()[:8]:
        print(f"    log: {line}")
    return [
        Figure(
            f"dispatch: {pending:,} reminders",
            elapsed,
            "s",
            floor,
            f"floor {pending:,}/30 s",
            f"<= {TARGET_RATIO}x floor",
            elapsed <= TARGET_RATIO * floor,
        ),
        Figure(
            "dispatch: 429 answers provoked",
            telegram.too_many_requests,
            "",
            target="0",
            ok=telegram.too_many_requests == 0,
        ),
        Figure(
            "dispatch: reminders marked sent",
            sent_rows,
            "",
            float(pending),
            "due",
            f"{pending:,}",
            sent_rows == pending,
        ),
    ]
