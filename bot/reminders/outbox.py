"""The reminder outbox: claiming due reminders and recording what became of them.

The sweep claims due reminders (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: a
conditional update that only one writer can win), sends them, and marks each one
sent right after Telegram accepted it. A claim is a lease: a process that dies
mid-way leaves rows that another sweep picks up once the lease has run out. So a
reminder is sent again only if a process died between Telegram accepting it and the
mark being written (at-least-once, with that one narrow window for a duplicate).
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import access, audit, deadlines
from bot.notify import ReminderView
from storage.enums import CaseStatus, DeadlineStatus, ReminderStatus
from storage.models import Case, Deadline, DigestLog, Koordinator, Reminder

LEASE = timedelta(minutes=5)
RETRY_LATER = timedelta(minutes=10)
MAX_ATTEMPTS = 12


def worker_id() -> str:
    """A name for this process, recorded on the rows it claims."""
    return f"{socket.gethostname()[:20]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def _claimable(now: datetime):  # type: ignore[no-untyped-def]
    # Unreachable koordinatorer are few (usually none): excluding their cases is a small
    # subquery, while listing the reachable ones would read every case on every sweep.
    unreachable = select(Case.id).where(
        Case.koordinator_id.in_(
            select(Koordinator.id).where(Koordinator.unreachable_since.is_not(None))
        )
    )
    return and_(
        Reminder.send_at <= now,
        or_(
            Reminder.status == ReminderStatus.PENDING,
            and_(Reminder.status == ReminderStatus.CLAIMED, Reminder.claimed_until < now),
        ),
        Reminder.case_id.not_in(unreachable),
    )


async def claim(
    session: AsyncSession, *, now: datetime, worker: str, limit: int, postgres: bool
) -> list[int]:
    """Claim up to `limit` due reminders for `worker`; commit right after."""
    lease = now + LEASE
    if postgres:
        ids = list(
            (
                await session.scalars(
                    select(Reminder.id)
                    .where(_claimable(now))
                    .order_by(Reminder.send_at, Reminder.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).all()
        )
        if ids:
            await session.execute(
                update(Reminder)
                .where(Reminder.id.in_(ids))
                .values(
                    status=ReminderStatus.CLAIMED,
                    claimed_by=worker,
                    claimed_until=lease,
                    attempts=Reminder.attempts + 1,
                )
            )
        return ids
    candidates = list(
        (
            await session.scalars(
                select(Reminder.id)
                .where(_claimable(now))
                .order_by(Reminder.send_at, Reminder.id)
                .limit(limit)
            )
        ).all()
    )
    if not candidates:
        return []
    # The condition is repeated in the UPDATE: a row another process claimed in between
    # no longer matches, so only one writer wins each row.
    await session.execute(
        update(Reminder)
        .where(Reminder.id.in_(candidates), _claimable(now))
        .values(
            status=ReminderStatus.CLAIMED,
            claimed_by=worker,
            claimed_until=lease,
            attempts=Reminder.attempts + 1,
        )
    )
    return list(
        (
            await session.scalars(
                select(Reminder.id).where(
                    Reminder.id.in_(candidates),
                    Reminder.claimed_by == worker,
                    Reminder.claimed_until == lease,
                    Reminder.status == ReminderStatus.CLAIMED,
                )
            )
        ).all()
    )


@dataclass(frozen=True)
class Outgoing:
    """One claimed reminder ready to send: to whom, and what it shows."""

    reminder_id: int
    chat_id: int
    koordinator_name: str
    view: ReminderView


async def prepare(
    session: AsyncSession, reminder_id: int, worker: str, now: datetime, *, today: date
) -> Outgoing | None:
    """Load a claimed reminder; cancel it when the deadline or case no longer wants it."""
    reminder = await session.get(Reminder, reminder_id)
    if (
        reminder is None
        or reminder.status != ReminderStatus.CLAIMED
        or reminder.claimed_by != worker
    ):
        return None
    deadline = await session.get(Deadline, reminder.deadline_id)
    case = await session.get(Case, reminder.case_id)
    koordinator = await session.get(Koordinator, case.koordinator_id) if case else None
    if (
        deadline is None
        or case is None
        or koordinator is None
        or deadline.status not in deadlines.ACTIVE
        or case.status != CaseStatus.ACTIVE
        or not koordinator.active
    ):
        reminder.status = ReminderStatus.CANCELLED
        return None
    newer = await session.scalar(
        select(Reminder.id)
        .where(
            Reminder.deadline_id == reminder.deadline_id,
            Reminder.id != reminder.id,
            Reminder.send_at > reminder.send_at,
            Reminder.send_at <= now,
            Reminder.status.in_(
                (ReminderStatus.PENDING, ReminderStatus.CLAIMED, ReminderStatus.SENT)
            ),
        )
        .limit(1)
    )
    if newer is not None:
        # Several reminders of one deadline fell due while the bot was down or the case
        # paused: the newest one says it all, so the older ones are not sent.
        reminder.status = ReminderStatus.CANCELLED
        return None
    return Outgoing(
        reminder_id=reminder.id,
        chat_id=koordinator.telegram_user_id,
        koordinator_name=koordinator.name or "",
        view=ReminderView(
            deadline_id=deadline.id,
            case_id=case.id,
            alias=case.alias,
            kind=reminder.kind,
            deadline_kind=deadline.kind,
            due=deadline.due,
            proposed=deadline.status == DeadlineStatus.PROPOSED,
            today=today,
        ),
    )


async def mark_sent(
    session: AsyncSession, reminder_id: int, message_id: int, now: datetime
) -> None:
    """Telegram accepted it: never send it again."""
    await session.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id)
        .values(
            status=ReminderStatus.SENT,
            sent_at=now,
            message_id=message_id,
            claimed_until=None,
            last_error=None,
        )
    )


async def release(
    session: AsyncSession,
    reminder_id: int,
    now: datetime,
    error: str,
    *,
    retry_in: timedelta = RETRY_LATER,
) -> bool:
    """Not sent this time: back to pending, tried again later (bounded). True when this
    was the last attempt and the reminder is now failed for good."""
    reminder = await session.get(Reminder, reminder_id)
    if reminder is None:
        return False
    reminder.last_error = error[:200]
    if reminder.attempts >= MAX_ATTEMPTS:
        reminder.status = ReminderStatus.FAILED
        return True
    reminder.status = ReminderStatus.PENDING
    reminder.claimed_by = None
    reminder.claimed_until = None
    reminder.send_at = max(reminder.send_at, now + retry_in)
    return False


async def mark_unreachable(
    session: AsyncSession, reminder_id: int, chat_id: int, now: datetime
) -> Koordinator | None:
    """The koordinator blocked the bot: hold their reminders; returns them if newly so."""
    reminder = await session.get(Reminder, reminder_id)
    if reminder is not None:
        reminder.status, reminder.claimed_by = ReminderStatus.PENDING, None
        reminder.claimed_until = None
        reminder.attempts = max(reminder.attempts - 1, 0)
    koordinator = await access.koordinator_by_telegram_id(session, chat_id)
    if koordinator is None or koordinator.unreachable_since is not None:
        return None
    koordinator.unreachable_since = now
    await audit.record(session, at=now, action="koordinator.unreachable", actor=koordinator)
    return koordinator


async def _reachable(session: AsyncSession, *conditions: Any) -> list[Koordinator]:
    """Active koordinatorer the bot can reach that meet `conditions`."""
    stmt = select(Koordinator).where(
        Koordinator.active.is_(True), Koordinator.unreachable_since.is_(None), *conditions
    )
    return list((await session.scalars(stmt)).all())


async def claim_digest(
    session: AsyncSession, koordinator_id: int, week: str, now: datetime
) -> bool:
    """Take this week's digest for the koordinator; False if another process has it."""
    try:
        async with session.begin_nested():
            session.add(DigestLog(koordinator_id=koordinator_id, week=week, sent_at=now))
            await session.flush()
    except IntegrityError:
        return False
    return True


async def digest_candidates(session: AsyncSession) -> list[Koordinator]:
    """Koordinatorer who asked for the weekly digest and can be reached."""
    return await _reachable(session, Koordinator.weekly_digest.is_(True))


def switch_digest(koordinator: Koordinator) -> bool:
    """/ukeoversikt: the Monday digest on if it was off and off if it was on; the new
    setting."""
    koordinator.weekly_digest = not koordinator.weekly_digest
    return koordinator.weekly_digest


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
    rows = (
        await session.execute(
            select(Deadline, Case.alias, Koordinator.name)
            .join(Case, Case.id == Deadline.case_id)
            .join(Koordinator, Koordinator.id == Case.koordinator_id)
            .where(
                Deadline.status.in_(deadlines.ACTIVE),
                Deadline.due < before,
                Deadline.ke_notified_at.is_(None),
                Case.status == CaseStatus.ACTIVE,
            )
            .order_by(Deadline.due, Deadline.id)
            .limit(limit)
        )
    ).all()
    for deadline, _alias, _name in rows:
        deadline.ke_notified_at = now
    return [OverdueLine(d.id, alias, name or "", d.kind, d.due) for d, alias, name in rows]
