"""A koordinator's own settings and what the bot stores about them (/mine_data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import CaseStatus
from storage.models import AuditEntry, Case, Koordinator


@dataclass(frozen=True)
class MyData:
    """Counts about a koordinator, never the cases' content."""

    registered_on: date
    open_cases: int
    closed_cases: int
    audit_entries: int


async def my_data(session: AsyncSession, koordinator: Koordinator, zone: ZoneInfo) -> MyData:
    """What is stored about `koordinator` (their cases counted, not read)."""
    by_status = dict(
        (
            await session.execute(
                select(Case.status, func.count(Case.id))
                .where(Case.koordinator_id == koordinator.id)
                .group_by(Case.status)
            )
        ).all()
    )
    entries = await session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.koordinator_id == koordinator.id)
    )
    return MyData(
        registered_on=koordinator.created_at.astimezone(zone).date(),
        open_cases=by_status.get(CaseStatus.ACTIVE, 0) + by_status.get(CaseStatus.PAUSED, 0),
        closed_cases=by_status.get(CaseStatus.CLOSED, 0),
        audit_entries=entries or 0,
    )


def set_tidy_mode(koordinator: Koordinator, on: bool) -> bool:
    """Turn tidy mode (finished conversations removed from the chat) on or off; the
    new setting. Setting it twice is harmless (an old button pressed again)."""
    koordinator.tidy_mode = on
    return koordinator.tidy_mode
