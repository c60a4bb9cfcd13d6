"""The KE's notices about deadlines: the long-overdue ones and the cases whose Vg1
transition comes up. Each claim marks what it lists, so a deadline is in one notice at
most, even if sending fails; a notice carries alias, koordinator, kind and date only."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import deadlines
from bot.rules.transitions import KE_VG1_LEAD_DAYS, KIND_VGS_START
from storage.enums import CaseStatus
from storage.models import Case, Deadline, Koordinator


class OverdueLine(NamedTuple):
    """A long-overdue deadline as the KE notice lists it (content-free)."""

    deadline_id: int
    alias: str
    koordinator_name: str
    kind: str
    due: date


async def claim_long_overdue(
    session: AsyncSession, *, before: date, now: datetime, limit: int = 50
) -> list[OverdueLine]:
    """Active deadlines of active cases due before `before` that the KE has not been told
    about; marked told here, so each is in one notice at most, even if sending fails."""
    rows = await _for_the_ke(
        session, limit, Deadline.due < before, Deadline.ke_notified_at.is_(None)
    )
    for deadline, _alias, _name in rows:
        deadline.ke_notified_at = now
    return [OverdueLine(d.id, alias, name or "", d.kind, d.due) for d, alias, name in rows]


class Vg1Line(NamedTuple):
    """A case whose Vg1 transition the KE takes up, as the notice lists it."""

    deadline_id: int
    alias: str
    koordinator_name: str
    due: date


async def claim_vg1_cases(
    session: AsyncSession, *, today: date, now: datetime, limit: int = 50
) -> list[Vg1Line]:
    """Active Vg1 start deadlines of active cases whose KE day (`vg1_ke_day`) has come
    and whose start has not passed, that the KE has not been asked about; marked asked
    here, so each is in one notice at most, even if sending fails."""
    rows = await _for_the_ke(
        session,
        limit,
        Deadline.kind == KIND_VGS_START,
        Deadline.due >= today,
        Deadline.due <= today + timedelta(days=KE_VG1_LEAD_DAYS),
        Deadline.ke_brought_at.is_(None),
    )
    for deadline, _alias, _name in rows:
        deadline.ke_brought_at = now
    return [Vg1Line(d.id, alias, name or "", d.due) for d, alias, name in rows]


async def _for_the_ke(
    session: AsyncSession, limit: int, *conditions: Any
) -> list[tuple[Deadline, str, str | None]]:
    """Active deadlines of active cases that meet `conditions`, soonest first, with the
    case's alias and its koordinator's name (what a notice to the KE lists)."""
    rows = await session.execute(
        select(Deadline, Case.alias, Koordinator.name)
        .join(Case, Case.id == Deadline.case_id)
        .join(Koordinator, Koordinator.id == Case.koordinator_id)
        .where(Deadline.status.in_(deadlines.ACTIVE), Case.status == CaseStatus.ACTIVE, *conditions)
        .order_by(Deadline.due, Deadline.id)
        .limit(limit)
    )
    return [(d, alias, name) for d, alias, name in rows.all()]
