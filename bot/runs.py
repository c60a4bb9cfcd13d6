"""Conversation runs on a case: start, answer, correct, pause, finish, and what a
finished run leaves behind (deadlines from dated answers, meetings)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit, deadlines
from bot.rules.cadences import meeting_deadlines
from bot.settings import Settings
from storage.enums import RunStatus
from storage.models import Answer, Case, ConversationRun, Deadline, Koordinator, Meeting

ACTIVE, PAUSED = RunStatus.ACTIVE, RunStatus.PAUSED
FINISHED, ABANDONED = RunStatus.FINISHED, RunStatus.ABANDONED


async def get(session: AsyncSession, run_id: int | None) -> ConversationRun | None:
    """A run by id (no access check: callers check the case)."""
    return await session.get(ConversationRun, run_id) if run_id else None


async def lock(session: AsyncSession, run_id: int) -> ConversationRun | None:
    """The run, locked for this transaction (PostgreSQL), so two answers given at
    once with the same step token cannot both be taken."""
    return await session.get(ConversationRun, run_id, with_for_update=True)


async def paths_with_history(session: AsyncSession, run_id: int) -> set[str]:
    """Paths answered more than once (corrected at least once)."""
    rows = await session.execute(
        select(Answer.path)
        .where(Answer.run_id == run_id)
        .group_by(Answer.path)
        .having(func.count(Answer.id) > 1)
    )
    return {path for (path,) in rows.all()}


async def start_run(
    session: AsyncSession,
    case: Case,
    kind: str,
    koordinator: Koordinator,
    cursor: dict[str, Any],
    now: datetime,
) -> ConversationRun:
    """A new run of `kind` on the case, positioned at `cursor`."""
    run = ConversationRun(
        case_id=case.id,
        kind=kind,
        status=ACTIVE,
        cursor=cursor,
        token=1,
        started_by_id=koordinator.id,
        started_at=now,
        updated_at=now,
    )
    session.add(run)
    await session.flush()
    await audit.record(
        session,
        at=now,
        action=f"run.started.{kind}",
        actor=koordinator,
        case_id=case.id,
        detail=str(run.id),
    )
    return run


async def unfinished_run(session: AsyncSession, case_id: int, kind: str) -> ConversationRun | None:
    """The newest active or paused run of `kind` on the case."""
    return await session.scalar(
        select(ConversationRun)
        .where(
            ConversationRun.case_id == case_id,
            ConversationRun.kind == kind,
            ConversationRun.status.in_((ACTIVE, PAUSED)),
        )
        .order_by(ConversationRun.id.desc())
        .limit(1)
    )


async def runs_with_answers(session: AsyncSession, run_ids: list[int]) -> set[int]:
    """Which of these runs hold at least one answer."""
    if not run_ids:
        return set()
    return set(
        (
            await session.scalars(
                select(Answer.run_id).where(Answer.run_id.in_(run_ids)).distinct()
            )
        ).all()
    )


async def latest_finished(session: AsyncSession, case_id: int, kind: str) -> ConversationRun | None:
    """The case's most recently finished run of this kind, if any."""
    return await session.scalar(
        select(ConversationRun)
        .where(
            ConversationRun.case_id == case_id,
            ConversationRun.kind == kind,
            ConversationRun.status == FINISHED,
        )
        .order_by(ConversationRun.finished_at.desc(), ConversationRun.id.desc())
        .limit(1)
    )


async def latest_paused_of(
    session: AsyncSession, koordinator: Koordinator
) -> ConversationRun | None:
    """The koordinator's most recently touched unfinished run (for /fortsett)."""
    return await session.scalar(
        select(ConversationRun)
        .join(Case, Case.id == ConversationRun.case_id)
        .where(Case.koordinator_id == koordinator.id, ConversationRun.status.in_((ACTIVE, PAUSED)))
        .order_by(ConversationRun.updated_at.desc(), ConversationRun.id.desc())
        .limit(1)
    )


async def runs_of(session: AsyncSession, case_id: int) -> list[ConversationRun]:
    """All runs on a case, oldest first."""
    return list(
        (
            await session.scalars(
                select(ConversationRun)
                .where(ConversationRun.case_id == case_id)
                .order_by(ConversationRun.started_at, ConversationRun.id)
            )
        ).all()
    )


def move(run: ConversationRun, cursor: dict[str, Any], now: datetime) -> None:
    """Store a new position; buttons of the previous step become stale."""
    run.cursor = dict(cursor)
    run.token = (run.token % 99_999) + 1
    run.updated_at = now


async def current_answers(session: AsyncSession, run_id: int) -> dict[str, Answer]:
    """Latest answer per path (corrections replace, history stays in the table)."""
    rows = (
        await session.scalars(
            select(Answer)
            .where(Answer.run_id == run_id, Answer.superseded_at.is_(None))
            .order_by(Answer.id)
        )
    ).all()
    return {a.path: a for a in rows}


