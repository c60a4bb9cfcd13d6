"""Who is asking, checked on every request: the signed link from the chat, Telegram's
signed initData, and an active, registered koordinator behind both. Each refusal names
a reason (a page of its own) and is logged without any content."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import access
from bot.services import Services
from bot.webauth import Links, WebUser, check_init_data
from storage.models import Koordinator

log = logging.getLogger(__name__)


class Refused(Exception):
    """A request the form will not serve; `reason` names the page to show."""

    def __init__(self, reason: str, status: int = 403, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.status, self.detail = reason, status, detail


@dataclass(frozen=True)
class Visitor:
    """An authenticated koordinator and the fields of the link they opened."""

    me: Koordinator
    link: dict[str, Any]


class Gate:
    """Checks links and initData against the bot token and the clock."""

    def __init__(self, services: Services, bot_token: str) -> None:
        self.services, self.bot_token = services, bot_token
        self.links = Links(bot_token)

    def link(self, purpose: str, token: str) -> dict[str, Any]:
        """The fields of a valid link for `purpose` (no initData needed yet)."""
        fields = self.links.read(purpose, token, self.services.now())
        if fields is None:
            raise Refused("link", 404, purpose)
        return fields

    def sign(self, purpose: str, user_id: int, **fields: int | str) -> str:
        return self.links.sign(purpose, user_id, self.services.now(), **fields)

    async def visitor(
        self, session: AsyncSession, purpose: str, token: str, init_data: str
    ) -> Visitor:
        """The koordinator behind this request, or `Refused` with the reason."""
        link = self.link(purpose, token)
        user = check_init_data(
            init_data,
            self.bot_token,
            self.services.now(),
            self.services.settings.init_data_max_age,
        )
        if not isinstance(user, WebUser):
            raise Refused(user, 401, f"{purpose} link of user {link['u']}")
        if user.user_id != link["u"]:
            raise Refused("other_user", 403, f"user {user.user_id} opened a link of {link['u']}")
        return await self.known(session, link)

    async def known(self, session: AsyncSession, link: dict[str, Any]) -> Visitor:
        """The koordinator a link was made for, if still active and registered."""
        me = await access.koordinator_by_telegram_id(session, int(link["u"]))
        if me is None or not me.registered:
            raise Refused("unregistered", 403, f"user {link['u']}")
        if not me.active:
            raise Refused("deactivated", 403, f"user {link['u']}")
        return Visitor(me=me, link=link)
