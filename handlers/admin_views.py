"""Admin screens: /koordinatorer with load, access changes and reassigning cases."""

from __future__ import annotations

from bot import admin
from handlers import callbacks, menus
from handlers.callbacks import Callback
from handlers.common import Access, Req, guarded
from storage.models import Koordinator


@guarded(Access.ADMIN)
async def koordinatorer_command(req: Req) -> None:
    """/koordinatorer: everyone with tjenestested, active cases and overdue deadlines."""
    await show_list(req)


async def show_list(req: Req) -> None:
    loads = await admin.koordinatorer(req.session, req.services.today())
    loads.sort(key=lambda x: (not x.koordinator.active, (x.koordinator.name or "").casefold()))
    keyboard = [
        [(str(req.render("admin/button", load=x)), callbacks.make("ko", x.koordinator.id))]
        for x in loads[:60]
    ]
    await req.reply("admin/list", keyboard, loads=loads)


async def show_one(req: Req, target: Koordinator) -> None:
    b = req.texts.button
    cases = await admin.open_cases_of(req.session, target.id)
    keyboard = [
        [
            (
                b("reactivate") if not target.active else b("deactivate"),
                callbacks.make("kr" if not target.active else "kd", target.id),
            ),
            (
                b("unmake_admin") if target.is_admin else b("make_admin"),
                callbacks.make("ku" if target.is_admin else "ka", target.id),
            ),
        ]
    ]
    for case in cases[:30]:
        keyboard.append(
            [
                (f"{case.alias}: {b('handover')}", callbacks.make("ho", case.id)),
                (b("delete"), callbacks.make("dl", case.id)),
            ]
        )
    await req.reply("admin/one", keyboard, k=target, cases=cases)


async def on_button(req: Req, cb: Callback) -> None:
    """ko (detail), kd/kr (deactivate/reactivate), ka/ku (admin on/off)."""
    if not req.me.is_admin:
        await req.answer("access/admin_only")
        return
    target = await req.session.get(Koordinator, cb.int_arg(0) or 0)
    if target is None:
        await req.answer("errors/stale_button")
        return
    await req.answer()
    now = req.services.now()
    error = None
    if cb.verb in ("kd", "kr"):
        error = await admin.set_active(req.session, req.me, target, cb.verb == "kr", now)
    elif cb.verb in ("ka", "ku"):
        error = await admin.set_admin(req.session, req.me, target, cb.verb == "ka", now)
    if error:
        cases = await admin.open_cases_of(req.session, target.id)
        await req.reply(f"admin/error_{error}", k=target, cases=cases)
        return
    if cb.verb != "ko":
        await req.reply("admin/changed", k=target)
        await menus.refresh_admin_menu(req, target)
    await show_one(req, target)
