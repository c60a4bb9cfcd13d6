"""What became of a planned meeting: held, not held, or moved to another time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import cases, runs
from bot.settings import Settings
from storage.models import Case, Koordinator, Meeting

OUTCOMES = ("held", "not_held", "moved")


@dataclass(frozen=True)
class MeetingOutcome:
    """`result` is recorded, move (ask the new time), not_found, stale or not_yet."""

    result: str
    case: Case | None = None
    meeting: Meeting | None = None


async def record_outcome(
    session: AsyncSession,
    me: Koordinator,
    meeting_id: int | None,
    outcome: str,
    settings: Settings,
    now: datetime,
) -> MeetingOutcome:
    """Record what became of one of my planned meetings. A meeting cannot be held
    before it starts; a moved meeting keeps everything but its time, which the
    caller asks again (`move`)."""
    meeting = await session.get(Meeting, meeting_id) if meeting_id else None
    case = await cases.case_for(session, me, meeting.case_id, now) if meeting is not None else None
    if meeting is None or case is None or outcome not in OUTCOMES:
        return MeetingOutcome("not_found")
    if meeting.status != "planned":
        return MeetingOutcome("stale", case, meeting)
    if outcome == "held" and meeting.starts_at > now:
        return MeetingOutcome("not_yet", case, meeting)
    if outcome == "moved" and meeting.run_id is not None:
        return MeetingOutcome("move", case, meeting)
    await runs.record_meeting_outcome(session, case, meeting, outcome, settings, now)
    return MeetingOutcome("recorded", case, meeting)
