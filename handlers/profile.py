"""/mine_data and /ryddig: what the bot stores about me, and tidy mode."""

from __future__ import annotations

from bot import profile
from handlers.common import Req
from handlers.edge import Access, guarded


@guarded(Access.REGISTERED)
async def my_data(req: Req) -> None:
    """Everything stored about the koordinator themself (not the cases' content)."""
    data = await profile.my_data(req.session, req.me, req.services.zone)
    await req.reply(
        "profile/my_data",
        me=req.me,
        data=data,
        retention=req.services.settings.retention_days,
        free_text=req.services.settings.free_text_mode,
    )


@guarded(Access.REGISTERED)
async def tidy_command(req: Req) -> None:
    """/ryddig: switch tidy mode."""
    await req.reply("profile/tidy_switched", on=profile.switch_tidy_mode(req.me))
