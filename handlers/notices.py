"""Short, content-free notices to the koordinerende enhet: a KE group chat when one is
configured (KOORDBOT_KE_CHAT_ID), otherwise each admin's private chat."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot import deadlines, reminders
from handlers.context import services_of
from storage.enums import CaseStatus
from storage.models import Case, Deadline, Koordinator

log = logging.getLogger(__name__)


async def notify_ke(
    app: Any,
    template: str,
    /,
    *,
    exclude_user: int | None = None,
    markup: Any = None,
    **values: Any,
) -> None:
    """Render `template` and send it to the KE chat or the admins (with buttons an admin
    decides by, when `markup` is given)."""
    from handlers.reminders import limiter_of, send_guarded

    services = services_of(app)
    text = services.texts.render(template, **values)
    if services.settings.ke_chat_id is not None:
        targets = [services.settings.ke_chat_id]
    else:
        async with services.db.session() as session:
            targets = [a.telegram_user_id for a in await reminders.admins(session)]
    for chat_id in targets:
        if chat_id == exclude_user:
            continue
        async with limiter_of(app).slot(chat_id):
            result = await send_guarded(app.bot, chat_id, str(text), markup)
        if result.message_id is None:
            log.warning("KE notice to %s not delivered: %s", chat_id, result.error)


async def long_overdue(app: Any) -> None:
    """One notice per deadline overdue by more than the KE setting (30 days)."""
    services = services_of(app)
    cutoff = services.today() - timedelta(days=services.settings.ke_overdue_days)
    async with services.db.session() as session:
        rows = (
            await session.execute(
                select(Deadline, Case, Koordinator)
                .join(Case, Case.id == Deadline.case_id)
                .join(Koordinator, Koordinator.id == Case.koordinator_id)
                .where(
                    Deadline.status.in_(deadlines.ACTIVE),
                    Deadline.due < cutoff,
                    Deadline.ke_notified_at.is_(None),
                    Case.status == CaseStatus.ACTIVE,
                )
                .order_by(Deadline.due, Deadline.id)
                .limit(50)
            )
        ).all()
        found = [
            (d.id, case.alias, koordinator.name or "", d.kind, d.due)
            for d, case, koordinator in rows
        ]
        # Mark first: a notice is sent at most once, even if sending fails later.
        for deadline, _case, _k in rows:
            deadline.ke_notified_at = services.now()
    if found:
        # One message listing them: a notice per deadline would hold the sweep for
        # minutes (one message a second to the same chat).
        await notify_ke(
            app, "notices/long_overdue", items=found, days=services.settings.ke_overdue_days
        )
