"""One sweep's claim of this morning's due reminders (`bot.reminders.outbox.claim`, rolled
back so the data stays) against the bare indexed SELECT, with the query plans."""

from __future__ import annotations

import statistics
import time
from datetime import UTC

from sqlalchemy import select

from bench.config import NOW, Target, cipher
from bench.load import reset_dispatch
from bench.report import Figure
from bench.sqlplan import StatementLog, explain, one_line
from bot.reminders import outbox
from bot.reminders.sweep import BATCH
from storage.db import Database
from storage.models import Reminder

TARGET_MS = 100.0


async def run(target: Target, repeats: int = 15, warmup: int = 3) -> list[Figure]:
    db = Database(target.url, cipher())
    log = StatementLog().attach(db.engine)
    now = NOW.astimezone(UTC)
    postgres = not db.is_sqlite
    bare = (
        select(Reminder.id)
        .where(Reminder.status == "pending", Reminder.send_at <= now)
        .order_by(Reminder.send_at)
        .limit(BATCH)
    )
    try:
        due = await reset_dispatch(db)
        claim_ms: list[float] = []
        bare_ms: list[float] = []
        per_statement: list[list[float]] = []
        claimed = found = 0
        for i in range(warmup + repeats):
            async with db.sessions() as session:
                log.recording = True
                started = time.perf_counter()
                ids = await outbox.claim(
                    session, now=now, worker="bench-sweep", limit=BATCH, postgres=postgres
                )
                elapsed = time.perf_counter() - started
                log.recording = False
                await session.rollback()
            claim_statements = log.take()
            async with db.sessions() as session:
                log.recording = True
                started = time.perf_counter()
                bare_ids = (await session.scalars(bare)).all()
                bare_elapsed = time.perf_counter() - started
                log.recording = False
                await session.rollback()
            bare_statements = log.take()
            if i >= warmup:
                claim_ms.append(elapsed * 1000)
                bare_ms.append(bare_elapsed * 1000)
                per_statement.append([s * 1000 for _, _, s in claim_statements])
                claimed, found = len(ids), len(bare_ids)
        claim_p50, bare_p50 = statistics.median(claim_ms), statistics.median(bare_ms)
        steps = [statistics.median(col) for col in zip(*per_statement, strict=True)]
        print(
            f"  sweep: {due:,} reminders due this morning; claim took {claimed} "
            f"(limit {BATCH}), the bare SELECT found {found}; median of {repeats}, "
            f"claim min/max {min(claim_ms):.1f}/{max(claim_ms):.1f} ms"
        )
        for n, ((sql, _, _), ms) in enumerate(zip(claim_statements, steps, strict=True), 1):
            print(f"    claim statement {n}: {ms:.1f} ms  {one_line(sql, 150)}")
        await explain(db.engine, "claim", claim_statements)
        await explain(db.engine, "bare SELECT", bare_statements)
    finally:
        await db.dispose()
    return [
        Figure(
            f"sweep: claim {BATCH} due",
            claim_p50,
            "ms",
            bare_p50,
            "bare SELECT",
            f"< {TARGET_MS:.0f} ms",
            claim_p50 < TARGET_MS,
        )
    ]
