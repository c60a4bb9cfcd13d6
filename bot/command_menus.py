"""Which command menu each person sees: koordinatorer get theirs in every private chat,
admins get the admin commands as well, in a menu of their own chat."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Koordinator

# Commands only an admin may use (their handlers check it as well).
ADMIN_ONLY = frozenset({"invitasjon", "koordinatorer", "statistikk"})


@dataclass(frozen=True)
class Menus:
    """(command, description) pairs for everyone and for admins."""

    everyone: list[tuple[str, str]]
    admins: list[tuple[str, str]]


def menus(commands: Iterable[tuple[str, str]]) -> Menus:
    """Split the command list (in menu order) into the two menus."""
    listed = list(commands)
    return Menus(everyone=[c for c in listed if c[0] not in ADMIN_ONLY], admins=listed)


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
