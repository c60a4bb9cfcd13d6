"""The reminder outbox: claiming due reminders and recording what became of them.

A reminder is claimed one at a time, when its chat's turn to be sent to has come
(after the pacing wait, never before), under a token unique to that claim, for a
five-minute lease that the sender renews while it waits for Telegram. Everything
recorded about a claimed reminder (sent, released, failed, unreachable) is an UPDATE
fenced by that token: a sweep that lost its claim changes nothing. Each reminder is
marked sent in its own short transaction right after Telegram's answer.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, cast

from sqlalchemy import CursorResult, and_, or_, select, union_all, update
from sqlalchemy import case as sql_case
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import access, audit, deadlines
from bot.deadlines.naming import item_numbers, short_label
from bot.notify import ReminderView
from storage.enums import CaseStatus, DeadlineStatus, ReminderStatus
from storage.models import Case, Deadline, DigestLog, Koordinator, Reminder

LEASE = timedelta(minutes=5)
RETRY_LATER = timedelta(minutes=10)
MAX_ATTEMPTS = 12


def worker_id() -> str:
    """A name for this process, recorded on the rows it claims."""
    return f"{socket.gethostname()[:16]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def claim_token(worker: str) -> str:
    """A token unique to one claim (at most 40 characters): the fence of that claim."""
    return f"{worker[:31]}-{uuid.uuid4().hex[:8]}"


def _chat_reachable():  # type: ignore[no-untyped-def]
    # The reminder's own case and koordinator, looked up by primary key: a list of the
    # unreachable koordinatorer's cases (usually none) was planned on PostgreSQL as a
    # hashed subplan that read every case, once per claim.
    unreachable = (
        select(Case.id)
        .join(Koordinator, Koordinator.id == Case.koordinator_id)
        .where(Case.id == Reminder.case_id, Koordinator.unreachable_since.is_not(None))
    )
    return ~unreachable.exists()


def _pending_due(now: datetime):  # type: ignore[no-untyped-def]
    return and_(Reminder.status == ReminderStatus.PENDING, Reminder.send_at <= now)


def _lease_ran_out(now: datetime):  # type: ignore[no-untyped-def]
    return and_(
        Reminder.status == ReminderStatus.CLAIMED,
        Reminder.send_at <= now,
        Reminder.claimed_until < now,
    )


def _claimable(now: datetime):  # type: ignore[no-untyped-def]
    return and_(
        or_(_pending_due(now), _lease_ran_out(now)),
        _chat_reachable(),
    )


class Due(NamedTuple):
    """A due reminder and the chat it goes to (not claimed yet)."""

    reminder_id: int
    chat_id: int


def _due_part(condition: Any, limit: int):  # type: ignore[no-untyped-def]
    # One status at a time, so the (status, send_at) index hands the rows over in
    # send_at order and the walk stops after `limit`: a batch reads only its own rows
    # (one listing over both statuses made SQLite collect and sort every due row).
    return (
        select(Reminder.id, Koordinator.telegram_user_id)
        .join(Case, Case.id == Reminder.case_id)
        .join(Koordinator, Koordinator.id == Case.koordinator_id)
        .where(condition, Koordinator.unreachable_since.is_(None))
        .order_by(Reminder.send_at, Reminder.id)
        .limit(limit)
        .subquery()
    )


async def due(session: AsyncSession, *, now: datetime, limit: int) -> list[Due]:
    """Up to `limit` reminders that may be claimed now, with their chat: those whose
    claim ran out first (a sweep died holding them), then the pending ones, each oldest
    first. Nothing is claimed here: each one is claimed when its chat's turn has come."""
    parts = [_due_part(_lease_ran_out(now), limit), _due_part(_pending_due(now), limit)]
    listing = union_all(*(select(part.c.id, part.c.telegram_user_id) for part in parts))
    rows = await session.execute(select(listing.subquery()).limit(limit))
    return [Due(reminder_id, chat_id) for reminder_id, chat_id in rows.all()]


def _updated(result: Any) -> int:
    """Rows an UPDATE changed."""
    return int(cast(CursorResult[Any], result).rowcount)


def _held(reminder_id: int, token: str):  # type: ignore[no-untyped-def]
    # The fence: only the holder of this very claim may record what became of it. A
    # claim another process took over after the lease ran out has another token.
    return and_(
        Reminder.id == reminder_id,
        Reminder.claimed_by == token,
        Reminder.status == ReminderStatus.CLAIMED,
    )


