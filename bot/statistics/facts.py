"""The facts statistics are made from, read from the database in three queries:
codes, birth month and year and dates of every case, open deadlines, koordinatorer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import DeadlineStatus
from storage.models import Case, Deadline, Koordinator


@dataclass(frozen=True)
class CaseFact:
    """One case as statistics see it: codes, birth month/year and dates, no content."""

    case_id: int
    status: str
    level: str
    role: str
    birth_year: int | None
    birth_month: int | None
    gender: str | None
    arena: str | None
    tjenestested: str | None
    koordinator_id: int
    created_on: date
    closed_on: date | None


@dataclass(frozen=True)
class DeadlineFact:
    """One deadline: kind, due date, status (open/proposed/done/dismissed) and source
    (transition/cadence/samtale/manual/mote)."""

    case_id: int
    kind: str
    due: date
    status: str
    source: str


@dataclass(frozen=True)
class KoordinatorFact:
    """One registered koordinator: where they work and whether they are active."""

    koordinator_id: int
    tjenestested: str | None
    active: bool


@dataclass(frozen=True)
class Facts:
    """Everything `compute` needs, for the whole municipality."""

    cases: list[CaseFact]
    deadlines: list[DeadlineFact]
    koordinatorer: list[KoordinatorFact]


async def gather(session: AsyncSession, zone: ZoneInfo) -> Facts:
    """Every case, every open or proposed deadline and every koordinator, as facts;
    instants become dates in `zone`."""
    case_rows = (
        await session.execute(
            select(
                Case.id,
                Case.status,
                Case.level,
                Case.role,
                Case.birth_year,
                Case.birth_month,
                Case.gender,
                Case.arena,
                Case.tjenestested,
                Case.koordinator_id,
                Case.created_at,
                Case.closed_at,
            )
        )
    ).all()
    deadline_rows = (
        await session.execute(
            select(
                Deadline.case_id, Deadline.kind, Deadline.due, Deadline.status, Deadline.source
            ).where(Deadline.status.in_((DeadlineStatus.OPEN, DeadlineStatus.PROPOSED)))
        )
    ).all()
    people = (
        await session.execute(select(Koordinator.id, Koordinator.tjenestested, Koordinator.active))
    ).all()
    return Facts(
        cases=[
            CaseFact(
                case_id=r.id,
                status=r.status,
                level=r.level,
                role=r.role,
                birth_year=r.birth_year,
                birth_month=r.birth_month,
                gender=r.gender,
                arena=r.arena,
                tjenestested=r.tjenestested,
                koordinator_id=r.koordinator_id,
                created_on=r.created_at.astimezone(zone).date(),
                closed_on=r.closed_at.astimezone(zone).date() if r.closed_at else None,
            )
            for r in case_rows
        ],
        deadlines=[
            DeadlineFact(
                case_id=r.case_id, kind=r.kind, due=r.due, status=r.status, source=r.source
            )
            for r in deadline_rows
        ],
        koordinatorer=[
            KoordinatorFact(koordinator_id=r.id, tjenestested=r.tjenestested, active=r.active)
            for r in people
        ],
    )
