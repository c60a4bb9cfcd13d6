"""Which statements ran, how long each took, and how the database planned them: and
whether a plan reads a big table whole (`judge`)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.config import NOW, TODAY, Target, bench_settings, cipher
from bench.report import Figure
from bot import cases, deadlines
from bot.reminders import outbox
from storage.db import Database, Session
from storage.models import Base, Case, Deadline, Koordinator

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


# ---- judging plans ---------------------------------------------------------------------
# Tables that grow with the cases (national scale: 100,000 cases and their deadlines,
# reminders, answers ...): reading one of them whole, on a path a person waits for, is
# a miss. Tables that grow with the koordinatorer (a few thousand rows: koordinator,
# dialog_state) or stay small (settings, invitations) cost well under a millisecond to
# read whole, and PostgreSQL rightly does so to build a hash join.
BIG_TABLES = frozenset(
    {
        "case",
        "case_request",
        "conversation_run",
        "answer",
        "deadline",
        "meeting",
        "reminder",
        "audit_log",
    }
)
# Columns with a handful of values: an index search on nothing but these (say
# `status = 'pending'`) walks a large share of the table, however it is labelled.
WEAK_COLUMNS = frozenset(
    {"status", "kind", "source", "level", "role", "active", "is_admin", "flow", "action"}
)

_SQLITE_ACCESS = re.compile(r"^(SCAN|SEARCH)(?: TABLE)? (\w+)(?: AS \w+)?(.*)$")
_SQLITE_TERM = re.compile(r"(\w+)(=|>|<|>=|<=| IN) ?\?")


@dataclass(frozen=True)
class Plan:
    """How the database planned one statement, and the accesses judged as scans."""

    sql: str
    lines: list[str]
    scans: list[str]


def _table_of(name: str) -> str:
    # SQLAlchemy aliases a table as `case_1`, `reminder_2` ...
    return re.sub(r"_\d+$", "", name)


def _sqlite_scans(lines: list[str]) -> list[str]:
    found = []
    for line in lines:
        match = _SQLITE_ACCESS.match(line.strip())
        if match is None or _table_of(match[2]) not in BIG_TABLES:
            continue
        if match[1] == "SCAN":
            found.append(line.strip())
            continue
        columns = {term[0] for term in _SQLITE_TERM.findall(match[3])}
        if "rowid" not in columns and columns <= WEAK_COLUMNS:
            found.append(f"{line.strip()} (only {', '.join(sorted(columns))}: not selective)")
    return found


def pg_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", ()):
        yield from pg_nodes(child)


def _pg_scans(plan: dict[str, Any], index_tables: dict[str, str]) -> list[str]:
    # PostgreSQL plans with statistics: an index searched on the status alone is its
    # choice only when that status is rare (claimed reminders are), so only a
    # sequential scan and an index walked without a condition count as reading whole.
    found = []
    for node in pg_nodes(plan):
        kind = node.get("Node Type", "")
        table = node.get("Relation Name") or index_tables.get(node.get("Index Name", ""), "")
        if table not in BIG_TABLES:
            continue
        if kind == "Seq Scan":
            found.append(f"Seq Scan on {table} (filter: {node.get('Filter', '-')})")
        elif "Index" in kind and not node.get("Index Cond"):
            found.append(f"{kind} using {node.get('Index Name')} on {table} without a condition")
    return found


async def judge(engine: AsyncEngine, statements: list[Statement]) -> list[Plan]:
    """The plan of each SELECT, UPDATE and DELETE in `statements`, with the parameters
    it really ran with, and its scans of big tables: a sequential scan, or an index
    searched on low-cardinality columns only (SQLite: EXPLAIN QUERY PLAN; PostgreSQL:
    EXPLAIN with the statistics the database has)."""
    sqlite = engine.dialect.name == "sqlite"
    index_tables: dict[str, str] = {}
    for table in Base.metadata.tables.values():
        for item in (*table.indexes, *table.constraints):
            name = getattr(item, "name", None)
            if isinstance(name, str):
                index_tables[name] = table.name
    plans = []
    async with engine.connect() as conn:
        for sql, params, _ in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH")):
                continue
            if sqlite:
                rows = (await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)).all()
                lines = [str(list(row)[3]) for row in rows]
                plans.append(Plan(sql, lines, _sqlite_scans(lines)))
            else:
                raw: Any = (
                    await conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + sql, params)
                ).scalar()
                tree = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
                lines = [
                    " ".join(
                        str(n[key])
                        for key in ("Node Type", "Relation Name", "Index Name", "Index Cond")
                        if n.get(key)
                    )
                    for n in pg_nodes(tree)
                ]
                plans.append(Plan(sql, lines, _pg_scans(tree, index_tables)))
        await conn.rollback()
    return plans


def report(label: str, plans: list[Plan]) -> bool:
    """Print each plan with OK or MISS; True when no plan scans a big table."""
    for n, plan in enumerate(plans, 1):
        verdict = "MISS" if plan.scans else "OK"
        print(f"  {verdict:4} {label} statement {n}: {one_line(plan.sql, 150)}")
        for line in plan.scans:
            print(f"         scans: {line}")
    return not any(plan.scans for plan in plans)


# ---- the morning's write paths at scale ------------------------------------------------
async def write_paths(target: Target) -> list[Figure]:
    """Run the services behind Utført, Utsett, a picked date, moving, dismissing,
    completing a kind, closing a case and the reminder claim on one busy case of the
    benchmark municipality, inside a transaction that is rolled back; print each
    statement's plan with OK or MISS. A plan that reads a big table whole is a MISS."""
    db = Database(target.url, cipher())
    settings = bench_settings(target.url)
    now = NOW.astimezone(UTC)
    log = StatementLog().attach(db.engine)
    captured: dict[str, list[Statement]] = {}
    try:
        async with db.sessions() as session:
            case, koordinator, found = await _busy_case(session)

            async def capture(name: str, work: Awaitable[Any]) -> None:
                log.take()
                log.recording = True
                try:
                    await work
                    await session.flush()
                finally:
                    log.recording = False
                captured[name] = log.take()

            first, second, third, *_ = found
            await capture("Utført", deadlines.set_status(session, first, "done", now))
            await capture(
                "Utsett 1 dag", deadlines.snooze_for(session, second, case, "1d", settings, now)
            )
            await capture(
                "a picked date",
                deadlines.snooze(session, second, case, TODAY + timedelta(days=9), settings, now),
            )
            await capture(
                "move",
                deadlines.move(session, third, case, TODAY + timedelta(days=40), settings, now),
            )
            await capture("dismiss", deadlines.set_status(session, third, "dismissed", now))
            await capture("complete_kind", deadlines.complete_kind(session, case, third.kind, now))
            await capture("close case", cases.close_case(session, koordinator, case, "annet", now))
            await capture("due listing", outbox.due(session, now=now, limit=500))
            await capture("claim", outbox.claim(session, 0, "bench-token", now))
            await session.rollback()
        misses = 0
        for name, statements in captured.items():
            plans = await judge(db.engine, statements)
            misses += sum(1 for plan in plans if plan.scans)
            report(name, plans)
    finally:
        await db.dispose()
    return [
        Figure(
            "write-path plans reading a big table whole",
            misses,
            "",
            target="0",
            ok=misses == 0,
        )
    ]


async def _busy_case(session: Session) -> tuple[Case, Koordinator, list[Deadline]]:
    """An active case of an active koordinator with at least three active deadlines."""
    counted = (
        select(Deadline.case_id)
        .join(Case, Case.id == Deadline.case_id)
        .where(Case.status == "active", Deadline.status.in_(deadlines.ACTIVE))
        .group_by(Deadline.case_id)
        .having(func.count() >= 3)
        .limit(1)
    )
    case_id = await session.scalar(counted)
    if case_id is None:
        raise RuntimeError("no case with three active deadlines in the benchmark data")
    case = await session.get(Case, case_id)
    assert case is not None
    koordinator = await session.get(Koordinator, case.koordinator_id)
    assert koordinator is not None
    return case, koordinator, await deadlines.active_of(session, case_id)
