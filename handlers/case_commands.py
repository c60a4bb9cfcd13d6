"""Commands and buttons that start or continue work on one case: the four
conversations, summaries, meetings, PDF export and the evaluation's close proposal."""

from __future__ import annotations

from bot import cases, dialogs, meetings, runs
from handlers import callbacks, conversation, forms
from handlers.callbacks import Callback
from handlers.common import Req
from handlers.edge import Access, guarded
from handlers.export import send_case_pdf
from storage.enums import CaseStatus
from storage.models import Case


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
        conversation.title_of(req, kind) if kind in conversation.KINDS else req.texts.button(kind)
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
    if kind == "export":
        await export(req, case)
        return
    state = await dialogs.current(req.session, req.user_id)
    if state is not None and state.flow != "conversation":
        await req.reply("conv/form_open", flow=state.flow)
        return
    await conversation.start(req, case, kind)


@guarded(Access.REGISTERED)
async def export_command(req: Req) -> None:
    """/eksport <alias>."""
    case = await _case_from_args(req, "export")
    if case is not None:
        await export(req, case)


async def export(req: Req, case: Case) -> None:
    await send_case_pdf(req, case)


@guarded(Access.REGISTERED)
async def pause_command(req: Req) -> None:
    """/pause: park the open conversation."""
    if not await conversation.pause(req):
        await req.reply("form/nothing_to_pause")


@guarded(Access.REGISTERED)
async def resume_command(req: Req) -> None:
    """/fortsett: the open form or conversation, else the latest paused conversation."""
    state = await dialogs.current(req.session, req.user_id)
    if state is not None and state.flow != "conversation":
        await dialogs.resume_after_interrupt(req.session, req.user_id)
        await forms.ask(req, state)
        return
    await dialogs.resume_after_interrupt(req.session, req.user_id)
    await conversation.resume(req)


async def on_button(req: Req, cb: Callback) -> None:
    """Routes q, k, cv, rl, s, a, x, ml, mo, z (all access-checked)."""
    if cb.verb == "q":
        await conversation.on_button(req, cb)
        return
    if cb.verb == "s":
        await conversation.summary(req, cb.int_arg(0))
        return
    if cb.verb == "a":
        await conversation.correct(req, cb.int_arg(0), cb.int_arg(1))
        return
    if cb.verb == "mo":
        await _meeting_outcome(req, cb)
        return
    case_id = cb.int_arg(0)
    now, today = req.services.now(), req.services.today()
    case = None
    if case_id is not None and cb.verb == "x":
        # The PDF is reading: the outgoing koordinator may, during the overlap.
        case = await cases.case_to_read(req.session, req.me, case_id, now, today)
    elif case_id is not None:
        case = await cases.case_for(req.session, req.me, case_id, now)
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
            await conversation.resume(req, existing.id)
        elif how == "new":
            await req.drop_keyboard()
            await conversation.start(req, case, kind, fresh=True)
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
    outcome = cb.args[1] if len(cb.args) > 1 else ""
    found = await meetings.record_outcome(
        req.session, req.me, cb.int_arg(0), outcome, req.services.settings, req.services.now()
    )
    if found.result in ("not_found", "stale"):
        template = "errors/case_not_found" if found.result == "not_found" else "errors/stale_button"
        await req.answer(template)
        return
    assert found.case is not None and found.meeting is not None
    if found.result == "not_yet":
        starts = found.meeting.starts_at.astimezone(req.services.zone)
        await req.answer("meetings/not_yet", day=starts.date(), time=f"{starts:%H:%M}")
        return
    if found.result == "move":
        await req.drop_keyboard()
        await conversation.move_meeting(req, found.meeting.run_id)
        return
    await req.answer()
    await req.reply("meetings/recorded", outcome=outcome, alias=found.case.alias)
    await show_meetings(req, found.case)


async def _close_from_evaluation(req: Req, case: Case) -> None:
    """The evaluation proposed closing: the closing checklist, as from the case card (an
    agreed closing closes; one the person has not agreed to goes to the KE)."""
    if case.status == CaseStatus.CLOSED:
        await req.reply("cases/closed_readonly", alias=case.alias)
        return
    await req.drop_keyboard()
    await forms.begin(req, "close_case", {"case_id": case.id})
