"""The KE's side: koordinatorer, their load, access changes, handing cases over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit, deadlines
from bot.rules.cadences import KIND_OPPSTARTSAMTALE, oppstart_due
from bot.settings import Settings
from storage.enums import AuditAction, CaseStatus, DeadlineSource
from storage.models import Case, Deadline, Koordinator


@dataclass(frozen=True)
class Handover:
    """A case moved from `old` to `new`."""

    old: Koordinator
    new: Koordinator


@dataclass(frozen=True)
class Load:
    koordinator: Koordinator
    active_cases: int
    overdue: int


class AccessChange(StrEnum):
    """What an admin can change about a koordinator's access."""

    DEACTIVATE = "deactivate"
    REACTIVATE = "reactivate"
    MAKE_ADMIN = "make_admin"
    UNMAKE_ADMIN = "unmake_admin"


class Refusal(StrEnum):
    """Why an access change was refused (template `admin/error_<value>`)."""

    HAS_CASES = "has_cases"  # deactivating someone who still holds open cases
    LAST_ADMIN = "last_admin"  # deactivating or unmaking the last admin


@dataclass(frozen=True)
class Detail:
    """One koordinator as the admin screen shows them: with their open cases."""

    koordinator: Koordinator
    open_cases: list[Case]


@dataclass(frozen=True)
class Changed:
    """The koordinator after an access change, and why it was refused, if it was."""

    detail: Detail
    error: Refusal | None


async def koordinatorer(session: AsyncSession, today: date) -> list[Load]:
    """Every registered koordinator with active cases and overdue deadlines; active
    ones first, by name."""
    people = (
        await session.scalars(
            select(Koordinator).where(Koordinator.name.is_not(None)).order_by(Koordinator.id)
        )
    ).all()
    cases = dict(
        (
            await session.execute(
                select(Case.koordinator_id, func.count(Case.id))
                .where(Case.status == CaseStatus.ACTIVE)
                .group_by(Case.koordinator_id)
            )
        ).all()
    )
    overdue = dict(
        (
            await session.execute(
                select(Case.koordinator_id, func.count(Deadline.id))
                .join(Case, Case.id == Deadline.case_id)
                .where(
                    Case.status == CaseStatus.ACTIVE,
                    Deadline.status.in_(deadlines.ACTIVE),
                    Deadline.due < today,
                )
                .group_by(Case.koordinator_id)
            )
        ).all()
    )
    loads = [Load(k, cases.get(k.id, 0), overdue.get(k.id, 0)) for k in people]
    loads.sort(key=lambda x: (not x.koordinator.active, (x.koordinator.name or "").casefold()))
    return loads


async def detail(session: AsyncSession, koordinator_id: int) -> Detail | None:
    """A koordinator with their open cases; None when there is no such koordinator."""
    target = await session.get(Koordinator, koordinator_id)
    if target is None:
        return None
    return Detail(target, await open_cases_of(session, target.id))


async def change_access(
    session: AsyncSession,
    actor: Koordinator,
    koordinator_id: int,
    change: AccessChange,
    now: datetime,
) -> Changed | None:
    """Apply `change` to a koordinator (the caller has checked that `actor` is an
    admin); None when there is no such koordinator."""
    target = await session.get(Koordinator, koordinator_id)
    if target is None:
        return None
    if change in (AccessChange.DEACTIVATE, AccessChange.REACTIVATE):
        error = await _set_active(session, actor, target, change is AccessChange.REACTIVATE, now)
    else:
        error = await _set_admin(session, actor, target, change is AccessChange.MAKE_ADMIN, now)
    return Changed(Detail(target, await open_cases_of(session, target.id)), error)


async def open_cases_of(session: AsyncSession, koordinator_id: int) -> list[Case]:
    """Active and paused cases a koordinator holds (to hand over before deactivation)."""
    return list(
        (
            await session.scalars(
                select(Case)
                .where(
                    Case.koordinator_id == koordinator_id,
                    Case.status.in_((CaseStatus.ACTIVE, CaseStatus.PAUSED)),
                )
                .order_by(Case.alias_key)
            )
        ).all()
    )


async def admin_count(session: AsyncSession) -> int:
    """Active admins."""
    return int(
        await session.scalar(
            select(func.count(Koordinator.id)).where(
                Koordinator.is_admin.is_(True), Koordinator.active.is_(True)
            )
        )
        or 0
    )


