"""Dispatch this morning's reminders: one round of the reminder jobs
(`bot.reminders.sweep.Sweep`, as `koordbot.app.SWEEP_JOBS` schedules them) against the
stand-in enforcing Telegram's limits (30 messages a second overall, one a second per
chat), timed against the limit's floor (N / 30 s)."""

from __future__ import annotations

import time
from itertools import pairwise

from sqlalchemy import func, select

from bench.config import Target, cipher
from bench.harness import LogTally, running_bot
from bench.load import bench_dispatch, reset_dispatch
from bench.report import Figure
from bot.reminders.sweep import Sweep
from handlers.context import services_of
from koordbot.app import SWEEP_JOBS
from koordbot.standin import FakeTelegram
from storage.db import Database
from storage.models import Reminder

TELEGRAM_RATE = 30.0
TARGET_RATIO = 1.2


async def sent_count(url: str, count: int) -> int:
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
    db = Database(target.url, cipher())
    try:
        pending = await reset_dispatch(db, count)
    finally:
        await db.dispose()
    floor = pending / TELEGRAM_RATE
    print(f"  dispatch: {pending:,} reminders due, floor {floor:.1f} s; running one sweep ...")
    telegram = FakeTelegram(enforce_limits=True)
    phases: dict[str, float] = {}
    tally.reset()
    async with running_bot(target.url, telegram) as app:
        sweep = Sweep(services_of(app))
        started, mono_start = time.perf_counter(), time.monotonic()
        handled = await sweep.send_due()
        # The other jobs, as one round of the job queue runs them after delivery.
        for name, job, _interval in SWEEP_JOBS[1:]:
            phase_start = time.perf_counter()
            await job(sweep)
            phases[name] = time.perf_counter() - phase_start
        elapsed = time.perf_counter() - started
    sends = [c.at for c in telegram.calls if c.method == "sendMessage"]
    delivered = sum(1 for msgs in telegram.chats.values() for m in msgs if m.from_bot)
    sent_rows = await sent_count(target.url, count)
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
    if phases:
        print("    after delivery: " + ", ".join(f"{name} {s:.2f} s" for name, s in phases.items()))
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
