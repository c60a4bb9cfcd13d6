"""Who gets the admin command menu in their own chat (the commands themselves come
from the edge's command table)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Koordinator


async def admin_chats(session: AsyncSession, configured: frozenset[int]) -> set[int]:
    """Private chat ids (= Telegram user ids) of the active admins, and of the admins
    named in KOORDBOT_ADMIN_IDS (who become admins at their first /start)."""
    stored = await session.scalars(
        select(Koordinator.telegram_user_id).where(
            Koordinator.is_admin.is_(True), Koordinator.active.is_(True)
        )
    )
    return set(stored) | set(configured)


def gets_admin_menu(koordinator: Koordinator) -> bool:
    """After a change of rights: does this koordinator see the admin menu?"""
    return bool(koordinator.is_admin and koordinator.active)
