"""What a koordinator asks the koordinerende enhet to decide; the case stays as it is
until an admin has.

- A **handover**: the outgoing koordinator proposes a successor, an admin appoints.
  Vestre Toten 7.6: «Ved skifte av koordinator er det leder i tjenesten … som oppnevner
  ny koordinator»; Ringerike: «Koordinerende enhet har ansvar for utnevning». The
  person's wish is recorded with the proposal (Vestre Toten 4: «Bruker skal høres i sine
  ønsker om hvem som skal være koordinator»).
- A **closing** the person has not agreed to. Vestre Toten 7.6: «Dersom
  bruker/foresatt/verge fortsatt ønsker koordinator/IP, kontaktes KTK som gjør en ny
  vurdering».

A request holds codes and ids only, so the notice about it may go to a KE group chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import admin, audit, cases
from bot.settings import Settings
from storage.enums import AuditAction, CaseStatus, CloseReason
from storage.models import Case, CaseRequest, Koordinator

HANDOVER, CLOSE = "handover", "close"
OPEN, APPROVED, DECLINED, WITHDRAWN = "open", "approved", "declined", "withdrawn"
# The person's wish about the new koordinator: followed, not followed, not asked.
WISHES = ("ja", "nei", "ikke_spurt")


@dataclass(frozen=True)
class Decision:
    """What an admin's decision did: the case, who asked, and for an approved handover
    the old and the new koordinator."""

    request: CaseRequest
    case: Case
    requester: Koordinator | None
    old: Koordinator | None = None
    new: Koordinator | None = None


async def open_request(session: AsyncSession, case_id: int, kind: str) -> CaseRequest | None:
    """The case's open request of this kind, if any (at most one is kept open)."""
    return await session.scalar(
        select(CaseRequest)
        .where(CaseRequest.case_id == case_id, CaseRequest.kind == kind, CaseRequest.status == OPEN)
        .order_by(CaseRequest.id.desc())
        .limit(1)
    )


async def pending_kinds(session: AsyncSession, case_id: int) -> list[str]:
    """The kinds of the case's open requests (the card says what waits for the KE)."""
    return sorted(
        set(
            (
                await session.scalars(
                    select(CaseRequest.kind).where(
                        CaseRequest.case_id == case_id, CaseRequest.status == OPEN
                    )
                )
            ).all()
        )
    )


async def _ask(
    session: AsyncSession,
    koordinator: Koordinator,
    case: Case,
    kind: str,
    now: datetime,
    **fields: object,
) -> CaseRequest:
    request = await open_request(session, case.id, kind)
    if request is None:
        request = CaseRequest(
            case_id=case.id, kind=kind, status=OPEN, requested_by_id=koordinator.id, created_at=now
        )
        session.add(request)
    for name, value in fields.items():
        setattr(request, name, value)
    request.requested_by_id, request.created_at = koordinator.id, now
    await session.flush()
    return request


async def propose_handover(
    session: AsyncSession,
    koordinator: Koordinator,
    case: Case,
    new: Koordinator,
    wish: str | None,
    now: datetime,
) -> CaseRequest:
    """The outgoing koordinator proposes `new`; a second proposal replaces the first."""
    request = await _ask(
        session,
        koordinator,
        case,
        HANDOVER,
        now,
        proposed_id=new.id,
        wish=wish if wish in WISHES else None,
    )
    await audit.record(
        session,
        at=now,
        action=AuditAction.CASE_HANDOVER_PROPOSED,
        actor=koordinator,
        case_id=case.id,
        detail=f"request:{request.id} to:{new.id} wish:{request.wish or '-'}",
    )
    return request


async def request_closing(
    session: AsyncSession, koordinator: Koordinator, case: Case, reason: str, now: datetime
) -> CaseRequest:
    """A closing without the person's agreement goes to the KE; the case stays open."""
    request = await _ask(session, koordinator, case, CLOSE, now, reason=reason)
    await audit.record(
        session,
        at=now,
        action=AuditAction.CASE_CLOSE_REQUESTED,
        actor=koordinator,
        case_id=case.id,
        detail=f"request:{request.id} reason:{reason}",
    )
    return request


async def withdraw(session: AsyncSession, case_id: int, kind: str, now: datetime) -> None:
    """An open request the case no longer needs (an admin acted directly)."""
    request = await open_request(session, case_id, kind)
    if request is not None:
        request.status, request.decided_at = WITHDRAWN, now


async def decide(
    session: AsyncSession,
    actor: Koordinator,
    request_id: int,
    approve: bool,
    settings: Settings,
    today: date,
    now: datetime,
) -> Decision | str:
    """An admin approves or declines an open request. Returns what happened, or an
    error code: `admin_only`, `already_decided` (no longer open) or `stale` (the case or the
    proposed koordinator changed since)."""
    if not actor.is_admin:
        return "admin_only"
    request = await session.get(CaseRequest, request_id)
    if request is None or request.status != OPEN:
        return "already_decided"
    case = await session.get(Case, request.case_id)
    requester = await session.get(Koordinator, request.requested_by_id)
    if case is None or case.status == CaseStatus.CLOSED:
        return "stale"
    if (
        approve
        and request.kind == HANDOVER
        and (
            case.koordinator_id != request.requested_by_id
            or await admin.handover_target(session, case, request.proposed_id) is None
        )
    ):
        return "stale"
    request.status = APPROVED if approve else DECLINED
    request.decided_at, request.decided_by_id = now, actor.id
    await audit.record(
        session,
        at=now,
        action=AuditAction.REQUEST_APPROVED if approve else AuditAction.REQUEST_DECLINED,
        actor=actor,
        case_id=case.id,
        detail=f"request:{request.id} kind:{request.kind}",
    )
    if not approve:
        return Decision(request, case, requester)
    if request.kind == CLOSE:
        await cases.close_case(session, actor, case, request.reason or CloseReason.ANNET, now)
        return Decision(request, case, requester)
    done = await admin.hand_over(
        session, actor, case, request.proposed_id, f"request:{request.id}", settings, today, now
    )
    assert done is not None  # the target was checked above
    return Decision(request, case, requester, old=done.old, new=done.new)
