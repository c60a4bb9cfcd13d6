"""Commands and buttons that start or continue work on one case: the four
conversations, summaries, meetings, PDF export and the evaluation's close proposal."""

from __future__ import annotations

from bot import cases, dialogs, runs
from handlers import callbacks, conversation
from handlers.callbacks import Callback
from handlers.common import Req
from handlers.edge import Access, guarded
from storage.enums import CaseStatus
from storage.models import Case, ConversationRun, Meeting


async def _case_from_args(req: Req, kind: str) -> Case | None:
    """The case named after the command, or a list of cases to choose from."""
    alias = " ".join(req.context.args or [])
    if alias:
        case = await cases.find_by_alias(req.session, req.me, alias)
        if case is None:
            await req.reply("errors/alias_unknown", alias=alias[:40])
        return case
    mine = await cases.my_cases(req.session, req.me, (CaseStatus.ACTIVE,))
    keyboard = [[(c.alias, callbacks.make("cv", c.id, kind))] for c in mine[:40]]
    title = (
        conversation.questionnaire(req, kind).title
        if kind in conversation.KINDS
        else req.texts.button(kind)
    )
    await req.reply("conv/choose_case", keyboard, cases=mine, title=title)
    return None


def _starter(kind: str):  # type: ignore[no-untyped-def]
    @guarded(Access.REGISTERED)
    async def command(req: Req) -> None:
        case = await _case_from_args(req, kind)
        if case is not None:
            await _start(req, case, kind)

    command.__name__ = f"start_{kind}"
    return command


start_oppstart = _starter("oppstart")
start_kartlegging = _starter("kartlegging")
start_evaluering = _starter("evaluering")
start_mote = _starter("mote")


async def _start(req: Req, case: Case, kind: str) -> None:
    if case.status == CaseStatus.CLOSED:
        await req.reply("cases/closed_readonly", alias=case.alias)
        return
    if kind == "export":
        await export(req, case)
        return
    await conversation.offer_or_start(req, case, kind)


@guarded(Access.REGISTERED)
async def export_command(req: Req) -> None:
    """/eksport <alias>."""
    case = await _case_from_args(req, "export")
    if case is not None:
        await export(req, case)


async def export(req: Req, case: Case) -> None:
    from handlers.export import send_case_pdf

    await send_case_pdf(req, case)


@guarded(Access.REGISTERED)
async def pause_command(req: Req) -> None:
    """/pause: park the open conversation."""
    if not await conversation.pause_open(req, tell=True):
        await req.reply("form/nothing_to_pause")


@guarded(Access.REGISTERED)
async def resume_command(req: Req) -> None:
    """/fortsett: the open form or conversation, else the latest paused conversation."""
    from handlers import forms

    state = await dialogs.current(req.session, req.user_id)
    if state is not None and state.flow != "conversation":
        await forms.ask(req, state)
        return
    run = None
    if state is not None:
        run = await req.session.get(ConversationRun, state.data.get("run_id"))
    run = run or await runs.latest_paused_of(req.session, req.me)
    ctx = await conversation.ctx_for_run(req, run.id if run else None)
    if ctx is None:
        await req.reply("conv/nothing_paused")
        return
    await conversation.resume(req, ctx)


async def on_button(req: Req, cb: Callback) -> None:
    """Routes q, k, cv, rl, s, a, x, ml, mo, z (all access-checked)."""
    if cb.verb == "q":
        await conversation.on_button(req, cb)
        return
    if cb.verb in ("s", "a"):
        ctx = await conversation.ctx_for_run(req, cb.int_arg(0))
        if ctx is None:
            await req.answer("errors/case_not_found")
            return
        await req.answer()
        if cb.verb == "s":
            await conversation.show_summary(req, ctx)
        else:
            await conversation.edit_answer(req, ctx, cb.int_arg(1))
        return
    if cb.verb == "mo":
        await _meeting_outcome(req, cb)
        return
    case_id = cb.int_arg(0)
    case = (
        await cases.case_for(req.session, req.me, case_id, req.services.now())
        if case_id is not None
        else None
    )
    if case is None:
        await req.answer("errors/case_not_found")
        return
    await req.answer()
    kind = cb.args[1] if len(cb.args) > 1 else ""
    if cb.verb == "cv" and kind in (*conversation.KINDS, "export"):
        await _start(req, case, kind)
    elif cb.verb == "k" and kind in conversation.KINDS:
        how = cb.args[2] if len(cb.args) > 2 else ""
        existing = await runs.unfinished_run(req.session, case.id, kind)
        if how == "resume" and existing is not None:
            await req.drop_keyboard()
            await conversation.resume(req, await conversation.load(req, existing, case))
        elif how == "new":
            await req.drop_keyboard()
            if existing is not None:
                await runs.set_status(req.session, existing, "abandoned", req.services.now())
            await conversation.start(req, case, kind)
        else:
            await req.reply("errors/stale_button")
    elif cb.verb == "rl":
        await conversation.list_runs(req, case)
    elif cb.verb == "x":
        await export(req, case)
    elif cb.verb == "ml":
        await show_meetings(req, case)
    elif cb.verb == "z":
        await _close_from_evaluation(req, case)


async def show_meetings(req: Req, case: Case) -> None:
    meetings = await runs.meetings_of(req.session, case.id)
    keyboard = []
    for meeting in meetings[-10:]:
        if meeting.status == "planned":
            keyboard.append(
                [
                    (
                        req.render(
                            "meetings/button", meeting=meeting, outcome=o, zone=req.services.zone
                        ),
                        callbacks.make("mo", meeting.id, o),
                    )
                    for o in ("held", "not_held", "moved")
                ]
            )
    keyboard.append(
        [
            (req.texts.button("mote"), callbacks.make("cv", case.id, "mote")),
            (req.texts.button("open_case"), callbacks.make("c", case.id)),
        ]
    )
    await req.reply(
        "meetings/list", keyboard, alias=case.alias, meetings=meetings, zone=req.services.zone
    )


async def _meeting_outcome(req: Req, cb: Callback) -> None:
    meeting = await req.session.get(Meeting, cb.int_arg(0) or 0)
    case = (
        await cases.case_for(req.session, req.me, meeting.case_id, req.services.now())
        if meeting
        else None
    )
    outcome = cb.args[1] if len(cb.args) > 1 else ""
    if meeting is None or case is None or outcome not in ("held", "not_held", "moved"):
        await req.answer("errors/case_not_found")
        return
    if meeting.status != "planned":
        await req.answer("errors/stale_button")
        return
    await req.answer()
    await runs.record_meeting_outcome(
        req.session, case, meeting, outcome, req.services.settings, req.services.now()
    )
    await req.reply("meetings/recorded", outcome=outcome, alias=case.alias)
    if outcome == "moved":
        await conversation.offer_or_start(req, case, "mote")
    else:
        await show_meetings(req, case)


async def _close_from_evaluation(req: Req, case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        await req.reply("cases/closed_readonly", alias=case.alias)
        return
    await cases.close_case(req.session, req.me, case, "plan_not_needed", req.services.now())
    await req.reply("cases/closed", alias=case.alias)
