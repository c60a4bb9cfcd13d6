"""/mine_data and /ryddig: what the bot stores about me, and tidy mode."""

from __future__ import annotations

from bot import profile
from handlers import callbacks
from handlers.callbacks import Callback
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


# What /ryddig accepts after the command, and the words of its buttons.
TIDY_WORDS = {"på": True, "pa": True, "on": True, "av": False, "off": False}


@guarded(Access.REGISTERED)
async def tidy_command(req: Req) -> None:
    """/ryddig på|av sets tidy mode; /ryddig alone shows the setting and asks."""
    word = " ".join(req.context.args or []).strip().casefold()
    if word in TIDY_WORDS:
        await req.reply("profile/tidy_switched", on=profile.set_tidy_mode(req.me, TIDY_WORDS[word]))
        return
    b = req.texts.button
    await req.reply(
        "profile/tidy_ask",
        [
            [
                (b("tidy_on"), callbacks.make("td", "on")),
                (b("tidy_off"), callbacks.make("td", "off")),
            ]
        ],
        on=req.me.tidy_mode,
    )


async def on_tidy_button(req: Req, cb: Callback) -> None:
    """td:<on|off>: the answer to /ryddig."""
    word = cb.args[0] if cb.args else ""
    if word not in ("on", "off"):
        await req.answer("errors/stale_button")
        return
    await req.answer()
    on = profile.set_tidy_mode(req.me, word == "on")
    await req.edit("profile/tidy_switched", on=on)
