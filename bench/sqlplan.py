"""Which statements ran, how long each took, and how the database planned them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

Statement = tuple[str, Any, float]  # (SQL, parameters, seconds)


@dataclass
class StatementLog:
    """Every statement an engine runs while `recording`, with its duration (for the
    async drivers this includes the hop to the driver and back)."""

    recording: bool = False
    statements: list[Statement] = field(default_factory=list)

    def attach(self, engine: AsyncEngine) -> StatementLog:
        event.listen(engine.sync_engine, "before_cursor_execute", self._before)
        event.listen(engine.sync_engine, "after_cursor_execute", self._after)
        return self

    def take(self) -> list[Statement]:
        """The statements recorded so far, clearing the log."""
        taken, self.statements = self.statements, []
        return taken

    def _before(self, conn: Connection, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        conn.info["bench_t0"] = time.perf_counter()

    def _after(self, conn: Connection, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        started = conn.info.pop("bench_t0", None)
        if self.recording and started is not None:
            self.statements.append((statement, params, time.perf_counter() - started))


def one_line(sql: str, limit: int = 400) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


async def explain(engine: AsyncEngine, label: str, statements: list[Statement]) -> None:
    """Print the plan of each statement with the parameters it really ran with
    (PostgreSQL: EXPLAIN ANALYZE inside a transaction that is rolled back)."""
    sqlite = engine.dialect.name == "sqlite"
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS) "
    async with engine.connect() as conn:
        for n, (sql, params, _) in enumerate(statements, 1):
            print(f"  plan of {label} statement {n}: {one_line(sql)}")
            rows: list[Any] = list((await conn.exec_driver_sql(prefix + sql, params)).fetchall())
            if sqlite:
                depth: dict[int, int] = {0: 0}
                for row in rows:  # (id, parent, unused, detail)
                    depth[row[0]] = depth.get(row[1], 0) + 1
                    print(f"    {'  ' * (depth[row[0]] - 1)}{row[3]}")
            else:
                for row in rows:
                    print(f"    {row[0]}")
        await conn.rollback()
