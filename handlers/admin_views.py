"""Admin screens: /koordinatorer with load, access changes and reassigning cases."""

from __future__ import annotations

from bot import admin
from bot.admin import AccessChange, Detail
from handlers import menus
from handlers.callbacks import Callback, Verb, make
from handlers.common import Req
from handlers.edge import Access, guarded

LIST_BUTTONS = 60
CASE_BUTTONS = 30
CHANGES = {
    Verb.DEACTIVATE: AccessChange.DEACTIVATE,
    Verb.REACTIVATE: AccessChange.REACTIVATE,
    Verb.MAKE_ADMIN: AccessChange.MAKE_ADMIN,
    Verb.UNMAKE_ADMIN: AccessChange.UNMAKE_ADMIN,
}


@guarded(Access.ADMIN)
async def koordinatorer_command(req: Req) -> None:
    """/koordinatorer: everyone with tjenestested, active cases and overdue deadlines."""
    loads = await admin.koordinatorer(req.session, req.services.today())
    keyboard = [
        [(str(req.render("admin/button", load=x)), make(Verb.KOORDINATOR, x.koordinator.id))]
        for x in loads[:LIST_BUTTONS]
    ]
    await req.reply("admin/list", keyboard, loads=loads)


async def on_koordinator(req: Req, cb: Callback) -> None:
    """ko:<koordinator>: one koordinator, with buttons to change access or move cases."""
    found = await admin.detail(req.session, cb.int_arg(0) or 0)
    if found is None:
        await req.answer("errors/stale_button")
        return
    await req.answer()
    await _show(req, found)


async def on_access_change(req: Req, cb: Callback) -> None:
    """kd/kr (deactivate/reactivate), ka/ku (admin on/off)."""
    changed = await admin.change_access(
        req.session, req.me, cb.int_arg(0) or 0, CHANGES[cb.verb], req.services.now()
    )
    if changed is None:
        await req.answer("errors/stale_button")
        return
    await req.answer()
    k, cases = changed.detail.koordinator, changed.detail.open_cases
    if changed.error:
        await req.reply(f"admin/error_{changed.error.value}", k=k, cases=cases)
        return
    await req.reply("admin/changed", k=k)
    await menus.refresh_admin_menu(req, k)
    await _show(req, changed.detail)


async def _show(req: Req, detail: Detail) -> None:
    b = req.texts.button
    target = detail.koordinator
    keyboard = [
        [
            (b("reactivate"), make(Verb.REACTIVATE, target.id))
            if not target.active
            else (b("deactivate"), make(Verb.DEACTIVATE, target.id)),
            (b("unmake_admin"), make(Verb.UNMAKE_ADMIN, target.id))
            if target.is_admin
            else (b("make_admin"), make(Verb.MAKE_ADMIN, target.id)),
        ]
    ]
    for case in detail.open_cases[:CASE_BUTTONS]:
        keyboard.append(
            [
                (f"{case.alias}: {b('handover')}", make(Verb.HANDOVER, case.id)),
                (b("delete"), make(Verb.DELETE, case.id)),
            ]
        )
    await req.reply("admin/one", keyboard, k=target, cases=detail.open_cases)
