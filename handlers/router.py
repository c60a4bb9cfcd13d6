"""Every button press comes here first: parsed in one place, then routed."""

from __future__ import annotations

from bot import dialogs
from handlers import (
    admin_views,
    callbacks,
    case_commands,
    case_lifecycle,
    deadlines_view,
    forms,
)
from handlers.case_card import on_case_button, show_list
from handlers.common import Access, Req, guarded
from handlers.menu import on_dialog_button, on_menu_button


@guarded(Access.MEMBER)
async def button(req: Req) -> None:
    """Route a callback query by its verb; unknown or forged data is stale."""
    cb = callbacks.parse(req.callback.data if req.callback else None)
    if cb is None:
        await req.answer("errors/stale_button")
        return
    if cb.verb == "f":
        state = await dialogs.current(req.session, req.user_id)
        await forms.on_button(req, state, cb)
        return
    if not req.me.registered:
        from handlers.registration import resume_registration

        await req.answer()
        await resume_registration(req)
        return
    if cb.verb in ("c", "e", "ef", "p", "r"):
        await on_case_button(req, cb)
    elif cb.verb == "l":
        await req.answer()
        await show_list(req)
    elif cb.verb == "m":
        await on_menu_button(req, cb)
    elif cb.verb == "d":
        await on_dialog_button(req, cb)
    elif cb.verb in ("q", "k", "cv", "rl", "s", "a", "x", "ml", "mo", "z"):
        await case_commands.on_button(req, cb)
    elif cb.verb in ("u", "sn", "tc", "tm", "tx", "ts", "pd", "nf"):
        await deadlines_view.on_button(req, cb)
    elif cb.verb in ("ho", "hk", "cl", "ro", "dl", "dy"):
        await case_lifecycle.on_button(req, cb)
    elif cb.verb in ("ra", "rn"):
        await case_lifecycle.on_request(req, cb)
    elif cb.verb in ("ko", "kd", "kr", "ka", "ku", "kc"):
        await admin_views.on_button(req, cb)
    else:
        await req.answer("errors/stale_button")
