"""The audit log: who read or changed what. Entries never hold content."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, Koordinator


async def record(
    session: AsyncSession,
    *,
    at: datetime,
    action: str,
    actor: Koordinator | None = None,
    telegram_user_id: int | None = None,
    koordinator_id: int | None = None,
    case_id: int | None = None,
    detail: str | None = None,
) -> None:
    """Append one entry; `action` is an `AuditAction` (or `run.started.<kind>`),
    `detail` a short code or id, never user text.

    `actor` fills in who did it (Telegram user and koordinator id) in one go."""
    if actor is not None:
        telegram_user_id, koordinator_id = actor.telegram_user_id, actor.id
    session.add(
        AuditEntry(
            at=at,
            action=action,
            telegram_user_id=telegram_user_id,
            koordinator_id=koordinator_id,
            case_id=case_id,
            detail=detail[:200] if detail else None,
        )
    )


async def entries(session: AsyncSession, *, case_id: int | None = None) -> list[AuditEntry]:
    """Entries, oldest first, optionally for one case."""
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    if case_id is not None:
        stmt = stmt.where(AuditEntry.case_id == case_id)
    return list((await session.scalars(stmt)).all())
