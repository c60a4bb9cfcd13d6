"""Handing a case over, closing, reopening and deleting it (koordinator or admin), and
the admin's one-tap decision on what a koordinator asked the KE (bot.ke_requests)."""

from __future__ import annotations

from typing import Any

from bot import admin, audit, cases, dialogs, ke_requests, notices
from bot.notify import NoticeKind
from bot.retention import delete_case
from handlers import callbacks, forms
from handlers.callbacks import Callback
from handlers.case_card import card_keyboard, card_values
from handlers.common import Keyboard, Req
from handlers.notifier import telegram_notifier
from storage.enums import AuditAction, CaseStatus, CloseReason
from storage.models import Case, DialogState, Koordinator

HANDOVER = ("handover_plan", "handover_info", "handover_person", "handover_journal")
CLOSING = ("close_documented", "close_plan_inactive", "close_group_told")


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
        await _hand_over(req, case, cb.int_arg(1), cb.args[2])
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


# ---- handover ---------------------------------------------------------------------------
async def finish_handover_checklist(req: Req, state: DialogState, values: dict[str, Any]) -> None:
    await dialogs.finish(req.session, state)
    case = await reach(req, state.data.get("case_id"))
    if case is None:
        await req.reply("errors/case_not_found")
        return
    checklist = ",".join(
        f"{k.removeprefix('handover_')}={values.get(k) or '-'}"
        for k in (*HANDOVER, "handover_wish")
    )
    await audit.record(
        req.session,
        at=req.services.now(),
        action=AuditAction.CASE_HANDOVER_CHECKLIST,
        actor=req.me,
        case_id=case.id,
        detail=checklist,
    )
    wish = values.get("handover_wish") or "ikke_spurt"
    people = await admin.candidates(req.session, exclude_id=case.koordinator_id)
    keyboard = [
        [(req.render("lifecycle/candidate", k=k), callbacks.make("hk", case.id, k.id, wish))]
        for k in people[:40]
    ]
    keyboard.append([(req.texts.button("cancel"), callbacks.make("c", case.id))])
    await req.reply(
        "lifecycle/choose_new",
        keyboard,
        alias=case.alias,
        missing=[k for k in HANDOVER if values.get(k) != "ja"],
        count=len(people),
        appoints=req.me.is_admin,
    )


async def _hand_over(req: Req, case: Case, koordinator_id: int | None, wish: str) -> None:
    """hk: an admin appoints at once, a koordinator proposes to the KE."""
    new = await admin.handover_target(req.session, case, koordinator_id)
    if new is None:
        await req.answer("errors/stale_button")
        return
    await req.answer()
    await req.drop_keyboard()
    if req.me.is_admin:
        await _appoint(req, case, new)
    else:
        await _propose(req, case, new, wish)


async def _propose(req: Req, case: Case, new: Koordinator, wish: str | None) -> None:
    """A koordinator proposes; the KE gets the proposal with a one-tap appointment."""
    request = await ke_requests.propose_handover(
        req.session, req.me, case, new, wish, req.services.now()
    )
    await req.reply("lifecycle/handover_proposed", alias=case.alias, new=new.name or "")
    await req.session.flush()
    keyboard = [
        [
            (req.render("lifecycle/appoint_button", new=new), callbacks.make("ra", request.id)),
            (req.texts.button("decline"), callbacks.make("rn", request.id)),
        ]
    ]
    await notices.notify_ke(
        req.services,
        NoticeKind.HANDOVER_REQUEST,
        exclude_user=None,
        buttons=keyboard,
        alias=case.alias,
        old=req.me.name or "",
        new=new.name or "",
        tjenestested=new.tjenestested,
        wish=request.wish,
    )


async def _appoint(req: Req, case: Case, new: Koordinator) -> None:
    """An admin appoints at once (from /koordinatorer or their own case)."""
    settings, now = req.services.settings, req.services.now()
    done = await admin.hand_over(
        req.session, req.me, case, new.id, "", settings, req.services.today(), now
    )
    if done is None:
        await req.reply("errors/stale_button")
        return
    old = done.old
    await ke_requests.withdraw(req.session, case.id, ke_requests.HANDOVER, now)
    # An admin who held the case keeps access to it (through /koordinatorer).
    await req.reply(
        "lifecycle/handed_over",
        alias=case.alias,
        new=new.name or "",
        keeps_access=old.id == req.me.id and req.me.is_admin,
    )
    await _after_handover(req, case, old, new)
    await notices.notify_ke(
        req.services,
        NoticeKind.HANDED_OVER,
        exclude_user=req.user_id,
        alias=case.alias,
        old=old.name or "",
        new=new.name or "",
        tjenestested=new.tjenestested,
    )


