"""/mine_data and /ryddig: what the bot stores about me, and tidy mode."""

from __future__ import annotations

from sqlalchemy import func, select

from bot import cases
from handlers.common import Access, Req, guarded
from storage.enums import CaseStatus
from storage.models import AuditEntry


@guarded(Access.REGISTERED)
async def my_data(req: Req) -> None:
    """Everything stored about the koordinator themself (not the cases' content)."""
    me = req.me
    active = await cases.my_cases(req.session, me, (CaseStatus.ACTIVE, CaseStatus.PAUSED))
    closed = await cases.my_cases(req.session, me, (CaseStatus.CLOSED,))
    entries = await req.session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.koordinator_id == me.id)
    )
    await req.reply(
        "profile/my_data",
        me=me,
        active=len(active),
        closed=len(closed),
        audit_entries=entries or 0,
        created=me.created_at.astimezone(req.services.zone).date(),
        retention=req.services.settings.retention_days,
        free_text=req.services.settings.free_text_mode,
    )


@guarded(Access.REGISTERED)
async def tidy_command(req: Req) -> None:
    """/ryddig: switch tidy mode."""
    req.me.tidy_mode = not req.me.tidy_mode
    await req.reply("profile/tidy_switched", on=req.me.tidy_mode)
