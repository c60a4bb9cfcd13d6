"""Deleting cases for good: at once on request, or after the retention period.

A deleted case takes everything hanging on it along (conversation runs, answers,
deadlines, reminders, meetings, and dialogues that point at it). The audit log keeps
that it happened (`case.deleted` / `case.purged`, with the case id and no content);
its older entries for the case stay too, as they hold no content either.

Every table is deleted from explicitly, children first, rather than relying on
ON DELETE CASCADE alone: the result is then the same on a SQLite connection opened
without `PRAGMA foreign_keys=ON`, and the session forgets the deleted objects.

On SQLite the freed pages are zeroed only with `PRAGMA secure_delete=ON`, and old
copies of the pages live in the WAL file until a checkpoint truncates it; the daily
job calls `scrub` after the purge for that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from storage.db import Database
from storage.enums import AuditAction, CaseStatus
from storage.models import (
    Answer,
    Case,
    CaseRequest,
    ConversationRun,
    Deadline,
    DialogState,
    Meeting,
    Reminder,
)

# Keeps IN (...) lists well below the parameter limits of SQLite and asyncpg.
_CHUNK = 200


async def delete_case(
    session: AsyncSession,
    case_id: int,
    *,
    actor_koordinator_id: int | None,
    actor_telegram_id: int | None,
    reason: str,
    now: datetime,
) -> bool:
    """Delete one case and everything on it now; audited as `case.deleted`.

    `reason` is a short code (e.g. "user", "admin"), never free text. The caller has
    checked the actor's right to delete and asked for confirmation. False when the case
    does not exist.
    """
    if await session.get(Case, case_id) is None:
        return False
    await _erase(session, [case_id])
    await audit.record(
        session,
        at=now,
        action=AuditAction.CASE_DELETED,
        telegram_user_id=actor_telegram_id,
        koordinator_id=actor_koordinator_id,
        case_id=case_id,
        detail=reason,
    )
    return True


async def purge_closed(session: AsyncSession, *, now: datetime, retention_days: int) -> list[int]:
    """Delete cases closed more than `retention_days` before `now`; their ids.

    Each is audited as `case.purged`. Run daily (KOORDBOT_RETENTION_DAYS, default 365).
    """
    cutoff = now - timedelta(days=retention_days)
    ids = list(
        (
            await session.scalars(
                select(Case.id)
                .where(
                    Case.status == CaseStatus.CLOSED,
                    Case.closed_at.is_not(None),
                    Case.closed_at < cutoff,
                )
                .order_by(Case.id)
            )
        ).all()
    )
    for chunk in _chunks(ids):
        await _erase(session, chunk)
        for case_id in chunk:
            await audit.record(
                session,
                at=now,
                action=AuditAction.CASE_PURGED,
                case_id=case_id,
                detail=f"retention_days={retention_days}",
            )
    return ids


async def scrub(db: Database) -> None:
    """After deletes are committed: on SQLite, move the WAL into the database file and
    truncate it, so no old copy of a deleted row stays in the WAL. Best effort: a
    checkpoint blocked by a reader is completed by a later one. Nothing on PostgreSQL,
    where VACUUM (autovacuum) reclaims dead rows."""
    if not db.is_sqlite:
        return
    async with db.engine.connect() as conn:
        await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


async def _erase(session: AsyncSession, case_ids: Sequence[int]) -> None:
    runs = await _ids(
        session, select(ConversationRun.id).where(ConversationRun.case_id.in_(case_ids))
    )
    deadlines = await _ids(session, select(Deadline.id).where(Deadline.case_id.in_(case_ids)))
    meetings = await _ids(session, select(Meeting.id).where(Meeting.case_id.in_(case_ids)))
    pointers = {
        "case_id": set(case_ids),
        "run_id": set(runs),
        "deadline_id": set(deadlines),
        "meeting_id": set(meetings),
    }
    # Dialogue drafts are encrypted JSON, so they cannot be matched in SQL; there is at
    # most one row per user, so reading them all is cheap.
    states = [
        state.telegram_user_id
        for state in (await session.scalars(select(DialogState))).all()
        if _points_at(state.data, pointers)
    ]
    for chunk in _chunks(runs):
        await session.execute(delete(Answer).where(Answer.run_id.in_(chunk)))
    await session.execute(delete(Reminder).where(Reminder.case_id.in_(case_ids)))
    for chunk in _chunks(deadlines):
        # Reminders hang on deadlines too (their case_id has no foreign key).
        await session.execute(delete(Reminder).where(Reminder.deadline_id.in_(chunk)))
    await session.execute(delete(Deadline).where(Deadline.case_id.in_(case_ids)))
    await session.execute(delete(Meeting).where(Meeting.case_id.in_(case_ids)))
    await session.execute(delete(ConversationRun).where(ConversationRun.case_id.in_(case_ids)))
    await session.execute(delete(CaseRequest).where(CaseRequest.case_id.in_(case_ids)))
    for chunk in _chunks(states):
        await session.execute(delete(DialogState).where(DialogState.telegram_user_id.in_(chunk)))
    await session.execute(delete(Case).where(Case.id.in_(case_ids)))


def _points_at(data: Any, pointers: dict[str, set[int]]) -> bool:
    if not isinstance(data, dict):
        return False
    return any(
        isinstance(value := data.get(key), int) and value in ids for key, ids in pointers.items()
    )


async def _ids(session: AsyncSession, stmt: Any) -> list[int]:
    return list((await session.scalars(stmt)).all())


def _chunks(items: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
