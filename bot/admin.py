"""The KE's side: koordinatorer, their load, access changes, handing cases over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit, deadlines
from bot.rules.cadences import KIND_OPPSTARTSAMTALE, oppstart_due
from bot.settings import Settings
from storage.enums import CaseStatus
from storage.models import Case, Deadline, Koordinator


@dataclass(frozen=True)
class Load:
    koordinator: Koordinator
    active_cases: int
    overdue: int


async def koordinatorer(session: AsyncSession, today: date) -> list[Load]:
    """Every registered koordinator with active cases and overdue deadlines."""
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
    return [Load(k, cases.get(k.id, 0), overdue.get(k.id, 0)) for k in people]


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


async def set_active(
    session: AsyncSession, actor: Koordinator, target: Koordinator, active: bool, now: datetime
) -> str | None:
    """Deactivate or reactivate; returns an error code when not allowed."""
    if not active:
        if await open_cases_of(session, target.id):
            return "has_cases"
        if target.is_admin and await admin_count(session) <= 1:
            return "last_admin"
    target.active = active
    await audit.record(
        session,
        at=now,
        action="koordinator.activated" if active else "koordinator.deactivated",
        actor=actor,
        detail=f"koordinator:{target.id}",
    )
    return None


async def set_admin(
    session: AsyncSession, actor: Koordinator, target: Koordinator, admin: bool, now: datetime
) -> str | None:
    """Make or unmake an admin; never the last one."""
    if not admin and target.is_admin and await admin_count(session) <= 1:
        return "last_admin"
    target.is_admin = admin
    await audit.record(
        session,
        at=now,
        action="koordinator.admin" if admin else "koordinator.not_admin",
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
            action="case.admin_access",
            actor=admin,
            case_id=case.id,
        )
    return case


async def hand_over(
    session: AsyncSession,
    actor: Koordinator,
    case: Case,
    new: Koordinator,
    checklist: str,
    settings: Settings,
    today: date,
    now: datetime,
) -> Koordinator:
    """Appoint `new` (answers and deadlines follow); returns the old koordinator.

    - the outgoing koordinator can still read the case for the overlap days
      (Vestre Toten 7.6: «sikre at overføring av nødvendig informasjon overlappes»);
    - the new koordinator's appointment date is today, and an oppstartsamtale is due
      within the cadence's days (7.5: «Når du blir koordinator for en ny bruker eller
      overtar som koordinator, tar du kontakt med bruker»).
    """
    old = await session.get(Koordinator, case.koordinator_id)
    case.koordinator_id = new.id
    case.tjenestested = new.tjenestested
    case.updated_at = now
    case.koordinator_since = today
    overlap = settings.handover_overlap_days
    case.previous_koordinator_id = old.id if old is not None and overlap else None
    case.previous_until = today + timedelta(days=overlap) if overlap else None
    await deadlines.upsert(
        session,
        case,
        settings,
        now,
        kind=KIND_OPPSTARTSAMTALE,
        due=oppstart_due(today, deadlines.case_cadence(case, settings)),
        source="cadence",
        source_ref=f"cadence:{KIND_OPPSTARTSAMTALE}",
    )
    await audit.record(
        session,
        at=now,
        action="case.handed_over",
        actor=actor,
        case_id=case.id,
        detail=f"from:{old.id if old else '?'} to:{new.id} {checklist}"[:200],
    )
    assert old is not None
    return old


async def candidates(session: AsyncSession, exclude_id: int) -> list[Koordinator]:
    """Active, registered koordinatorer who can take over a case."""
    return list(
        (
            await session.scalars(
                select(Koordinator)
                .where(
                    Koordinator.active.is_(True),
                    Koordinator.id != exclude_id,
                    Koordinator.name.is_not(None),
                )
                .order_by(Koordinator.id)
            )
        ).all()
    )
