"""Changing deadlines, and keeping their reminders in step.

Every function here that creates, moves or ends a deadline (or changes the case facts
deadlines follow) replans the reminders itself, so the reminder table is always the
full plan and no caller has to remember a follow-up. Each one is idempotent: calling
it again with the same facts leaves the same deadlines and the same pending reminders.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.deadlines.lookups import active_of
from bot.deadlines.planning import ACTIVE, case_cadence, local_day, plan
from bot.rules.cadences import (
    KIND_ANSVARSGRUPPEMOTE,
    KIND_EVALUERING,
    KIND_OPPSTARTSAMTALE,
    next_evaluation,
    next_meeting_due,
    oppstart_due,
)
from bot.rules.transitions import DEFAULT_VGS_YEARS, KIND_VGS_START, transitions_for
from bot.settings import Settings
from storage.enums import (
    Arena,
    CaseStatus,
    DeadlineSource,
    DeadlineStatus,
    Level,
    MeetingKind,
    MeetingStatus,
    ReminderStatus,
)
from storage.models import Case, ConversationRun, Deadline, Meeting, Reminder

SCHOOL_SHIFT_RANGE = (-2, 3)  # years earlier / later than the birth year says


async def schedule(
    session: AsyncSession, deadline: Deadline, case: Case, settings: Settings, now: datetime
) -> None:
    """Replace the deadline's pending reminders with the current plan (future ones)."""
    await session.execute(
        delete(Reminder).where(
            Reminder.deadline_id == deadline.id,
            Reminder.status.in_((ReminderStatus.PENDING, ReminderStatus.CLAIMED)),
        )
    )
    if deadline.status not in ACTIVE or case.status != CaseStatus.ACTIVE:
        return
    done = set(
        (
            await session.scalars(
                select(Reminder.send_at).where(Reminder.deadline_id == deadline.id)
            )
        ).all()
    )
    for item in plan(deadline, case_cadence(case, settings), settings):
        if item.send_at < now - timedelta(minutes=1) or item.send_at in done:
            continue
        session.add(
            Reminder(
                deadline_id=deadline.id,
                case_id=case.id,
                send_at=item.send_at,
                kind=item.kind,
                status=ReminderStatus.PENDING,
                attempts=0,
            )
        )


async def upsert(
    session: AsyncSession,
    case: Case,
    settings: Settings,
    now: datetime,
    *,
    kind: str,
    due: date | None,
    source: str,
    source_ref: str,
    title: str | None = None,
    lead_days: tuple[int, ...] | None = None,
    status: str = DeadlineStatus.OPEN,
) -> Deadline | None:
    """Create or move the active deadline known by `source_ref`; None drops it."""
    existing = await session.scalar(
        select(Deadline).where(
            Deadline.case_id == case.id,
            Deadline.source_ref == source_ref,
            Deadline.status.in_(ACTIVE),
        )
    )
    if due is None:
        if existing is not None:
            await set_status(session, existing, DeadlineStatus.DISMISSED, now)
        return None
    if existing is None:
        existing = Deadline(
            case_id=case.id,
            kind=kind,
            due=due,
            source=DeadlineSource(source),
            source_ref=source_ref,
            status=DeadlineStatus(status),
            title=title,
            created_at=now,
            lead_days=",".join(map(str, lead_days)) if lead_days else None,
        )
        session.add(existing)
        await session.flush()
    elif existing.due != due or existing.title != title:
        existing.due, existing.title = due, title
        existing.snoozed_until = None
    else:
        return existing
    await schedule(session, existing, case, settings, now)
    return existing


async def add_manual(
    session: AsyncSession,
    case: Case,
    settings: Settings,
    now: datetime,
    *,
    kind: str,
    due: date,
    label: str | None = None,
) -> Deadline:
    """A deadline (or custom transition) the koordinator adds by hand, with the short
    label that tells it apart (stored encrypted, like every text on a deadline)."""
    deadline = await upsert(
        session,
        case,
        settings,
        now,
        kind=kind,
        due=due,
        source=DeadlineSource.MANUAL,
        source_ref=f"manual:{uuid.uuid4().hex[:12]}",
        title=label,
    )
    assert deadline is not None  # a due date always gives a deadline
    return deadline


async def set_status(
    session: AsyncSession, deadline: Deadline, status: DeadlineStatus | str, now: datetime
) -> None:
    """Done, dismissed, open or proposed; pending reminders follow."""
    status = DeadlineStatus(status)
    deadline.status = status
    if status not in ACTIVE:
        # When it was ended (done or dismissed): reopening a case finds what its
        # closing dismissed by this instant.
        deadline.done_at = now
    if status not in ACTIVE:
        await session.execute(
            update(Reminder)
            .where(Reminder.deadline_id == deadline.id, Reminder.status == ReminderStatus.PENDING)
            .values(status=ReminderStatus.CANCELLED)
        )


