"""Registration: /start with an invitation link, and the end of the profile form."""

from __future__ import annotations

from typing import Any

from bot import access, dialogs
from handlers import forms
from handlers.common import Req
from handlers.edge import Access, guarded
from handlers.views import resume_registration, show_menu
from storage.models import DialogState


@guarded(Access.ANYONE)
async def start(req: Req) -> None:
    """/start, with or without an invitation code."""
    code = req.context.args[0] if req.context.args else ""
    koordinator = req.koordinator
    if code and (koordinator is None or not koordinator.active):
        outcome, koordinator = await access.redeem_invitation(
            req.session, code, req.user_id, req.services.now(), req.services.invitation_guesses
        )
        if outcome is not access.Redeem.OK:
            await req.reply(f"access/invitation_{outcome.value}")
            return
        req.koordinator = koordinator
        await req.reply("registration/welcome")
        await forms.begin(req, "register")
        return
    if koordinator is None or not koordinator.active:
        await req.reply("access/deactivated" if koordinator else "access/unregistered")
        return
    if not koordinator.registered:
        await resume_registration(req)
        return
    await show_menu(req)


async def finish_registration(req: Req, state: DialogState, values: dict[str, Any]) -> None:
    await access.complete_profile(
        req.session, req.me, values["name"], values["tjenestested"], req.services.now()
    )
    await dialogs.finish(req.session, state)
    await req.reply(
        "registration/done",
        name=values["name"],
        tjenestested=req.texts.label(values["tjenestested"], "tjenestested"),
    )
    await show_menu(req)
