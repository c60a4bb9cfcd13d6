"""Deadlines on a case and the reminders they produce.

Deadlines come from cadences (oppstartsamtale, evaluation, ansvarsgruppe meetings),
from transitions computed from the birth year (proposals until confirmed), from
answers (tiltak, next evaluation, meetings) and by hand. Every change to a deadline
reschedules its reminders here, so the reminder table is always the full plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from dateutil.relativedelta import relativedelta
from sqlalchemy import Select, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.rules.cadences import CADENCE_KINDS, Cadence, oppstart_due, reminder_days
from bot.rules.transitions import DEFAULT_VGS_YEARS, transitions_for
from bot.rules.workdays import delivery_instant, next_working_day, previous_working_day
from bot.settings import Settings
from storage.enums import CaseStatus, Level
from storage.models import Case, ConversationRun, Deadline, Meeting, Reminder

ACTIVE = ("open", "proposed")
TILTAK_LEAD = (7,)
DEFAULT_LEAD = (7,)


def lead_days_of(deadline: Deadline, cadence: Cadence) -> tuple[int, ...]:
    """How many days ahead reminders go out for this deadline."""
    if deadline.lead_days:
        return tuple(int(x) for x in deadline.lead_days.split(",") if x.strip().isdigit())
    if deadline.kind in CADENCE_KINDS:
        return cadence.lead_days_for(deadline.kind)
    return TILTAK_LEAD if deadline.kind == "tiltak" else DEFAULT_LEAD


def case_cadence(case: Case, settings: Settings) -> Cadence:
    """The municipality's cadence with this case's overrides."""
    base = settings.cadence
    return Cadence(
        oppstart_within_days=base.oppstart_within_days,
        meeting_interval_months=case.meeting_interval_months or base.meeting_interval_months,
        evaluation_interval_months=case.evaluation_months or base.evaluation_interval_months,
        invitation_days_before=base.invitation_days_before,
        minutes_working_days_after=base.minutes_working_days_after,
        overdue_days=base.overdue_days,
    )


@dataclass(frozen=True)
class Planned:
    """One reminder instant for a deadline."""

    day: date
    send_at: datetime
    kind: str  # lead | due | overdue


def plan(deadline: Deadline, cadence: Cadence, settings: Settings) -> list[Planned]:
    """When reminders for `deadline` go out (working days, at the configured hour)."""
    due = deadline.due
    days = set(reminder_days(due, lead_days_of(deadline, cadence), cadence.overdue_days))
    if deadline.snoozed_until is not None:
        # A snooze never lands on a weekend or holiday: the next working day instead.
        snooze = next_working_day(deadline.snoozed_until)
        days = {d for d in days if d > snooze} | {snooze}
    on_day = previous_working_day(due)
    planned = []
    for day in sorted(days):
        kind = "lead" if day < on_day else "due" if day <= due else "overdue"
        if deadline.snoozed_until is not None and day == next_working_day(deadline.snoozed_until):
            kind = "due" if day <= due else "overdue"
        planned.append(
            Planned(day, delivery_instant(day, settings.reminder_hour, tz=settings.timezone), kind)
        )
    return planned


async def schedule(
    session: AsyncSession, deadline: Deadline, case: Case, settings: Settings, now: datetime
) -> None:
    """Replace the deadline's pending reminders with the current plan (future ones)."""
    await session.execute(
        delete(Reminder).where(
            Reminder.deadline_id == deadline.id, Reminder.status.in_(("pending", "claimed"))
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
                status="pending",
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
    status: str = "open",
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
            await set_status(session, existing, "dismissed", now)
        return None
    if existing is None:
        existing = Deadline(
            case_id=case.id,
            kind=kind,
            due=due,
            source=source,
            source_ref=source_ref,
            status=status,
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


async def set_status(session: AsyncSession, deadline: Deadline, status: str, now: datetime) -> None:
    """Done, dismissed, open or proposed; pending reminders follow."""
    deadline.status = status
    if status == "done":
        deadline.done_at = now
    if status not in ACTIVE:
        await session.execute(
            update(Reminder)
            .where(Reminder.deadline_id == deadline.id, Reminder.status == "pending")
            .values(status="cancelled")
        )


async def move(
    session: AsyncSession,
    deadline: Deadline,
    case: Case,
    due: date,
    settings: Settings,
    now: datetime,
) -> None:
    """The koordinator moves a deadline by hand; recomputation will leave it alone."""
    deadline.due = due
    deadline.pinned = True
    deadline.snoozed_until = None
    await schedule(session, deadline, case, settings, now)


async def snooze(
    session: AsyncSession,
    deadline: Deadline,
    case: Case,
    until: date,
    settings: Settings,
    now: datetime,
) -> None:
    """Remind again on `until` (and keep the overdue reminders after it)."""
    deadline.snoozed_until = until
    await schedule(session, deadline, case, settings, now)


async def reschedule_case(
    session: AsyncSession, case: Case, settings: Settings, now: datetime
) -> None:
    """After pause/reopen or a cadence change: plan every active deadline again."""
    for deadline in await active_of(session, case.id):
        await schedule(session, deadline, case, settings, now)


async def active_of(session: AsyncSession, case_id: int) -> list[Deadline]:
    """Open and proposed deadlines of a case, soonest first."""
    return list(
        (
            await session.scalars(
                select(Deadline)
                .where(Deadline.case_id == case_id, Deadline.status.in_(ACTIVE))
                .order_by(Deadline.due, Deadline.id)
            )
        ).all()
    )


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
        await upsert(
            session,
            case,
            settings,
            now,
            kind="oppstartsamtale",
            due=oppstart_due(case.koordinator_since or case.appointed_on, cadence),
            source="cadence",
            source_ref="cadence:oppstartsamtale",
        )
    evaluation = await session.scalar(
        select(Deadline)
        .where(
            Deadline.case_id == case.id, Deadline.kind == "evaluering", Deadline.status.in_(ACTIVE)
        )
        .limit(1)
    )
    if evaluation is None or (
        evaluation.source_ref == "cadence:evaluering" and not evaluation.pinned
    ):
        # The first evaluation follows the appointment and the (case's) cadence.
        await upsert(
            session,
            case,
            settings,
            now,
            kind="evaluering",
            due=case.appointed_on + relativedelta(months=cadence.evaluation_interval_months),
            source="cadence",
            source_ref="cadence:evaluering",
        )
    await refresh_meeting_cadence(session, case, settings, now)
    await refresh_transitions(session, case, settings, today, now)


async def refresh_meeting_cadence(
    session: AsyncSession, case: Case, settings: Settings, now: datetime
) -> None:
    """Ansvarsgruppe/IP: a meeting is due an interval after the last one (or appointment)."""
    if case.level not in (Level.ANSVARSGRUPPE, Level.IP):
        await upsert(
            session,
            case,
            settings,
            now,
            kind="ansvarsgruppemote",
            due=None,
            source="cadence",
            source_ref="cadence:ansvarsgruppemote",
        )
        return
    last = await session.scalar(
        select(Meeting.starts_at)
        .where(Meeting.case_id == case.id, Meeting.status.in_(("planned", "held")))
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )
    start = last.astimezone(settings.zone).date() if last else case.appointed_on
    months = case_cadence(case, settings).meeting_interval_months
    await upsert(
        session,
        case,
        settings,
        now,
        kind="ansvarsgruppemote",
        due=start + relativedelta(months=months),
        source="cadence",
        source_ref="cadence:ansvarsgruppemote",
    )


async def refresh_transitions(
    session: AsyncSession, case: Case, settings: Settings, today: date, now: datetime
) -> None:
    """Transition proposals from birth month/year, arena and school shift."""
    wanted = {}
    if case.birth_year is not None:
        arena = (
            case.arena
            if case.arena
            in ("barnehage", "barneskole", "ungdomsskole", "videregaende", "arbeid", "annet")
            else None
        )
        for t in transitions_for(
            case.birth_year,
            case.birth_month,
            arena,
            school_shift_years=case.school_shift_years,
            vgs_years=case.vgs_years or DEFAULT_VGS_YEARS,
            county_notice=settings.county_notice,
            role=case.role,
            today=today,
        ):
            wanted[f"transition:{t.kind}"] = t
    existing = {
        d.source_ref: d
        for d in await active_of(session, case.id)
        if (d.source_ref or "").startswith("transition:")
    }
    for ref, deadline in existing.items():
        if ref not in wanted and not deadline.pinned:
            await set_status(session, deadline, "dismissed", now)
    dismissed = set(
        (
            await session.scalars(
                select(Deadline.source_ref).where(
                    Deadline.case_id == case.id,
                    Deadline.status == "dismissed",
                    Deadline.source == "transition",
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
            source="transition",
            source_ref=ref,
            lead_days=t.lead_days,
            status=current.status if current else "proposed",
        )


async def complete_kind(
    session: AsyncSession, case: Case, kind: str, now: datetime, keep_ref_prefix: str | None = None
) -> None:
    """Mark a case's active deadlines of `kind` done (e.g. after an evaluation)."""
    for deadline in await active_of(session, case.id):
        if deadline.kind != kind:
            continue
        if keep_ref_prefix and (deadline.source_ref or "").startswith(keep_ref_prefix):
            continue
        await set_status(session, deadline, "done", now)


# ---- lookups ---------------------------------------------------------------------------
# The lookups answer a tap on a phone, so their statements are built once here (with bound
# parameters) rather than on every update.
class Due(NamedTuple):
    """A deadline as the lookups show it: what a reminder may carry, no text."""

    id: int
    case_id: int
    kind: str
    due: date
    status: str


_DUE_COLUMNS = (Deadline.id, Deadline.case_id, Deadline.kind, Deadline.due, Deadline.status)


class CaseLine(NamedTuple):
    """A case as a list line shows it."""

    id: int
    alias: str
    alias_key: str
    level: str
    status: str


def _cases_with_next_statement(one_case: bool) -> Select:  # type: ignore[type-arg]
    # The soonest active deadline per case, picked by a correlated subquery that reads
    # the case's few active rows through the (case_id, status) index.
    soonest = (
        select(Deadline.id)
        .where(Deadline.case_id == Case.id, Deadline.status.in_(ACTIVE))
        .order_by(Deadline.due, Deadline.id)
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )
    stmt = (
        select(Case.id, Case.alias, Case.alias_key, Case.level, Case.status, *_DUE_COLUMNS)
        .outerjoin(Deadline, Deadline.id == soonest)
        .where(
            Case.koordinator_id == bindparam("koordinator_id"),
            Case.status.in_(bindparam("statuses", expanding=True)),
        )
        .order_by(Case.alias_key)
    )
    return stmt.where(Case.id == bindparam("case_id")) if one_case else stmt


_CASES_WITH_NEXT = {one: _cases_with_next_statement(one) for one in (False, True)}

# `status || ''` keeps the status out of index choice: with a plain condition SQLite (no
# statistics) walks the (status, due) index over every open deadline in the municipality
# instead of starting from the koordinator's few cases.
_UPCOMING = (
    select(Case.alias, *_DUE_COLUMNS)
    .join(Case, Case.id == Deadline.case_id)
    .where(
        Case.koordinator_id == bindparam("koordinator_id"),
        Case.status == CaseStatus.ACTIVE,
        Deadline.due <= bindparam("until"),
        Deadline.status.concat("").in_(ACTIVE),
    )
    .order_by(Deadline.due, Deadline.id)
)


async def cases_with_next(
    session: AsyncSession,
    koordinator_id: int,
    statuses: tuple[str, ...] = (CaseStatus.ACTIVE,),
    case_id: int | None = None,
) -> list[tuple[CaseLine, Due | None]]:
    """The koordinator's cases in `statuses` (by alias), each with its soonest active
    deadline, in one statement (/neste, /saker, inline lookups)."""
    params: dict[str, Any] = {"koordinator_id": koordinator_id, "statuses": list(statuses)}
    if case_id is not None:
        params["case_id"] = case_id
    result = await session.execute(_CASES_WITH_NEXT[case_id is not None], params)
    return [
        (CaseLine(*row[:5]), Due(*row[5:]) if row[5] is not None else None) for row in result.all()
    ]


async def upcoming(
    session: AsyncSession, koordinator_id: int, until: date
) -> list[tuple[str, Due]]:
    """(alias, deadline) for every active deadline of the koordinator's active cases due
    on or before `until` (overdue included), soonest first (/frister, weekly digest)."""
    result = await session.execute(_UPCOMING, {"koordinator_id": koordinator_id, "until": until})
    return [(row[0], Due(*row[1:])) for row in result.all()]