def confirm(deadline: Deadline) -> None:
    """The koordinator accepts a proposed transition: it becomes an open deadline. Its
    reminders stay as planned (a proposal is reminded of like an open deadline)."""
    if deadline.status == DeadlineStatus.PROPOSED:
        deadline.status = DeadlineStatus.OPEN


async def move(
    session: AsyncSession,
    deadline: Deadline,
    case: Case,
    due: date,
    settings: Settings,
    now: datetime,
) -> None:
    """The koordinator moves a deadline by hand; recomputation will leave it alone. A
    proposal moved by hand is accepted at the same time."""
    if deadline.status == DeadlineStatus.PROPOSED:
        deadline.status = DeadlineStatus.OPEN
    deadline.due = due
    deadline.pinned = True
    deadline.snoozed_until = None
    await schedule(session, deadline, case, settings, now)
    if deadline.source_ref == f"transition:{KIND_VGS_START}":
        # A moved Vg1 start (a school shift) moves its application deadlines with it.
        await refresh_transitions(session, case, settings, local_day(now, settings), now)


async def snooze(
    session: AsyncSession,
    deadline: Deadline,
    case: Case,
    until: date,
    settings: Settings,
    now: datetime,
) -> datetime | None:
    """Remind again on `until` (and keep the overdue reminders after it). Returns when
    the next reminder really comes (a weekend or holiday moves it to the next working
    day, at the reminder hour), or None when none is planned."""
    deadline.snoozed_until = until
    await schedule(session, deadline, case, settings, now)
    return await next_reminder_at(session, deadline)


async def next_reminder_at(session: AsyncSession, deadline: Deadline) -> datetime | None:
    """The instant of the deadline's next pending reminder, if any."""
    # `status || ''`: SQLite would otherwise walk ix_reminder_status_send_at (every
    # pending reminder of the municipality) for the min(); this way it reads the
    # deadline's own rows through its (deadline_id, send_at) key.
    return await session.scalar(
        select(func.min(Reminder.send_at)).where(
            Reminder.deadline_id == deadline.id,
            Reminder.status.concat("") == ReminderStatus.PENDING,
        )
    )


async def snooze_for(
    session: AsyncSession,
    deadline: Deadline,
    case: Case,
    how: str,
    settings: Settings,
    now: datetime,
) -> datetime | None:
    """Snooze from a reminder's button: a week ("1w") or a day from today. Returns when
    the next reminder comes (see `snooze`)."""
    until = local_day(now, settings) + timedelta(days=7 if how == "1w" else 1)
    return await snooze(session, deadline, case, until, settings, now)


async def reschedule_case(
    session: AsyncSession, case: Case, settings: Settings, now: datetime
) -> None:
    """After pause/reopen or a cadence change: plan every active deadline again."""
    for deadline in await active_of(session, case.id):
        await schedule(session, deadline, case, settings, now)


async def complete_kind(
    session: AsyncSession, case: Case, kind: str, now: datetime, keep_ref_prefix: str | None = None
) -> None:
    """Mark a case's active deadlines of `kind` done (e.g. after an evaluation)."""
    for deadline in await active_of(session, case.id):
        if deadline.kind != kind:
            continue
        if keep_ref_prefix and (deadline.source_ref or "").startswith(keep_ref_prefix):
            continue
        await set_status(session, deadline, DeadlineStatus.DONE, now)


# ---- cadences and transitions --------------------------------------------------------
async def refresh_case(
    session: AsyncSession, case: Case, settings: Settings, today: date, now: datetime
) -> None:
    """Bring cadence and transition deadlines in line with the case's facts."""
    cadence = case_cadence(case, settings)
    held_oppstart = await session.scalar(
        select(ConversationRun.id)
        .where(
            ConversationRun.case_id == case.id,
            ConversationRun.kind == "oppstart",
            ConversationRun.status == "finished",
        )
        .limit(1)
    )
    if held_oppstart is None:
        await _cadence(
            session,
            case,
            settings,
            now,
            KIND_OPPSTARTSAMTALE,
            oppstart_due(case.koordinator_since or case.appointed_on, cadence),
        )
    evaluation = await session.scalar(
        select(Deadline)
        .where(
            Deadline.case_id == case.id,
            Deadline.kind == KIND_EVALUERING,
            Deadline.status.in_(ACTIVE),
        )
        .limit(1)
    )
    if evaluation is None or (
        evaluation.source_ref == f"cadence:{KIND_EVALUERING}" and not evaluation.pinned
    ):
        # The first evaluation follows the appointment and the (case's) cadence.
        await _cadence(
            session,
            case,
            settings,
            now,
            KIND_EVALUERING,
            next_evaluation(case.appointed_on, cadence),
        )
    await refresh_meeting_cadence(session, case, settings, now)
    await refresh_transitions(session, case, settings, today, now)


