"""Cases: /ny, /saker, the case card, editing, pause and reopen."""

from __future__ import annotations

from typing import Any

from bot import cases, deadlines, dialogs, ke_requests, notices
from bot.cases import EDITABLE_FIELDS, AliasTaken
from bot.notify import NoticeKind
from handlers import callbacks, conversation, deadlines_view, forms
from handlers.callbacks import Callback
from handlers.common import Keyboard, Req
from handlers.edge import Access, guarded
from storage.enums import CaseStatus
from storage.models import Case, DialogState, Koordinator

# The case card lists the soonest active deadlines, each with Utført / Utsett.
CARD_DEADLINES = 4


@guarded(Access.REGISTERED)
async def new_case(req: Req) -> None:
    """/ny."""
    await begin_new_case(req)


async def begin_new_case(req: Req) -> None:
    state = await dialogs.current(req.session, req.user_id)
    if state is not None and state.flow == "new_case":
        keyboard = [
            [
                (req.texts.button("continue"), callbacks.make("d", "fortsett")),
                (req.texts.button("restart"), callbacks.make("d", "nytt")),
            ]
        ]
        await req.reply("cases/new_in_progress", keyboard)
        return
    await conversation.pause(req)
    await req.reply("cases/new_intro")
    await forms.begin(req, "new_case")


@guarded(Access.REGISTERED)
async def list_cases(req: Req) -> None:
    """/saker."""
    await show_list(req)


async def show_list(req: Req) -> None:
    mine = await deadlines.cases_with_next(
        req.session, req.me.id, (CaseStatus.ACTIVE, CaseStatus.PAUSED)
    )
    keyboard = [[(c.alias, callbacks.make("c", c.id))] for c, _ in mine[:40]]
    await req.reply(
        "cases/list", keyboard, cases=mine, shown=min(len(mine), 40), today=req.services.today()
    )


async def show_card(req: Req, case: Case, *, edit: bool = False) -> None:
    await cases.opened(req.session, req.me, case, req.services.now())
    values = await card_values(req, case)
    keyboard = card_keyboard(req, case, read_only=values["read_only"])
    if case.status == CaseStatus.ACTIVE and not values["read_only"]:
        keyboard = [*deadlines_view.numbered_rows(req.texts, values["deadlines"]), *keyboard]
    if edit:
        await req.edit("cases/card", keyboard, **values)
    else:
        await req.reply("cases/card", keyboard, **values)


async def card_values(req: Req, case: Case, reader: Koordinator | None = None) -> dict[str, Any]:
    """What the case card template shows to `reader` (the caller unless given): the
    outgoing koordinator reads a handed-over case until the overlap ends."""
    reader = reader or req.me
    return {
        "case": case,
        "age": cases.age_of(case, req.services.today()),
        "age_max": cases.oldest_age_of(case, req.services.today()),
        "deadlines": [deadlines.Due.of(d) for d in await deadlines.active_of(req.session, case.id)][
            :CARD_DEADLINES
        ],
        "today": req.services.today(),
        "read_only": case.koordinator_id != reader.id,
        "pending": await ke_requests.pending_kinds(req.session, case.id),
    }


def card_keyboard(req: Req, case: Case, *, read_only: bool = False) -> Keyboard:
    b = req.texts.button
    if read_only:
        return [[(b("export"), callbacks.make("x", case.id)), (b("my_cases"), callbacks.make("l"))]]
    if case.status == CaseStatus.CLOSED:
        return [
            [
                (b("conversations"), callbacks.make("rl", case.id)),
                (b("export"), callbacks.make("x", case.id)),
            ],
            [
                (b("reopen"), callbacks.make("ro", case.id)),
                (b("delete"), callbacks.make("dl", case.id)),
            ],
            [(b("my_cases"), callbacks.make("l"))],
        ]
    toggle = (
        (b("resume"), callbacks.make("r", case.id))
        if case.status != CaseStatus.ACTIVE
        else (b("pause_case"), callbacks.make("p", case.id))
    )
    return [
        [
            (b("oppstart"), callbacks.make("cv", case.id, "oppstart")),
            (b("kartlegging"), callbacks.make("cv", case.id, "kartlegging")),
        ],
        [
            (b("evaluering"), callbacks.make("cv", case.id, "evaluering")),
            (b("mote"), callbacks.make("cv", case.id, "mote")),
        ],
        [
            (b("conversations"), callbacks.make("rl", case.id)),
            (b("meetings"), callbacks.make("ml", case.id)),
            (b("transitions"), callbacks.make("pd", case.id)),
        ],
        [
            (b("new_deadline"), callbacks.make("nf", case.id)),
            (b("export"), callbacks.make("x", case.id)),
        ],
        [(b("edit"), callbacks.make("e", case.id)), toggle],
        [
            (b("handover"), callbacks.make("ho", case.id)),
            (b("close"), callbacks.make("cl", case.id)),
            (b("delete"), callbacks.make("dl", case.id)),
        ],
        [(b("my_cases"), callbacks.make("l"))],
    ]