async def answer_order(session: AsyncSession, run_id: int) -> list[str]:
    """Paths in the order they were first answered (stable across corrections)."""
    rows = (
        await session.execute(
            select(Answer.path, func.min(Answer.id).label("first"))
            .where(Answer.run_id == run_id)
            .group_by(Answer.path)
            .order_by("first")
        )
    ).all()
    return [r.path for r in rows]


async def history(session: AsyncSession, run_id: int, path: str) -> list[Answer]:
    """Every answer ever given at `path`, oldest first."""
    return list(
        (
            await session.scalars(
                select(Answer)
                .where(Answer.run_id == run_id, Answer.path == path)
                .order_by(Answer.id)
            )
        ).all()
    )


async def save_answer(
    session: AsyncSession,
    run: ConversationRun,
    *,
    path: str,
    step_id: str,
    value: Any,
    skipped: bool,
    koordinator: Koordinator,
    now: datetime,
) -> Answer:
    """Store an answer the moment it is given; an earlier one at `path` is superseded."""
    previous = await session.scalar(
        select(Answer).where(
            Answer.run_id == run.id, Answer.path == path, Answer.superseded_at.is_(None)
        )
    )
    if previous is not None:
        previous.superseded_at = now
    answer = Answer(
        run_id=run.id,
        path=path,
        step_id=step_id,
        value=value,
        skipped=skipped,
        answered_by_id=koordinator.id,
        answered_at=now,
    )
    session.add(answer)
    run.updated_at = now
    await session.flush()
    return answer


async def save_note(
    session: AsyncSession, run: ConversationRun, path: str, note: str, now: datetime
) -> None:
    """Attach a note to the current answer at `path`."""
    answer = await session.scalar(
        select(Answer).where(
            Answer.run_id == run.id, Answer.path == path, Answer.superseded_at.is_(None)
        )
    )
    if answer is not None:
        answer.note = note
        run.updated_at = now


async def set_status(
    session: AsyncSession, run: ConversationRun, status: str, now: datetime
) -> None:
    """Pause, resume or finish a run."""
    run.status = status
    run.updated_at = now
    if status == FINISHED:
        run.finished_at = now


async def deadlines_of(
    session: AsyncSession, case_id: int, statuses: tuple[str, ...] = ("open",)
) -> list[Deadline]:
    """A case's deadlines in the given statuses, soonest first."""
    return list(
        (
            await session.scalars(
                select(Deadline)
                .where(Deadline.case_id == case_id, Deadline.status.in_(statuses))
                .order_by(Deadline.due, Deadline.id)
            )
        ).all()
    )


async def plan_meeting(
    session: AsyncSession,
    case: Case,
    run: ConversationRun,
    *,
    kind: str,
    starts_at: datetime,
    place: str | None,
    minutes_by: str | None,
    settings: Settings,
    now: datetime,
) -> Meeting:
    """Record a planned meeting and its invitation, meeting and minutes deadlines."""
    meeting = await session.scalar(select(Meeting).where(Meeting.run_id == run.id))
    if meeting is None:
        meeting = Meeting(
            case_id=case.id,
            run_id=run.id,
            kind=kind,
            starts_at=starts_at,
            place=place,
            minutes_by=minutes_by,
            status="planned",
            created_at=now,
            updated_at=now,
        )
        session.add(meeting)
        await session.flush()
    else:
        meeting.kind, meeting.starts_at, meeting.place = kind, starts_at, place
        meeting.minutes_by, meeting.updated_at = minutes_by, now
    day = starts_at.astimezone(settings.zone).date()
    for deadline_kind, due in meeting_deadlines(
        day, deadlines.case_cadence(case, settings)
    ).items():
        await deadlines.upsert(
            session,
            case,
            settings,
            now,
            kind=deadline_kind,
            due=due,
            source="mote",
            source_ref=f"meeting:{meeting.id}:{deadline_kind}",
        )
    await deadlines.refresh_meeting_cadence(session, case, settings, now)
    return meeting


async def meetings_of(session: AsyncSession, case_id: int) -> list[Meeting]:
    """A case's meetings, oldest first."""
    return list(
        (
            await session.scalars(
                select(Meeting).where(Meeting.case_id == case_id).order_by(Meeting.starts_at)
            )
        ).all()
    )


async def record_meeting_outcome(
    session: AsyncSession,
    case: Case,
    meeting: Meeting,
    outcome: str,
    settings: Settings,
    now: datetime,
) -> None:
    """held / not_held / moved. Held closes the meeting deadline; not held drops the
    open invitation and minutes deadlines."""
    meeting.status = outcome
    meeting.updated_at = now
    for deadline in await deadlines_of(session, case.id):
        ref = deadline.source_ref or ""
        if not ref.startswith(f"meeting:{meeting.id}:"):
            continue
        kind = ref.rsplit(":", 1)[1]
        if outcome == "held" and kind in ("mote", "innkalling"):
            await deadlines.set_status(session, deadline, "done", now)
        elif outcome in ("not_held", "moved"):
            await deadlines.set_status(session, deadline, "dismissed", now)
    await deadlines.refresh_meeting_cadence(session, case, settings, now)