async def refresh_meeting_cadence(
    session: AsyncSession, case: Case, settings: Settings, now: datetime
) -> None:
    """Ansvarsgruppe/IP: a meeting is due an interval after the last ansvarsgruppemøte
    (or the appointment). Only an ansvarsgruppemøte counts: an arbeidsmøte or another
    meeting without the person does not reset it (vestre-toten-handbok-samhandling.txt:
    «ansvarsgruppemgter minimum to ganger i aret», as the seed's OCR spells it)."""
    if case.level not in (Level.ANSVARSGRUPPE, Level.IP):
        await _cadence(session, case, settings, now, KIND_ANSVARSGRUPPEMOTE, None)
        return
    last = await session.scalar(
        select(Meeting.starts_at)
        .where(
            Meeting.case_id == case.id,
            Meeting.kind == MeetingKind.ANSVARSGRUPPEMOTE,
            Meeting.status.in_((MeetingStatus.PLANNED, MeetingStatus.HELD)),
        )
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )
    due = next_meeting_due(
        local_day(last, settings) if last else None,
        case.appointed_on,
        case_cadence(case, settings),
    )
    await _cadence(session, case, settings, now, KIND_ANSVARSGRUPPEMOTE, due)


async def _cadence(
    session: AsyncSession,
    case: Case,
    settings: Settings,
    now: datetime,
    kind: str,
    due: date | None,
) -> None:
    await upsert(
        session,
        case,
        settings,
        now,
        kind=kind,
        due=due,
        source=DeadlineSource.CADENCE,
        source_ref=f"cadence:{kind}",
    )


async def refresh_transitions(
    session: AsyncSession, case: Case, settings: Settings, today: date, now: datetime
) -> None:
    """Transition proposals from birth month/year, arena and school shift; a Vg1 start
    the koordinator moved by hand carries its application deadlines."""
    existing = {
        d.source_ref: d
        for d in await active_of(session, case.id)
        if (d.source_ref or "").startswith("transition:")
    }
    moved_vg1 = existing.get(f"transition:{KIND_VGS_START}")
    wanted = {}
    if case.birth_year is not None:
        arena = case.arena if case.arena in tuple(Arena) else None
        for t in transitions_for(
            case.birth_year,
            case.birth_month,
            arena,
            school_shift_years=case.school_shift_years,
            vgs_years=case.vgs_years or DEFAULT_VGS_YEARS,
            county_notice=settings.county_notice,
            role=case.role,
            today=today,
            vg1_start=moved_vg1.due if moved_vg1 is not None and moved_vg1.pinned else None,
        ):
            wanted[f"transition:{t.kind}"] = t
    for ref, deadline in existing.items():
        if ref not in wanted and not deadline.pinned:
            await set_status(session, deadline, DeadlineStatus.DISMISSED, now)
    dismissed = set(
        (
            await session.scalars(
                select(Deadline.source_ref).where(
                    Deadline.case_id == case.id,
                    Deadline.status == DeadlineStatus.DISMISSED,
                    Deadline.source == DeadlineSource.TRANSITION,
                )
            )
        ).all()
    )
    for ref, t in wanted.items():
        current = existing.get(ref)
        if current is not None and current.pinned:
            continue
        if current is None and ref in dismissed:
            continue  # the koordinator said no; do not propose it again
        await upsert(
            session,
            case,
            settings,
            now,
            kind=t.kind,
            due=t.due,
            source=DeadlineSource.TRANSITION,
            source_ref=ref,
            lead_days=t.lead_days,
            status=current.status if current else DeadlineStatus.PROPOSED,
        )


async def restore_transitions(session: AsyncSession, case: Case, since: datetime) -> None:
    """A reopened case gets back the transitions its closing dismissed (at or after
    `since`): as proposals, or open where the koordinator had moved them by hand.
    Those the koordinator dismissed before the closing stay dismissed. Call
    `refresh_case` after it: dates follow the case's facts and reminders are planned."""
    ended = (
        await session.scalars(
            select(Deadline).where(
                Deadline.case_id == case.id,
                Deadline.source == DeadlineSource.TRANSITION,
                Deadline.status == DeadlineStatus.DISMISSED,
                Deadline.done_at >= since,
            )
        )
    ).all()
    for deadline in ended:
        deadline.status = DeadlineStatus.OPEN if deadline.pinned else DeadlineStatus.PROPOSED
        deadline.done_at = None
    await session.flush()


async def shift_school(
    session: AsyncSession, case: Case, later: bool, settings: Settings, now: datetime
) -> None:
    """The person starts school a year later (or earlier) than the birth year says:
    the transition proposals move with it."""
    low, high = SCHOOL_SHIFT_RANGE
    case.school_shift_years = max(low, min(high, case.school_shift_years + (1 if later else -1)))
    await refresh_transitions(session, case, settings, local_day(now, settings), now)