async def _after_handover(req: Req, case: Case, old: Koordinator, new: Koordinator) -> None:
    """The new koordinator gets the case card to work from, with the new oppstartsamtale;
    the old one (unless they did it) hears how long they can still read the case."""
    values = await card_values(req, case, reader=new)
    oppstart = next((d for d in values["deadlines"] if d.kind == "oppstartsamtale"), None)
    card = req.render("cases/card", **values)
    text = req.render(
        "lifecycle/you_got_a_case",
        alias=case.alias,
        old=old.name or "",
        card=card,
        oppstart=oppstart.due if oppstart else None,
    )
    await _tell(req, new, text, card_keyboard(req, case))
    if old.id != req.me.id:
        text = req.render(
            "lifecycle/handed_over_from_you",
            alias=case.alias,
            new=new.name or "",
            overlap_until=case.previous_until,
            keeps_access=old.is_admin,
        )
        await _tell(req, old, text, None)
    await req.session.flush()


async def _tell(req: Req, who: Koordinator, text: str, keyboard: Keyboard | None) -> None:
    await telegram_notifier(req.services).send_text(who.telegram_user_id, str(text), keyboard)


# ---- closing ----------------------------------------------------------------------------
async def finish_closing(req: Req, state: DialogState, values: dict[str, Any]) -> None:
    await dialogs.finish(req.session, state)
    case = await reach(req, state.data.get("case_id"))
    if case is None or case.status == CaseStatus.CLOSED:
        await req.reply("errors/case_not_found")
        return
    reason = values.get("close_reason") or CloseReason.ANNET
    now = req.services.now()
    await audit.record(
        req.session,
        at=now,
        action=AuditAction.CASE_CLOSE_CHECKLIST,
        actor=req.me,
        case_id=case.id,
        detail=",".join(f"{k.removeprefix('close_')}={values.get(k) or '-'}" for k in values),
    )
    owner = await cases.owner_of(req.session, case)
    if values.get("close_agreed") != "ja" and not req.me.is_admin:
        # Not agreed with the person: the KE assesses it anew; the case stays open.
        request = await ke_requests.request_closing(req.session, req.me, case, reason, now)
        await req.reply("lifecycle/close_requested", alias=case.alias)
        await req.session.flush()
        keyboard = [
            [
                (req.texts.button("close_request_yes"), callbacks.make("ra", request.id)),
                (req.texts.button("close_request_no"), callbacks.make("rn", request.id)),
            ]
        ]
        await notices.notify_ke(
            req.services,
            NoticeKind.CLOSE_REQUEST,
            exclude_user=None,
            buttons=keyboard,
            alias=case.alias,
            name=owner.name if owner else "",
            reason=reason,
        )
        return
    await cases.close_case(req.session, req.me, case, reason, now)
    await ke_requests.withdraw(req.session, case.id, ke_requests.CLOSE, now)
    await req.reply(
        "lifecycle/closed",
        alias=case.alias,
        missing=[k for k in CLOSING if values.get(k) == "nei"],
        next=values.get("close_next"),
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


# ---- the KE decides ---------------------------------------------------------------------
async def on_request(req: Req, cb: Callback) -> None:
    """ra / rn: an admin approves or declines a request, one tap from the notice."""
    decided = await ke_requests.decide(
        req.session,
        req.me,
        cb.int_arg(0) or 0,
        cb.verb == "ra",
        req.services.settings,
        req.services.today(),
        req.services.now(),
    )
    if isinstance(decided, str):
        template = "access/admin_only" if decided == "admin_only" else "errors/stale_button"
        await req.answer(template)
        if decided != "admin_only":
            await req.drop_keyboard(req.render(f"lifecycle/request_{decided}_note"))
        return
    await req.answer()
    request, case = decided.request, decided.case
    await req.drop_keyboard(
        req.render(
            "lifecycle/request_decided_note",
            request=request,
            admin=req.me.name or "",
            new=decided.new.name if decided.new else "",
        )
    )
    requester = decided.requester
    if request.kind == ke_requests.HANDOVER and decided.new is not None:
        assert decided.old is not None
        await _after_handover(req, case, decided.old, decided.new)
    elif requester is not None and requester.id != req.me.id:
        text = req.render("lifecycle/request_answered", request=request, alias=case.alias)
        await _tell(req, requester, text, None)
