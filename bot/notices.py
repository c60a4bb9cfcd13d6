"""Short, content-free notices to the koordinerende enhet: a KE group chat when one is
configured (KOORDBOT_KE_CHAT_ID), otherwise each admin's private chat."""

from __future__ import annotations

import logging
from typing import Any

from bot.access import reachable_admins
from bot.notify import Notice, NoticeButtons, NoticeKind, Outcome
from bot.services import Services

log = logging.getLogger(__name__)


async def notify_ke(
    services: Services,
    kind: NoticeKind,
    /,
    *,
    exclude_user: int | None = None,
    buttons: NoticeButtons = (),
    **values: Any,
) -> None:
    """Tell the KE chat, or every reachable admin but `exclude_user`, through the notifier
    (with `buttons` an admin decides by, rows of (label, callback data) the edge built).
    Best effort: a notice that cannot be delivered is logged, not retried."""
    if services.settings.ke_chat_id is not None:
        targets = [services.settings.ke_chat_id]
    else:
        async with services.db.session() as session:
            targets = [a.telegram_user_id for a in await reachable_admins(session)]
    notice = Notice(kind, values, buttons)
    for chat_id in targets:
        if chat_id == exclude_user:
            continue
        delivery = await services.notifier.send_notice(chat_id, notice)
        if delivery.outcome != Outcome.SENT:
            log.warning("KE notice to %s not delivered: %s", chat_id, delivery.reason)
