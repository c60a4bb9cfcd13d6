"""Cases: create, find, list, edit, pause and reopen. Every access is checked here.

A change to a case's facts or status brings its deadlines and reminders in line before
it returns (`bot.deadlines`), so callers have no follow-up to remember.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit, deadlines
from bot.rules.age import age_on, lowest_age_on
from bot.rules.text import alias_key
from bot.settings import Settings
from storage.enums import AuditAction, CaseStatus, CloseReason, DeadlineStatus
from storage.models import Case, Deadline, Koordinator

EDITABLE_FIELDS = (
    "alias",
    "role",
    "level",
    "birth",
    "gender",
    "arena",
    "appointed_on",
    "evaluation_months",
    "meeting_interval_months",
    "vgs_years",
)


class AliasTaken(Exception):
    """The koordinator already has a case with this alias."""


@dataclass(frozen=True)
class CaseDraft:
    """What the /ny dialogue collects, in plain values."""

    alias: str
    role: str
    level: str
    appointed_on: date
    birth_year: int | None = None
    birth_month: int | None = None
    gender: str | None = None
    arena: str | None = None


async def alias_taken(
    session: AsyncSession, koordinator_id: int, alias: str, exclude_case_id: int | None = None
) -> bool:
    """True when another case of this koordinator has the same alias (any case)."""
    stmt = select(Case.id).where(
        Case.koordinator_id == koordinator_id, Case.alias_key == alias_key(alias)
    )
    if exclude_case_id is not None:
        stmt = stmt.where(Case.id != exclude_case_id)
    return (await session.scalar(stmt.limit(1))) is not None


async def create_case(
    session: AsyncSession,
    koordinator: Koordinator,
    draft: CaseDraft,
    settings: Settings,
    now: datetime,
) -> Case:
    """Store a new active case for `koordinator` with its cadence and transition
    deadlines; raises AliasTaken on a clash."""
    if await alias_taken(session, koordinator.id, draft.alias):
        raise AliasTaken(draft.alias)
    case = Case(
        koordinator_id=koordinator.id,
        alias=draft.alias,
        alias_key=alias_key(draft.alias),
        role=draft.role,
        level=draft.level,
        birth_year=draft.birth_year,
        birth_month=draft.birth_month,
        gender=draft.gender,
        arena=draft.arena,
        tjenestested=koordinator.tjenestested,
        appointed_on=draft.appointed_on,
        status=CaseStatus.ACTIVE,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    await session.flush()
    await audit.record(
        session,
        at=now,
        action=AuditAction.CASE_CREATED,
        actor=koordinator,
        case_id=case.id,
    )
    await _follow_facts(session, case, settings, now)
    return case


async def _follow_facts(
    session: AsyncSession, case: Case, settings: Settings, now: datetime
) -> None:
    """Cadence and transition deadlines (and their reminders) follow the case's facts."""
    await deadlines.refresh_case(session, case, settings, deadlines.local_day(now, settings), now)


async def my_cases(
    session: AsyncSession,
    koordinator: Koordinator,
    statuses: tuple[str, ...] = (CaseStatus.ACTIVE, CaseStatus.PAUSED),
) -> list[Case]:
    """The koordinator's cases in the given statuses, sorted by alias."""
    stmt = (
        select(Case)
        .where(Case.koordinator_id == koordinator.id, Case.status.in_(statuses))
        .order_by(Case.alias_key)
    )
    return list((await session.scalars(stmt)).all())


async def case_for(
    session: AsyncSession, koordinator: Koordinator, case_id: int, now: datetime
) -> Case | None:
    """The case if it belongs to `koordinator`; a refused attempt is audited."""
    case = await session.get(Case, case_id)
    if case is None or case.koordinator_id != koordinator.id:
        await audit.record(
            session,
            at=now,
            action=AuditAction.CASE_DENIED,
            actor=koordinator,
            case_id=case_id,
        )
        return None
    return case


async def deadline_for(
    session: AsyncSession, koordinator: Koordinator, deadline_id: int, now: datetime
) -> tuple[Deadline, Case] | None:
    """A deadline with its case, if the case belongs to `koordinator` (a refused
    attempt is audited like any other case access)."""
    deadline = await session.get(Deadline, deadline_id)
    if deadline is None:
        return None
    case = await case_for(session, koordinator, deadline.case_id, now)
    return (deadline, case) if case is not None else None


async def find_by_alias(
    session: AsyncSession, koordinator: Koordinator, text: str, *, readable_on: date | None = None
) -> Case | None:
    """The koordinator's own case with this alias (case-insensitive); with `readable_on`,
    else a case handed over from them whose overlap has not ended that day."""
    key = alias_key(text)
    if not key or len(key) > 64:
        return None
    own = await session.scalar(
        select(Case).where(Case.koordinator_id == koordinator.id, Case.alias_key == key)
    )
    if own is not None or readable_on is None:
        return own
    return await session.scalar(
        select(Case)
        .where(
            Case.previous_koordinator_id == koordinator.id,
            Case.previous_until >= readable_on,
            Case.status != CaseStatus.CLOSED,
            Case.alias_key == key,
        )
        .limit(1)
    )