async def claim(session: AsyncSession, reminder_id: int, token: str, now: datetime) -> bool:
    """Claim one due reminder under `token` (unique to this claim) for one lease; False
    if it is not claimable any more (sent, or held by another sweep). The condition is in
    the UPDATE itself, so of two sweeps only one wins the row, on SQLite and PostgreSQL.
    """
    result = await session.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id, _claimable(now))
        .values(
            status=ReminderStatus.CLAIMED,
            claimed_by=token,
            claimed_until=now + LEASE,
            attempts=Reminder.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return _updated(result) == 1


async def renew(session: AsyncSession, reminder_id: int, token: str, now: datetime) -> bool:
    """Extend the lease of a claim still held under `token`; False if it was lost."""
    result = await session.execute(
        update(Reminder)
        .where(_held(reminder_id, token))
        .values(claimed_until=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    return _updated(result) == 1


@dataclass(frozen=True)
class Outgoing:
    """One claimed reminder ready to send: to whom, and what it shows."""

    reminder_id: int
    chat_id: int
    koordinator_name: str
    view: ReminderView


async def prepare(
    session: AsyncSession, reminder_id: int, token: str, now: datetime, *, today: date
) -> Outgoing | None:
    """Load a claimed reminder; cancel it when the deadline or case no longer wants it."""
    reminder = await session.get(Reminder, reminder_id)
    if (
        reminder is None
        or reminder.status != ReminderStatus.CLAIMED
        or reminder.claimed_by != token
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
            numbers=item_numbers(deadline.source, deadline.source_ref),
            label=short_label(deadline.kind, deadline.source, deadline.title),
        ),
    )


async def mark_sent(
    session: AsyncSession, reminder_id: int, token: str, message_id: int | None, now: datetime
) -> bool:
    """Telegram accepted it (or may have: `message_id` None): never send it again. False
    if the claim was no longer ours (nothing is changed then)."""
    result = await session.execute(
        update(Reminder)
        .where(_held(reminder_id, token))
        .values(
            status=ReminderStatus.SENT,
            sent_at=now,
            message_id=message_id,
            claimed_until=None,
            last_error=None if message_id is not None else "uncertain: maybe delivered",
        )
        .execution_options(synchronize_session=False)
    )
    return _updated(result) == 1


async def release(
    session: AsyncSession,
    reminder_id: int,
    token: str,
    now: datetime,
    error: str,
    *,
    retry_in: timedelta = RETRY_LATER,
) -> bool:
    """Not sent this time: back to pending, tried again later (bounded). True when this
    was the last attempt and the reminder is now failed for good. Only the holder of
    the claim changes anything."""
    failed = await session.execute(
        update(Reminder)
        .where(_held(reminder_id, token), Reminder.attempts >= MAX_ATTEMPTS)
        .values(status=ReminderStatus.FAILED, claimed_until=None, last_error=error[:200])
        .execution_options(synchronize_session=False)
    )
    if _updated(failed):
        return True
    # A claimed row was due (send_at <= now), so now + retry_in is the later instant.
    await session.execute(
        update(Reminder)
        .where(_held(reminder_id, token))
        .values(
            status=ReminderStatus.PENDING,
            claimed_by=None,
            claimed_until=None,
            send_at=now + retry_in,
            last_error=error[:200],
        )
        .execution_options(synchronize_session=False)
    )
    return False


async def mark_unreachable(
    session: AsyncSession, reminder_id: int, token: str, chat_id: int, now: datetime
) -> Koordinator | None:
    """The koordinator blocked the bot: hold their reminders; returns them if newly so."""
    await session.execute(
        update(Reminder)
        .where(_held(reminder_id, token))
        .values(
            status=ReminderStatus.PENDING,
            claimed_by=None,
            claimed_until=None,
            attempts=sql_case((Reminder.attempts > 0, Reminder.attempts - 1), else_=0),
        )
        .execution_options(synchronize_session=False)
    )
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


def _digest(koordinator_id: int, week: str):  # type: ignore[no-untyped-def]
    return and_(DigestLog.koordinator_id == koordinator_id, DigestLog.week == week)


async def claim_digest(
    session: AsyncSession, koordinator_id: int, week: str, token: str, now: datetime
) -> bool:
    """Take this week's digest for the koordinator for one lease; False if it was sent
    or another sweep holds it. A lease that ran out (a process died while sending, or
    the send failed for now) is taken again, like a reminder's."""
    try:
        async with session.begin_nested():
            session.add(
                DigestLog(
                    koordinator_id=koordinator_id,
                    week=week,
                    sent_at=now,
                    claimed_by=token,
                    claimed_until=now + LEASE,
                )
            )
            await session.flush()
        return True
    except IntegrityError:
        pass
    result = await session.execute(
        update(DigestLog)
        .where(
            _digest(koordinator_id, week),
            DigestLog.claimed_until.is_not(None),
            DigestLog.claimed_until < now,
        )
        .values(claimed_by=token, claimed_until=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    return _updated(result) == 1


async def digest_done(
    session: AsyncSession, koordinator_id: int, week: str, token: str, now: datetime
) -> None:
    """The week's digest was sent (or given up): never again this week."""
    await session.execute(
        update(DigestLog)
        .where(_digest(koordinator_id, week), DigestLog.claimed_by == token)
        .values(sent_at=now, claimed_until=None)
        .execution_options(synchronize_session=False)
    )


async def digest_retry(
    session: AsyncSession, koordinator_id: int, week: str, token: str, now: datetime
) -> None:
    """Not sent this time: any sweep takes it again after `RETRY_LATER`."""
    await session.execute(
        update(DigestLog)
        .where(_digest(koordinator_id, week), DigestLog.claimed_by == token)
        .values(claimed_by=None, claimed_until=now + RETRY_LATER)
        .execution_options(synchronize_session=False)
    )


async def digest_candidates(session: AsyncSession) -> list[Koordinator]:
    """Koordinatorer who asked for the weekly digest and can be reached."""
    return await _reachable(session, Koordinator.weekly_digest.is_(True))


def switch_digest(koordinator: Koordinator) -> bool:
    """/ukeoversikt: the Monday digest on if it was off and off if it was on; the new
    setting."""
    koordinator.weekly_digest = not koordinator.weekly_digest
    return koordinator.weekly_digest
