"""One sweep's claim of this morning's due reminders (`bot.reminders.claim`, rolled
back so the data stays) against the bare indexed SELECT, with the query plans."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.engine import Connection

from bench.config import NOW, Target, cipher
from bench.load import reset_dispatch
from bench.report import Figure
from bot import reminders
from handlers.reminders import BATCH
from storage.db import Database
from storage.models import Reminder

TARGET_MS = 100.0


@dataclass
class StatementLog:
    """Every statement an engine runs while `recording`, with its duration."""

    recording: bool = False
    statements: list[tuple[str, Any, float]] = field(default_factory=list)

    def attach(self, db: Database) -> None:
        engine = db.engine.sync_engine
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn: Connection, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        conn.info["bench_t0"] = time.perf_counter()

    def _after(self, conn: Connection, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if self.recording:
            seconds = time.perf_counter() - conn.info.pop("bench_t0", time.perf_counter())
            self.statements.append((statement, params, seconds))


async def run(target: Target, repeats: int = 15, warmup: int = 3) -> list[Figure]:
    db = Database(target.url, cipher())
    log = StatementLog()
    log.attach(db)
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
                log.statements.clear()
                log.recording = True
                started = time.perf_counter()
                ids = await reminders.claim(
                    session, now=now, worker="bench-sweep", limit=BATCH, postgres=postgres
                )
                elapsed = time.perf_counter() - started
                log.recording = False
                await session.rollback()
            claim_statements = list(log.statements)
            async with db.sessions() as session:
                log.statements.clear()
                log.recording = True
                started = time.perf_counter()
                bare_ids = (await session.scalars(bare)).all()
                bare_elapsed = time.perf_counter() - started
                log.recording = False
                await session.rollback()
            bare_statements = list(log.statements)
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
            print(f"    claim statement {n}: {ms:.1f} ms  {_one_line(sql)[:150]}")
        await _explain(db, "claim", claim_statements)
        await _explain(db, "bare SELECT", bare_statements)
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


def _one_line(sql: str) -> str:
    return " ".join(sql.split())


async def _explain(db: Database, label: str, statements: list[tuple[str, Any, float]]) -> None:
    """Print the plan of each statement, with the parameters it really ran with."""
    prefix = "EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN (ANALYZE, BUFFERS) "
    async with db.engine.connect() as conn:
        for n, (sql, params, _) in enumerate(statements, 1):
            print(f"  plan of {label} statement {n}: {_one_line(sql)[:400]}")
            result = await conn.exec_driver_sql(prefix + sql, params)
            rows = result.fetchall()
            if db.is_sqlite:
                depth: dict[int, int] = {0: 0}
                for node, parent, _, detail in rows:
                    depth[node] = depth.get(parent, 0) + 1
                    print(f"    {'  ' * (depth[node] - 1)}{detail}")
            else:
                for (line,) in rows:
                    print(f"    {line}")
        await conn.rollback()
