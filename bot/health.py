"""`koordbot health`: is this installation doing its work? One line and a verdict, for
Docker's HEALTHCHECK, systemd and monitoring.

Unhealthy (exit code 1): the database cannot be reached, its schema is not at this
version's migrations, or no reminder sweep has completed lately (no process runs the
reminder jobs, or they fail). Reported, but healthy: reminders that failed for good and
koordinatorer the bot cannot reach, which need a person, not a restart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, text

from storage.db import SWEEP_COMPLETED, Database, head_revision
from storage.models import Koordinator, OpsMark, Reminder


@dataclass(frozen=True)
class Health:
    """What `koordbot health` found."""

    problems: list[str]
    facts: list[str]

    @property
    def healthy(self) -> bool:
        return not self.problems

    def line(self) -> str:
        """One line: the verdict, then what is wrong, then the rest."""
        verdict = "OK" if self.healthy else "UNHEALTHY"
        return f"{verdict}: " + "; ".join(self.problems + self.facts)


def sweep_allowance(sweep_seconds: int) -> timedelta:
    """How old the last sweep may be: a few missed intervals, at least ten minutes."""
    return max(timedelta(seconds=5 * sweep_seconds), timedelta(minutes=10))


async def check(db: Database, now: datetime, sweep_seconds: int) -> Health:
    """Look at the database and the reminder work (never raises for a database fault)."""
    problems: list[str] = []
    facts: list[str] = []
    try:
        async with db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means: not reachable
        return Health([f"database not reachable ({type(exc).__name__})"], [])
    facts.append("database reachable")
    current, head = await db.current_revision(), head_revision()
    if current != head:
        problems.append(f"migrations not current (database {current or 'empty'}, code {head})")
        return Health(problems, facts)
    facts.append(f"migrations current ({head})")
    async with db.session() as session:
        last = await session.get(OpsMark, SWEEP_COMPLETED)
        failed = await session.scalar(
            select(func.count()).select_from(Reminder).where(Reminder.status == "failed")
        )
        unreachable = await session.scalar(
            select(func.count())
            .select_from(Koordinator)
            .where(Koordinator.unreachable_since.is_not(None), Koordinator.active.is_(True))
        )
    if last is None:
        problems.append("no reminder sweep has completed yet")
    else:
        age = now - last.at
        seconds = max(int(age.total_seconds()), 0)
        if age > sweep_allowance(sweep_seconds):
            problems.append(
                f"last reminder sweep {_ago(seconds)} ago (expected every {sweep_seconds} s)"
            )
        else:
            facts.append(f"last reminder sweep {_ago(seconds)} ago")
    facts.append(f"{failed or 0} reminders failed for good")
    facts.append(f"{unreachable or 0} koordinatorer unreachable")
    return Health(problems, facts)


def _ago(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"