async def finish_new_case(req: Req, state: DialogState, values: dict[str, Any]) -> None:
    try:
        case = await cases.create_case(
            req.session, req.me, cases.draft_from(values), req.services.settings, req.services.now()
        )
    except AliasTaken:
        await dialogs.move(req.session, state, "alias", state.data, req.services.now())
        await forms.ask(req, state, "errors/alias_taken", alias=values["alias"])
        return
    await dialogs.finish(req.session, state)
    await req.reply("cases/created", alias=case.alias, day=case.appointed_on)
    await show_card(req, case)
    await req.session.flush()
    await notices.notify_ke(
        req.services,
        NoticeKind.NEW_CASE,
        exclude_user=req.user_id,
        alias=case.alias,
        level=case.level,
        role=case.role,
        name=req.me.name or "",
        tjenestested=case.tjenestested,
    )


async def finish_edit_case(req: Req, state: DialogState, values: dict[str, Any]) -> None:
    case = await cases.case_for(req.session, req.me, state.data["case_id"], req.services.now())
    await dialogs.finish(req.session, state)
    if case is None:
        await req.reply("errors/case_not_found")
        return
    field = state.data["fields"][0]
    try:
        await cases.update_case(
            req.session,
            req.me,
            case,
            cases.field_changes(field, values[field]),
            req.services.settings,
            req.services.now(),
        )
    except AliasTaken:
        await req.reply("errors/alias_taken", alias=values[field])
        return
    day = case.appointed_on if field == "appointed_on" else None  # a typed date, read back
    await req.reply("cases/edited", field=req.texts.label(field, "case_field"), day=day)
    await show_card(req, case)


async def on_case_button(req: Req, cb: Callback) -> None:
    """Buttons that act on one case: open, edit, edit field, pause, reopen."""
    case_id = cb.int_arg(0)
    case = None
    if case_id is not None and cb.verb == "c":
        # Opening the card is reading: the outgoing koordinator may, during the overlap.
        case = await cases.case_to_read(
            req.session, req.me, case_id, req.services.now(), req.services.today()
        )
    elif case_id is not None:
        case = await cases.case_for(req.session, req.me, case_id, req.services.now())
    if case is None:
        await req.answer("errors/case_not_found")
        return
    await req.answer()
    if cb.verb == "c":
        await show_card(req, case)
    elif cb.verb == "e":
        keyboard = [
            [(req.texts.label(f, "case_field"), callbacks.make("ef", case.id, f))]
            for f in EDITABLE_FIELDS
        ]
        keyboard.append([(req.texts.button("cancel"), callbacks.make("c", case.id))])
        await req.edit("cases/edit_menu", keyboard, case=case)
    elif cb.verb == "ef":
        field = cb.args[1] if len(cb.args) > 1 else ""
        if field not in EDITABLE_FIELDS:
            await req.reply("errors/stale_button")
            return
        await req.drop_keyboard()
        await forms.begin(req, "edit_case", {"case_id": case.id, "fields": [field]})
    elif cb.verb in ("p", "r"):
        wanted = CaseStatus.PAUSED if cb.verb == "p" else CaseStatus.ACTIVE
        if case.status == CaseStatus.CLOSED or case.status == wanted:
            await show_card(req, case, edit=True)
            return
        await cases.set_status(
            req.session, req.me, case, wanted, req.services.settings, req.services.now()
        )
        await show_card(req, case, edit=True)
