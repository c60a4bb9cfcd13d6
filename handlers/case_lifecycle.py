"""Handing a case over, closing, reopening and deleting it (koordinator or admin)."""

from __future__ import annotations

from typing import Any

from bot import admin, audit, cases, dialogs, notices
from bot.notify import NoticeKind
from bot.retention import delete_case
from handlers import callbacks, forms
from handlers.callbacks import Callback
from handlers.case_card import card_keyboard, card_values
from handlers.common import Req
from handlers.notifier import telegram_notifier
from storage.enums import CaseStatus
from storage.models import Case, DialogState, Koordinator

HANDOVER = ("handover_plan", "handover_info", "handover_person", "handover_ke")
CLOSING = ("close_agreed", "close_documented", "close_ke_informed")


async def reach(req: Req, case_id: int | None) -> Case | None:
    """The case if the caller owns it, or any case for an admin (logged)."""
    if case_id is None:
        return None
    now = req.services.now()
    if req.me.is_admin:
        return await admin.case_for_admin(req.session, req.me, case_id, now)
    return await cases.case_for(req.session, req.me, case_id, now)


async def on_button(req: Req, cb: Callback) -> None:
    """ho, hk, cl, ro, dl, dy."""
    case = await reach(req, cb.int_arg(0))
    if case is None:
        await req.answer("errors/case_not_found")
        return
    if cb.verb == "hk":
        await _hand_over(req, case, cb.int_arg(1))
        return
    await req.answer()
    if cb.verb == "ho":
        if case.status == CaseStatus.CLOSED:
            await req.reply("cases/closed_readonly", alias=case.alias)
            return
        await req.drop_keyboard()
        await forms.begin(req, "handover", {"case_id": case.id})
    elif cb.verb == "cl":
        if case.status == CaseStatus.CLOSED:
            await req.reply("cases/closed_readonly", alias=case.alias)
            return
        await req.drop_keyboard()
        await forms.begin(req, "close_case", {"case_id": case.id})
    elif cb.verb == "ro":
        if case.status != CaseStatus.CLOSED:
            await req.reply("errors/stale_button")
            return
        await cases.set_status(
            req.session, req.me, case, CaseStatus.ACTIVE, req.services.settings, req.services.now()
        )
        await req.reply("lifecycle/reopened", alias=case.alias)
    elif cb.verb == "dl":
        keyboard = [
            [
                (req.texts.button("delete_yes"), callbacks.make("dy", case.id)),
                (req.texts.button("cancel"), callbacks.make("c", case.id)),
            ]
        ]
        await req.reply("lifecycle/delete_confirm", keyboard, alias=case.alias)
    elif cb.verb == "dy":
        alias = case.alias
        await req.drop_keyboard()
        await delete_case(
            req.session,
            case.id,
            actor_koordinator_id=req.me.id,
            actor_telegram_id=req.user_id,
            reason="user",
            now=req.services.now(),
        )
        await req.reply("lifecycle/deleted", alias=alias)


async def finish_handover_checklist(req: Req, state: DialogState, values: dict[str, Any]) -> None:
    await dialogs.finish(req.session, state)
    case = await reach(req, state.data.get("case_id"))
    if case is None:
        await req.reply("errors/case_not_found")
        return
    checklist = ",".join(f"{k.removeprefix('handover_')}={values.get(k) or '-'}" for k in HANDOVER)
    await audit.record(
        req.session,
        at=req.services.now(),
        action="case.handover_checklist",
        actor=req.me,
        case_id=case.id,
        detail=checklist,
    )
    people = await admin.candidates(req.session, exclude_id=case.koordinator_id)
    keyboard = [
        [(req.render("lifecycle/candidate", k=k), callbacks.make("hk", case.id, k.id))]
        for k in people[:40]
    ]
    keyboard.append([(req.texts.button("cancel"), callbacks.make("c", case.id))])
    await req.reply(
        "lifecycle/choose_new",
        keyboard,
        alias=case.alias,
        missing=[k for k in HANDOVER if values.get(k) != "ja"],
        count=len(people),
    )


async def _hand_over(req: Req, case: Case, koordinator_id: int | None) -> None:
    done = await admin.hand_over(req.session, req.me, case, koordinator_id, "", req.services.now())
    if done is None:
        await req.answer("errors/stale_button")
        return
    await req.answer()
    old, new = done.old, done.new
    await req.drop_keyboard()
    await req.reply("lifecycle/handed_over", alias=case.alias, new=new.name or "")
    # The new koordinator gets the case card itself, ready to work from.
    values = await card_values(req, case)
    text = req.render(
        "lifecycle/you_got_a_case",
        alias=case.alias,
        old=old.name or "",
        card=req.render("cases/card", **values),
    )
    await telegram_notifier(req.services).send_text(
        new.telegram_user_id, str(text), card_keyboard(req, case)
    )
    await req.session.flush()
    await notices.notify_ke(
        req.services,
        NoticeKind.HANDED_OVER,
        exclude_user=req.user_id,
        alias=case.alias,
        old=old.name or "",
        new=new.name or "",
        tjenestested=new.tjenestested,
    )


async def finish_closing(req: Req, state: DialogState, values: dict[str, Any]) -> None:
    await dialogs.finish(req.session, state)
    case = await reach(req, state.data.get("case_id"))
    if case is None or case.status == CaseStatus.CLOSED:
        await req.reply("errors/case_not_found")
        return
    reason = values.get("close_reason") or "annet"
    await cases.close_case(req.session, req.me, case, reason, req.services.now())
    owner = await req.session.get(Koordinator, case.koordinator_id)
    await req.reply(
        "lifecycle/closed",
        alias=case.alias,
        missing=[k for k in CLOSING if values.get(k) != "ja"],
        retention=req.services.settings.retention_days,
    )
    await req.session.flush()
    await notices.notify_ke(
        req.services,
        NoticeKind.CLOSED,
        exclude_user=None,
        alias=case.alias,
        name=owner.name if owner else "",
        reason=reason,
    )
