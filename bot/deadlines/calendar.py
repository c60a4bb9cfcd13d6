"""/kalender: a koordinator's deadlines (and meeting times) as an iCalendar file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.deadlines.lookups import Due
from bot.deadlines.planning import ACTIVE, lead_days_of, local_day
from bot.export_ics import CalendarEntry, build_calendar
from bot.rules.cadences import KIND_MOTE
from bot.settings import Settings
from storage.enums import CaseStatus
from storage.models import Case, Deadline, Koordinator, Meeting

# Deadlines this far back stay in the file, so a done or dismissed one is cancelled in
# the calendar that imported it earlier.
RECENTLY_CLOSED = timedelta(days=120)

# (alias, deadline) -> the entry's content-free summary, from a template.
Summary = Callable[[str, Due], str]


@dataclass(frozen=True)
class CalendarFile:
    """The .ics bytes and how many live entries they hold (the cancelled ones that tell
    a calendar to drop what is done, dismissed or closed are not counted)."""

    data: bytes
    count: int


async def export_calendar(
    session: AsyncSession,
    koordinator: Koordinator,
    chosen: Sequence[Case],
    *,
    name: str,
    summary: Summary,
    settings: Settings,
    now: datetime,
) -> CalendarFile:
    """The deadlines of `chosen` (the koordinator's own cases) as a calendar file; each
    case's export is audited."""
    entries = await _entries(session, chosen, summary, settings, now)
    data = build_calendar(
        entries, name=name, generated_at=now.astimezone(settings.zone), tz=settings.timezone
    )
    for case in chosen:
        await audit.record(
            session, at=now, action="case.calendar", actor=koordinator, case_id=case.id
        )
    return CalendarFile(data, sum(1 for e in entries if e.status == "CONFIRMED"))


async def _entries(
    session: AsyncSession,
    chosen: Sequence[Case],
    summary: Summary,
    settings: Settings,
    now: datetime,
) -> list[CalendarEntry]:
    by_id = {c.id: c for c in chosen}
    if not by_id:
        return []
    since = local_day(now, settings) - RECENTLY_CLOSED
    rows = (
        await session.scalars(
            select(Deadline)
            .where(Deadline.case_id.in_(list(by_id)), Deadline.due >= since)
            .order_by(Deadline.due, Deadline.id)
        )
    ).all()
    meetings = {
        m.id: m
        for m in (
            await session.scalars(select(Meeting).where(Meeting.case_id.in_(list(by_id))))
        ).all()
    }
    # Every export outranks earlier ones, so a re-import updates instead of duplicating.
    sequence = int(now.timestamp() // 60)
    entries = []
    for d in rows:
        starts_at = None
        ref = d.source_ref or ""
        if d.kind == KIND_MOTE and ref.startswith("meeting:"):
            meeting = meetings.get(int(ref.split(":")[1]))
            if meeting is not None:
                starts_at = meeting.starts_at.astimezone(settings.zone)
        leads = lead_days_of(d, settings.cadence)
        case = by_id[d.case_id]
        live = d.status in ACTIVE and case.status != CaseStatus.CLOSED
        entries.append(
            CalendarEntry(
                uid=f"deadline-{d.id}@koordinatorbot",
                summary=summary(case.alias, Due.of(d)),
                day=starts_at.date() if starts_at else d.due,
                starts_at=starts_at,
                alarm_days_before=(min(leads) if leads else 1,),
                sequence=sequence,
                status="CONFIRMED" if live else "CANCELLED",
            )
        )
    return entries