def in_overlap(case: Case, koordinator: Koordinator, today: date) -> bool:
    """True when `koordinator` handed the case over and may still read it today."""
    return (
        case.previous_koordinator_id == koordinator.id
        and case.previous_until is not None
        and today <= case.previous_until
        and case.status != CaseStatus.CLOSED
    )


async def case_to_read(
    session: AsyncSession, koordinator: Koordinator, case_id: int, now: datetime, today: date
) -> Case | None:
    """The case for reading (card, PDF): the koordinator's own, or one they handed over
    while the overlap lasts (audited as such)."""
    case = await session.get(Case, case_id)
    if (
        case is not None
        and case.koordinator_id != koordinator.id
        and in_overlap(case, koordinator, today)
    ):
        await audit.record(
            session,
            at=now,
            action=AuditAction.CASE_OVERLAP_READ,
            actor=koordinator,
            case_id=case.id,
        )
        return case
    return await case_for(session, koordinator, case_id, now)


async def opened(
    session: AsyncSession, koordinator: Koordinator, case: Case, now: datetime
) -> None:
    """Record that the case card was shown."""
    await audit.record(
        session,
        at=now,
        action=AuditAction.CASE_OPENED,
        actor=koordinator,
        case_id=case.id,
    )


async def set_status(
    session: AsyncSession,
    koordinator: Koordinator,
    case: Case,
    status: CaseStatus,
    settings: Settings,
    now: datetime,
) -> None:
    """Pause, resume or reopen a case (closing has its own checklist). Reminders stop
    while it is paused; a reopened closed case gets its cadence deadlines again."""
    reopened = case.status == CaseStatus.CLOSED and status == CaseStatus.ACTIVE
    case.status = status
    case.updated_at = now
    if reopened:
        if case.closed_at is not None:
            await deadlines.restore_transitions(session, case, case.closed_at)
        case.closed_at, case.close_reason = None, None
        await _follow_facts(session, case, settings, now)
    else:
        await deadlines.reschedule_case(session, case, settings, now)
    await audit.record(
        session,
        at=now,
        action=AuditAction.case_status(status),
        actor=koordinator,
        case_id=case.id,
    )


async def update_case(
    session: AsyncSession,
    koordinator: Koordinator,
    case: Case,
    changes: dict[str, Any],
    settings: Settings,
    now: datetime,
) -> None:
    """Apply edited fields (deadlines follow); raises AliasTaken when a new alias clashes."""
    if "alias" in changes:
        if await alias_taken(session, koordinator.id, changes["alias"], exclude_case_id=case.id):
            raise AliasTaken(changes["alias"])
        case.alias_key = alias_key(changes["alias"])
    for field, value in changes.items():
        setattr(case, field, value)
    case.updated_at = now
    await audit.record(
        session,
        at=now,
        action=AuditAction.CASE_EDITED,
        actor=koordinator,
        case_id=case.id,
        detail=",".join(sorted(changes)),
    )
    await _follow_facts(session, case, settings, now)


def age_of(case: Case, today: date) -> int | None:
    """The person's age today for every rule about rights: the lowest possible age from
    birth month and year (see `bot.rules.age`)."""
    return lowest_age_on(case.birth_year, case.birth_month, today)


def oldest_age_of(case: Case, today: date) -> int | None:
    """The highest possible age today (shown next to the lowest when they differ)."""
    return age_on(case.birth_year, case.birth_month, today)


def field_changes(field: str, value: Any) -> dict[str, Any]:
    """Turn an edited form answer into column changes."""
    if field == "birth":
        year, month = value if value else (None, None)
        return {"birth_year": year, "birth_month": month}
    if field == "appointed_on":
        return {"appointed_on": date.fromisoformat(value)}
    if field in ("evaluation_months", "meeting_interval_months", "vgs_years"):
        return {field: int(value) if value and str(value).isdigit() else None}
    return {field: value}


def draft_from(values: dict[str, Any]) -> CaseDraft:
    """The /ny answers as a CaseDraft."""
    year, month = values.get("birth") or (None, None)
    return CaseDraft(
        alias=values["alias"],
        role=values["role"],
        level=values["level"],
        appointed_on=date.fromisoformat(values["appointed_on"]),
        birth_year=year,
        birth_month=month,
        gender=values.get("gender"),
        arena=values.get("arena"),
    )


async def owner_of(session: AsyncSession, case: Case) -> Koordinator | None:
    """The koordinator who holds the case."""
    return await session.get(Koordinator, case.koordinator_id)


async def close_case(
    session: AsyncSession,
    koordinator: Koordinator,
    case: Case,
    reason: str,
    now: datetime,
) -> None:
    """Close the case for `reason` (a `CloseReason` value): open deadlines are dropped
    so no reminder goes out."""
    case.status = CaseStatus.CLOSED
    case.close_reason = CloseReason(reason)
    case.closed_at = now
    case.updated_at = now
    for deadline in await deadlines.active_of(session, case.id):
        await deadlines.set_status(session, deadline, DeadlineStatus.DISMISSED, now)
    await audit.record(
        session,
        at=now,
        action=AuditAction.CASE_CLOSED,
        actor=koordinator,
        case_id=case.id,
        detail=reason,
    )
