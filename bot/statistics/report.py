"""/statistikk as one service call: gather the facts, compute, and audit the view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.statistics.compute import Statistics, compute
from bot.statistics.facts import Facts, gather
from storage.enums import AuditAction
from storage.models import Koordinator


@dataclass(frozen=True)
class Report:
    """The facts (for the case list CSV) and the figures computed from them."""

    facts: Facts
    stats: Statistics


async def report(
    session: AsyncSession, viewer: Koordinator, *, now: datetime, today: date, zone: ZoneInfo
) -> Report:
    """The municipality's statistics on `today`; the view is recorded in the audit log.
    The caller has checked that `viewer` is an admin."""
    facts = await gather(session, zone)
    stats = compute(facts.cases, facts.deadlines, facts.koordinatorer, today=today)
    await audit.record(session, at=now, action=AuditAction.STATISTICS_VIEWED, actor=viewer)
    return Report(facts, stats)