async def _set_active(
    session: AsyncSession, actor: Koordinator, target: Koordinator, active: bool, now: datetime
) -> Refusal | None:
    if not active:
        if await open_cases_of(session, target.id):
            return Refusal.HAS_CASES
        if target.is_admin and await admin_count(session) <= 1:
            return Refusal.LAST_ADMIN
    target.active = active
    await audit.record(
        session,
        at=now,
        action=AuditAction.KOORDINATOR_ACTIVATED if active else AuditAction.KOORDINATOR_DEACTIVATED,
        actor=actor,
        detail=f"koordinator:{target.id}",
    )
    return None


async def _set_admin(
    session: AsyncSession, actor: Koordinator, target: Koordinator, admin: bool, now: datetime
) -> Refusal | None:
    if not admin and target.is_admin and await admin_count(session) <= 1:
        return Refusal.LAST_ADMIN
    target.is_admin = admin
    await audit.record(
        session,
        at=now,
        action=AuditAction.KOORDINATOR_ADMIN if admin else AuditAction.KOORDINATOR_NOT_ADMIN,
        actor=actor,
        detail=f"koordinator:{target.id}",
    )
    return None


async def case_for_admin(
    session: AsyncSession, admin: Koordinator, case_id: int, now: datetime
) -> Case | None:
    """An admin reaching into any case: allowed, and logged."""
    if not admin.is_admin:
        return None
    case = await session.get(Case, case_id)
    if case is not None and case.koordinator_id != admin.id:
        await audit.record(
            session,
            at=now,
            action=AuditAction.CASE_ADMIN_ACCESS,
            actor=admin,
            case_id=case.id,
        )
    return case


def _can_take_over(exclude_id: int) -> tuple[ColumnElement[bool], ...]:
    """Who may receive a case: active, fully registered, not its koordinator already."""
    return (
        Koordinator.active.is_(True),
        Koordinator.id != exclude_id,
        Koordinator.name.is_not(None),
        Koordinator.tjenestested.is_not(None),
    )


async def handover_target(
    session: AsyncSession, case: Case, koordinator_id: int | None
) -> Koordinator | None:
    """The koordinator `koordinator_id` if the case may be handed to them, else None (an
    invited user who never finished registering, a deactivated one, the owner)."""
    if koordinator_id is None:
        return None
    new = await session.scalar(
        select(Koordinator).where(
            Koordinator.id == koordinator_id, *_can_take_over(case.koordinator_id)
        )
    )
    # The name is encrypted, so an empty one only shows once read.
    return new if new is not None and new.registered else None


async def hand_over(
    session: AsyncSession,
    actor: Koordinator,
    case: Case,
    koordinator_id: int | None,
    checklist: str,
    settings: Settings,
    today: date,
    now: datetime,
) -> Handover | None:
    """Appoint koordinator `koordinator_id` (answers and deadlines follow); None, and
    nothing changed, when they may not receive it (see `handover_target`).

    - the outgoing koordinator can still read the case for the overlap days
      (Vestre Toten 7.6: «sikre at overføring av nødvendig informasjon overlappes»);
    - the new koordinator's appointment date is today, and an oppstartsamtale is due
      within the cadence's days (7.5: «Når du blir koordinator for en ny bruker eller
      overtar som koordinator, tar du kontakt med bruker»).
    """
    new = await handover_target(session, case, koordinator_id)
    if new is None:
        return None
    old = await session.get(Koordinator, case.koordinator_id)
    assert old is not None
    case.koordinator_id = new.id
    case.tjenestested = new.tjenestested
    case.updated_at = now
    case.koordinator_since = today
    overlap = settings.handover_overlap_days
    case.previous_koordinator_id = old.id if overlap else None
    case.previous_until = today + timedelta(days=overlap) if overlap else None
    await deadlines.upsert(
        session,
        case,
        settings,
        now,
        kind=KIND_OPPSTARTSAMTALE,
        due=oppstart_due(today, deadlines.case_cadence(case, settings)),
        source=DeadlineSource.CADENCE,
        source_ref=f"cadence:{KIND_OPPSTARTSAMTALE}",
    )
    await audit.record(
        session,
        at=now,
        action=AuditAction.CASE_HANDED_OVER,
        actor=actor,
        case_id=case.id,
        detail=f"from:{old.id} to:{new.id} {checklist}"[:200],
    )
    return Handover(old=old, new=new)


async def candidates(session: AsyncSession, exclude_id: int) -> list[Koordinator]:
    """Active, registered koordinatorer who can take over a case."""
    people = await session.scalars(
        select(Koordinator).where(*_can_take_over(exclude_id)).order_by(Koordinator.id)
    )
    return [k for k in people.all() if k.registered]
