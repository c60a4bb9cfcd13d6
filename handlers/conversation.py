"""Guided conversations in the chat: one question at a time, answers stored at once,
back / skip / pause, resume after a restart, summary and corrections."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from telegram.error import TelegramError

from bot import cases, deadlines, dialogs, runs
from bot.conversation import CHECKLIST, CaseFacts, Engine, Pos, parse_typed, relative_default
from bot.questionnaires import Questionnaire, Step
from bot.rules import dates
from bot.rules.text import check_free_text
from handlers import callbacks
from handlers.callbacks import Callback
from handlers.common import Keyboard, Req, with_retry
from storage.models import Answer, Case, ConversationRun, DialogState

log = logging.getLogger(__name__)
KINDS = ("oppstart", "kartlegging", "evaluering", "mote")
NOTE_MAX = 500
QUICK_DATES = {
    "_d14": relativedelta(days=14),
    "_m1": relativedelta(months=1),
    "_m3": relativedelta(months=3),
    "_m6": relativedelta(months=6),
}


@dataclass
class Ctx:
    """A run with everything needed to work on it."""

    run: ConversationRun
    case: Case
    q: Questionnaire
    engine: Engine
    answers: dict[str, Answer]

    @property
    def values(self) -> dict[str, Any]:
        return {p: a.value for p, a in self.answers.items() if not a.skipped}

    @property
    def cursor(self) -> dict[str, Any]:
        return dict(self.run.cursor)


def questionnaire(req: Req, kind: str) -> Questionnaire:
    return req.services.questionnaires[kind]


def facts_of(req: Req, case: Case) -> CaseFacts:
    return CaseFacts(
        alias=case.alias,
        age=cases.age_of(case, req.services.today()),
        role=case.role,
        level=case.level,
        arena=case.arena,
    )


async def load(req: Req, run: ConversationRun, case: Case) -> Ctx:
    q = questionnaire(req, run.kind)
    engine = Engine(q, req.texts.env, facts_of(req, case))
    return Ctx(run, case, q, engine, await runs.current_answers(req.session, run.id))


async def ctx_for_run(req: Req, run_id: int | None) -> Ctx | None:
    """The run if it belongs to one of the caller's cases; None otherwise (audited)."""
    if run_id is None:
        return None
    run = await req.session.get(ConversationRun, run_id)
    if run is None:
        return None
    case = await cases.case_for(req.session, req.me, run.case_id, req.services.now())
    if case is None:
        return None
    return await load(req, run, case)


# ---- starting and resuming -----------------------------------------------------------
async def offer_or_start(req: Req, case: Case, kind: str) -> None:
    """Resume an unfinished run of this kind (asking first), or start a new one."""
    if await _blocked_by_form(req):
        return
    existing = await runs.unfinished_run(req.session, case.id, kind)
    if existing is not None:
        keyboard = [
            [
                (req.texts.button("continue"), callbacks.make("k", case.id, kind, "resume")),
                (req.texts.button("restart"), callbacks.make("k", case.id, kind, "new")),
            ]
        ]
        await req.reply(
            "conv/unfinished",
            keyboard,
            title=questionnaire(req, kind).title,
            alias=case.alias,
            started=_local_date(req, existing.started_at),
        )
        return
    await start(req, case, kind)


async def _blocked_by_form(req: Req) -> bool:
    state = await dialogs.current(req.session, req.user_id)
    if state is not None and state.flow != "conversation":
        await req.reply("conv/form_open", flow=state.flow)
        return True
    return False


async def start(req: Req, case: Case, kind: str) -> None:
    now = req.services.now()
    await pause_open(req)
    q = questionnaire(req, kind)
    engine = Engine(q, req.texts.env, facts_of(req, case))
    first = engine.first({})
    cursor: dict[str, Any] = {"pos": first.path if first else None, "history": []}
    run = await runs.start_run(req.session, case, kind, req.me, cursor, now)
    await dialogs.start(req.session, req.user_id, "conversation", "run", {"run_id": run.id}, now)
    await req.reply("conv/intro", title=q.title, alias=case.alias, intro=engine.render(q.intro, {}))
    ctx = Ctx(run, case, q, engine, {})
    if first is None:
        await finish(req, ctx)
        return
    await ask(req, ctx)


async def resume(req: Req, ctx: Ctx) -> None:
    """Make `ctx.run` the open conversation again and ask where it stopped."""
    now = req.services.now()
    if ctx.run.status != runs.ACTIVE:
        await pause_open(req)
        await runs.set_status(req.session, ctx.run, runs.ACTIVE, now)
    await dialogs.start(
        req.session, req.user_id, "conversation", "run", {"run_id": ctx.run.id}, now
    )
    await req.reply("conv/resumed", title=ctx.q.title, alias=ctx.case.alias)
    if ctx.run.cursor.get("pos") is None:
        await finish(req, ctx)
        return
    await ask(req, ctx)


async def pause_open(req: Req, *, tell: bool = False) -> bool:
    """Pause the conversation the user has open, if any (a form never)."""
    state = await dialogs.current(req.session, req.user_id)
    if state is None or state.flow != "conversation":
        return False
    run = await req.session.get(ConversationRun, state.data.get("run_id"))
    await dialogs.finish(req.session, state)
    if run is None or run.status != runs.ACTIVE:
        return False
    await runs.set_status(req.session, run, runs.PAUSED, req.services.now())
    if tell:
        case = await req.session.get(Case, run.case_id)
        await req.reply(
            "conv/paused",
            title=questionnaire(req, run.kind).title,
            alias=case.alias if case else "",
        )
    return True


# ---- asking ------------------------------------------------------------------------
def _token(ctx: Ctx, value: str) -> str:
    return callbacks.make("q", ctx.run.id, ctx.run.token, value)


async def ask(req: Req, ctx: Ctx, error: str | None = None, **error_values: Any) -> None:
    """Send the current question (after an error, if any)."""
    if error:
        await req.reply(error, **error_values)
    cursor = ctx.cursor
    b = req.texts.button
    if cursor.get("note_for"):
        keyboard = [[(b("no_note"), _token(ctx, "_nonote"))]]
        await req.reply("conv/ask_note", keyboard, max=NOTE_MAX)
        return
    pos = Pos.parse(cursor["pos"])
    step = ctx.engine.step_at(pos)
    header = _header(req, ctx, pos)
    if pos.step is None:
        keyboard = [[(b("add_yes"), _token(ctx, "_yes")), (b("add_no"), _token(ctx, "_no"))]]
        text = ctx.engine.render(step.text, ctx.values, pos.frames[:-1])
        await req.reply(
            "conv/ask_group",
            keyboard,
            header=header,
            text=text,
            item=step.item or "",
            number=pos.item_number,
        )
        return
    keyboard = _step_keyboard(req, ctx, step, cursor)
    nav = []
    if cursor.get("history") and not cursor.get("edit"):
        nav.append((b("back"), _token(ctx, "_back")))
    if step.kind != "info":
        nav.append((b("skip"), _token(ctx, "_skip")))
    nav.append((b("cancel_edit") if cursor.get("edit") else b("pause"), _token(ctx, "_pause")))
    keyboard.append(nav)
    await req.reply(
        "conv/ask",
        keyboard,
        header=header,
        kind=step.kind,
        text=ctx.engine.render(step.text, ctx.values, pos.frames),
        help=ctx.engine.render(step.help, ctx.values, pos.frames),
        default=default_date(req, step),
        waiting_for_time=bool(cursor.get("day")),
        day=_iso_date(cursor.get("day")),
        selected=len(cursor.get("multi") or []),
        max_length=step.max_length,
    )
    track(req, ctx)


def track(req: Req, ctx: Ctx) -> None:
    """Remember this exchange's message ids on the run, for tidy mode."""
    ids = set(req.sent_ids)
    if req.update.message is not None:
        ids.add(req.update.message.message_id)
    req.sent_ids.clear()
    if not ids:
        return
    known = set(ctx.run.cursor.get("msgs") or [])
    # Same token: tracking must not make the buttons on screen stale.
    ctx.run.cursor = {**ctx.run.cursor, "msgs": sorted(known | ids)[-500:]}


async def tidy(req: Req, ctx: Ctx) -> bool:
    """Tidy mode: delete the run's questions and answers from the chat (bots may delete
    private-chat messages for 48 hours). Returns True when something was removed."""
    track(req, ctx)
    ids = list(ctx.run.cursor.get("msgs") or [])
    ctx.run.cursor = {**ctx.run.cursor, "msgs": []}
    if not req.me.tidy_mode or not ids:
        return False
    for start in range(0, len(ids), 100):
        chunk = ids[start : start + 100]
        try:
            await with_retry(functools.partial(req.context.bot.delete_messages, req.chat_id, chunk))
        except TelegramError as exc:
            # Too old or already gone: the answers are stored, the chat just stays longer.
            log.info("tidy mode could not delete messages: %s", exc)
    return True


def _header(req: Req, ctx: Ctx, pos: Pos) -> str:
    parts = []
    for group_id, number in pos.frames:
        group = ctx.q.find(group_id)
        parts.append(f"{(group.item or group_id).capitalize()} {number}")
    top = pos.frames[0][0] if pos.frames else pos.step
    index = next((i for i, s in enumerate(ctx.q.steps) if s.id == top), 0) + 1
    return req.render(
        "conv/header",
        title=ctx.q.title,
        alias=ctx.case.alias,
        index=index,
        total=len(ctx.q.steps),
        items=parts,
    )


def _step_keyboard(req: Req, ctx: Ctx, step: Step, cursor: dict[str, Any]) -> list[Any]:
    rows: list[list[tuple[str, str]]] = []
    if step.kind == "checklist":
        labels = dict(req.texts.labels("checklist"))
        rows = [
            [(labels["ja"], _token(ctx, "ja")), (labels["nei"], _token(ctx, "nei"))],
            [
                (labels["delvis"], _token(ctx, "delvis")),
                (labels["ikke_aktuelt"], _token(ctx, "ikke_aktuelt")),
            ],
        ]
    elif step.kind in ("choice", "multi"):
        chosen = set(cursor.get("multi") or [])
        buttons = [
            (("✓ " if o.value in chosen else "") + o.label, _token(ctx, o.value))
            for o in step.options
        ]
        width = 1 if max(len(o.label) for o in step.options) > 18 else 2
        rows = [buttons[i : i + width] for i in range(0, len(buttons), width)]
        if step.kind == "multi":
            rows.append([(req.texts.button("done"), _token(ctx, "_done"))])
    elif step.kind == "date":
        default = default_date(req, step)
        if default is not None:
            rows.append([(req.texts.long_date(default), _token(ctx, "_dflt"))])
        quick = [(req.texts.button(f"date{key}"), _token(ctx, key)) for key in QUICK_DATES]
        rows.extend([quick[:2], quick[2:]])
    elif step.kind == "info":
        rows = [[(req.texts.button("next"), _token(ctx, "_next"))]]
    return rows


# ---- answering ---------------------------------------------------------------------
async def on_text(req: Req, state: DialogState) -> None:
    """A typed answer to the open conversation."""
    ctx = await ctx_for_run(req, state.data.get("run_id"))
    if ctx is None or ctx.run.status != runs.ACTIVE:
        await dialogs.finish(req.session, state)
        await req.reply("conv/gone")
        return
    track(req, ctx)
    cursor = ctx.cursor
    if cursor.get("note_for"):
        note, error = check_free_text(req.text, NOTE_MAX)
        if error:
            await ask(req, ctx, f"errors/text_{error}", max=NOTE_MAX)
            return
        await runs.save_note(
            req.session, ctx.run, cursor["note_for"], note or "", req.services.now()
        )
        pos = Pos.parse(cursor["note_for"])
        cursor.pop("note_for")
        runs.move(ctx.run, cursor, req.services.now())
        await req.reply("conv/note_saved")
        await go_next(req, ctx, pos)
        return
    pos = Pos.parse(cursor["pos"])
    step = ctx.engine.step_at(pos)
    if pos.step is None or step.kind == "info":
        await ask(req, ctx, "errors/use_buttons")
        return
    text = req.text
    if step.kind == "datetime" and cursor.get("day"):
        # The date was understood earlier; this message only needs to hold the time.
        clock = dates.parse_time(req.text)
        if clock.value is None:
            await ask(req, ctx, "errors/date", code=str(clock.error or "unrecognised"), kind="time")
            return
        text = f"{date.fromisoformat(cursor['day']):%d.%m.%Y} kl {clock.value:%H:%M}"
    typed = parse_typed(step, text, req.services.today(), req.services.local_now())
    if typed.error:
        await _typed_error(req, ctx, step, typed.error, typed.detail or {})
        return
    value = typed.value
    if step.kind == "multi":
        value = sorted(set(cursor.get("multi") or []) | set(value))
    await answer(req, ctx, pos, step, value)


async def _typed_error(req: Req, ctx: Ctx, step: Step, error: str, detail: dict[str, Any]) -> None:
    if error in ("date", "datetime"):
        if detail.get("code") == "time_missing" and detail.get("day"):
            cursor = ctx.cursor
            cursor["day"] = detail["day"]
            runs.move(ctx.run, cursor, req.services.now())
            await ask(req, ctx)
            return
        await ask(
            req,
            ctx,
            "errors/date",
            code=detail.get("code", "unrecognised"),
            kind="datetime" if error == "datetime" else "date",
        )
        return
    await ask(req, ctx, f"errors/{error}", **detail)


async def answer(
    req: Req, ctx: Ctx, pos: Pos, step: Step, value: Any, skipped: bool = False
) -> None:
    """Store the answer now, then ask for a note or move on."""
    now = req.services.now()
    saved = await runs.save_answer(
        req.session,
        ctx.run,
        path=pos.path,
        step_id=step.id,
        value=value,
        skipped=skipped,
        koordinator=req.me,
        now=now,
    )
    ctx.answers[pos.path] = saved
    if step.deadline:
        # A dated answer is a deadline from the moment it is given, even if the
        # conversation is paused right after.
        await sync_answer_deadline(req, ctx, pos.path, step, value)
    cursor = ctx.cursor
    cursor.pop("multi", None)
    cursor.pop("day", None)
    if step.kind == "checklist" and step.note and not skipped:
        cursor["note_for"] = pos.path
        runs.move(ctx.run, cursor, now)
        await ask(req, ctx)
        return
    runs.move(ctx.run, cursor, now)
    await go_next(req, ctx, pos)


async def go_next(req: Req, ctx: Ctx, pos: Pos, add: bool | None = None) -> None:
    now = req.services.now()
    cursor = ctx.cursor
    if cursor.get("edit"):
        # A correction from the summary: back to where the run was, then the summary.
        cursor["pos"] = cursor.pop("return_pos", None)
        cursor.pop("edit")
        runs.move(ctx.run, cursor, now)
        if ctx.run.status == runs.FINISHED:
            await dialogs_finish(req)
            await apply_outputs(req, ctx)
        await req.reply("conv/corrected")
        await show_summary(req, ctx)
        return
    following = ctx.engine.after(pos, ctx.values, add)
    cursor["history"] = [*cursor.get("history", []), pos.path][-200:]
    cursor["pos"] = following.path if following else None
    runs.move(ctx.run, cursor, now)
    if following is None:
        await finish(req, ctx)
        return
    await ask(req, ctx)


async def dialogs_finish(req: Req) -> None:
    state = await dialogs.current(req.session, req.user_id)
    if state is not None and state.flow == "conversation":
        await dialogs.finish(req.session, state)


async def on_button(req: Req, cb: Callback) -> None:
    """A button under a question: `q:<run>:<token>:<value>`."""
    ctx = await ctx_for_run(req, cb.int_arg(0))
    token = cb.int_arg(1)
    value = cb.args[2] if len(cb.args) > 2 else ""
    state = await dialogs.current(req.session, req.user_id)
    open_run = state.data.get("run_id") if state and state.flow == "conversation" else None
    # Valid only for the step on screen of the conversation that is open right now.
    if ctx is None or token != ctx.run.token or open_run != ctx.run.id:
        await req.answer("errors/stale_button")
        await req.drop_keyboard()
        return
    await req.answer()
    cursor = ctx.cursor
    if value == "_pause":
        await req.drop_keyboard()
        if cursor.get("edit"):
            cursor["pos"] = cursor.pop("return_pos", None)
            cursor.pop("edit")
            runs.move(ctx.run, cursor, req.services.now())
            if ctx.run.status == runs.FINISHED:
                await dialogs_finish(req)
            await show_summary(req, ctx)
            return
        await pause_open(req, tell=True)
        return
    if cursor.get("note_for"):
        if value == "_nonote":
            await req.drop_keyboard(req.render("form/answered", answer=req.texts.button("no_note")))
            pos = Pos.parse(cursor.pop("note_for"))
            runs.move(ctx.run, cursor, req.services.now())
            await go_next(req, ctx, pos)
        return
    pos = Pos.parse(cursor["pos"])
    step = ctx.engine.step_at(pos)
    if value == "_back":
        await req.drop_keyboard()
        await back(req, ctx)
        return
    if pos.step is None:
        if value in ("_yes", "_no", "_skip"):
            add = value == "_yes"
            label = req.texts.button("add_yes" if add else "add_no")
            await req.drop_keyboard(req.render("form/answered", answer=label))
            saved = await runs.save_answer(
                req.session,
                ctx.run,
                path=pos.path,
                step_id=step.id,
                value=add,
                skipped=False,
                koordinator=req.me,
                now=req.services.now(),
            )
            ctx.answers[pos.path] = saved
            await go_next(req, ctx, pos, add=add)
        return
    if value == "_skip":
        await req.drop_keyboard(req.render("form/answered", answer=req.texts.button("skip")))
        await answer(req, ctx, pos, step, None, skipped=True)
        return
    await _button_value(req, ctx, pos, step, value)


async def _button_value(req: Req, ctx: Ctx, pos: Pos, step: Step, value: str) -> None:
    cursor = ctx.cursor
    if step.kind == "info" and value == "_next":
        await req.drop_keyboard()
        await answer(req, ctx, pos, step, True)
    elif step.kind == "checklist" and value in CHECKLIST:
        label = dict(req.texts.labels("checklist"))[value]
        await req.drop_keyboard(req.render("form/answered", answer=label))
        await answer(req, ctx, pos, step, value)
    elif step.kind == "choice" and any(o.value == value for o in step.options):
        await req.drop_keyboard(req.render("form/answered", answer=step.option(value).label))
        await answer(req, ctx, pos, step, value)
    elif step.kind == "multi" and value == "_done":
        chosen = [o.value for o in step.options if o.value in set(cursor.get("multi") or [])]
        labels = ", ".join(step.option(v).label for v in chosen) or req.texts.button("none")
        await req.drop_keyboard(req.render("form/answered", answer=labels))
        await answer(req, ctx, pos, step, chosen)
    elif step.kind == "multi" and any(o.value == value for o in step.options):
        toggled = set(cursor.get("multi") or []) ^ {value}
        cursor["multi"] = sorted(toggled)
        ctx.run.cursor = cursor  # same token: the toggled keyboard stays valid
        keyboard = _step_keyboard(req, ctx, step, cursor)
        keyboard.append(_nav_row(req, ctx))
        await req.edit(
            "conv/ask",
            keyboard,
            header=_header(req, ctx, pos),
            kind=step.kind,
            text=ctx.engine.render(step.text, ctx.values, pos.frames),
            help=ctx.engine.render(step.help, ctx.values, pos.frames),
            default=None,
            waiting_for_time=False,
            day=None,
            selected=len(toggled),
            max_length=None,
        )
    elif step.kind == "date" and value in ("_dflt", *QUICK_DATES):
        today = req.services.today()
        day = default_date(req, step) if value == "_dflt" else today + QUICK_DATES[value]
        if day is None:
            await req.reply("errors/stale_button")
            return
        await req.drop_keyboard(req.render("form/answered", answer=req.texts.long_date(day)))
        await answer(req, ctx, pos, step, day.isoformat())
    else:
        await req.reply("errors/stale_button")


def _nav_row(req: Req, ctx: Ctx) -> list[tuple[str, str]]:
    b = req.texts.button
    nav = []
    if ctx.cursor.get("history") and not ctx.cursor.get("edit"):
        nav.append((b("back"), _token(ctx, "_back")))
    nav.append((b("skip"), _token(ctx, "_skip")))
    nav.append((b("cancel_edit") if ctx.cursor.get("edit") else b("pause"), _token(ctx, "_pause")))
    return nav


async def back(req: Req, ctx: Ctx) -> None:
    cursor = ctx.cursor
    history = list(cursor.get("history") or [])
    if not history:
        await ask(req, ctx)
        return
    cursor["pos"] = history.pop()
    cursor["history"] = history
    for key in ("note_for", "multi", "day"):
        cursor.pop(key, None)
    runs.move(ctx.run, cursor, req.services.now())
    await ask(req, ctx)


# ---- finishing ---------------------------------------------------------------------
async def finish(req: Req, ctx: Ctx) -> None:
    now = req.services.now()
    await runs.set_status(req.session, ctx.run, runs.FINISHED, now)
    await dialogs_finish(req)
    created = await apply_outputs(req, ctx)
    tidied = await tidy(req, ctx)
    keyboard: Keyboard = [
        [
            (req.texts.button("summary"), callbacks.make("s", ctx.run.id)),
            (req.texts.button("open_case"), callbacks.make("c", ctx.case.id)),
        ]
    ]
    propose_close = ctx.run.kind == "evaluering" and ctx.values.get("videre") == "avslutte"
    if propose_close:
        keyboard = [[(req.texts.button("close_case"), callbacks.make("z", ctx.case.id))], *keyboard]
    await req.reply(
        "conv/finished",
        keyboard,
        title=ctx.q.title,
        alias=ctx.case.alias,
        outro=ctx.engine.render(ctx.q.outro, ctx.values),
        deadlines=created,
        propose_close=propose_close,
        tidied=tidied,
    )


async def apply_outputs(req: Req, ctx: Ctx) -> list[tuple[str, date]]:
    """Deadlines from dated answers, and the meeting of a møte run. Returns what is due."""
    now = req.services.now()
    due: list[tuple[str, date]] = []
    for path, answer_row in ctx.answers.items():
        if path.endswith("?"):
            continue
        step = ctx.q.find(answer_row.step_id)
        if not step.deadline:
            continue
        day = date.fromisoformat(answer_row.value) if answer_row.value else None
        await sync_answer_deadline(req, ctx, path, step, answer_row.value)
        if day is not None:
            due.append((step.deadline, day))
    if ctx.run.kind == "oppstart":
        await deadlines.complete_kind(req.session, ctx.case, "oppstartsamtale", now)
    if ctx.run.kind == "evaluering":
        await deadlines.complete_kind(
            req.session, ctx.case, "evaluering", now, keep_ref_prefix=f"run:{ctx.run.id}:"
        )
    if ctx.run.kind == "mote":
        values = ctx.values
        moment = values.get("tidspunkt")
        if moment:
            starts = datetime.fromisoformat(moment)
            await runs.plan_meeting(
                req.session,
                ctx.case,
                ctx.run,
                kind=values.get("motetype") or "ansvarsgruppemote",
                starts_at=starts,
                place=values.get("sted"),
                minutes_by=values.get("referent"),
                settings=req.services.settings,
                now=now,
            )
            due.append(("mote", starts.date()))
    return sorted(due, key=lambda d: d[1])


async def sync_answer_deadline(req: Req, ctx: Ctx, path: str, step: Step, value: Any) -> None:
    """Create, move or drop the deadline that one dated answer stands for."""
    day = date.fromisoformat(value) if value else None
    await deadlines.upsert(
        req.session,
        ctx.case,
        req.services.settings,
        req.services.now(),
        kind=step.deadline or "tiltak",
        due=day,
        source="samtale",
        source_ref=f"run:{ctx.run.id}:{path}",
        title=_item_title(ctx, path),
    )


def default_date(req: Req, step: Step) -> date | None:
    """The suggested date of a date step: its own default, or the evaluation cadence."""
    today = req.services.today()
    if step.default:
        return relative_default(step.default, today)
    if step.deadline == "evaluering":
        return today + relativedelta(months=req.services.settings.evaluation_months)
    return None


def _item_title(ctx: Ctx, path: str) -> str | None:
    """The first text answer in the same group item (e.g. what the tiltak is)."""
    if "/" not in path:
        return None
    prefix = path.rsplit("/", 1)[0] + "/"
    for other, answer_row in ctx.answers.items():
        rest = other[len(prefix) :] if other.startswith(prefix) else ""
        if rest and "/" not in rest and not answer_row.skipped:
            if ctx.q.find(answer_row.step_id).kind == "text":
                return str(answer_row.value)[:200]
    return None


# ---- summary and corrections ---------------------------------------------------------
async def summary_lines(req: Req, ctx: Ctx) -> list[dict[str, Any]]:
    """Each answered step: number, label path, question, shown answer, note."""
    lines = []
    order = await runs.answer_order(req.session, ctx.run.id)
    for path in order:
        answer_row = ctx.answers.get(path)
        if answer_row is None or path.endswith("?"):
            continue
        step = ctx.q.find(answer_row.step_id)
        if step.kind == "info":
            continue
        pos = Pos.parse(path)
        lines.append(
            {
                "path": path,
                "items": [f"{(ctx.q.find(g).item or g).capitalize()} {n}" for g, n in pos.frames],
                "question": ctx.engine.render(step.text, ctx.values, pos.frames),
                "answer": show_value(req, step, answer_row),
                "note": answer_row.note,
                "changed": len(await runs.history(req.session, ctx.run.id, path)) > 1,
            }
        )
    return lines


def show_value(req: Req, step: Step, answer_row: Answer) -> str:
    """An answer as the koordinator reads it."""
    value = answer_row.value
    if answer_row.skipped or value is None:
        return req.texts.button("skipped")
    if step.kind == "checklist":
        return dict(req.texts.labels("checklist")).get(value, str(value))
    if step.kind == "choice":
        return next((o.label for o in step.options if o.value == value), str(value))
    if step.kind == "multi":
        labels = [o.label for o in step.options if o.value in set(value)]
        return ", ".join(labels) or req.texts.button("none")
    if step.kind == "date":
        return req.texts.long_date(date.fromisoformat(value))
    if step.kind == "datetime":
        moment = datetime.fromisoformat(value).astimezone(req.services.zone)
        return req.render("conv/datetime", day=moment.date(), time=moment.strftime("%H:%M"))
    return str(value)


async def show_summary(req: Req, ctx: Ctx) -> None:
    lines = await summary_lines(req, ctx)
    keyboard: list[list[tuple[str, str]]] = []
    numbers = [
        (f"✎ {i}", callbacks.make("a", ctx.run.id, i)) for i in range(1, min(len(lines), 80) + 1)
    ]
    keyboard.extend(numbers[i : i + 8] for i in range(0, len(numbers), 8))
    if ctx.run.status != runs.FINISHED:
        keyboard.append(
            [
                (
                    req.texts.button("continue"),
                    callbacks.make("k", ctx.case.id, ctx.run.kind, "resume"),
                )
            ]
        )
    keyboard.append([(req.texts.button("open_case"), callbacks.make("c", ctx.case.id))])
    await req.reply(
        "conv/summary",
        keyboard,
        title=ctx.q.title,
        alias=ctx.case.alias,
        run=ctx.run,
        started=_local_date(req, ctx.run.started_at),
        finished=_local_date(req, ctx.run.finished_at),
        lines=lines,
    )


async def edit_answer(req: Req, ctx: Ctx, number: int | None) -> None:
    """Re-ask one answered step; the new answer replaces it, the old stays in history."""
    lines = await summary_lines(req, ctx)
    if number is None or not 1 <= number <= len(lines):
        await req.reply("errors/stale_button")
        return
    if await _blocked_by_form(req):
        return
    state = await dialogs.current(req.session, req.user_id)
    if state is not None and state.data.get("run_id") != ctx.run.id:
        await pause_open(req)
    now = req.services.now()
    cursor = ctx.cursor
    for key in ("note_for", "multi", "day"):
        cursor.pop(key, None)
    cursor["return_pos"] = cursor.get("pos")
    cursor["pos"] = lines[number - 1]["path"]
    cursor["edit"] = True
    runs.move(ctx.run, cursor, now)
    if ctx.run.status == runs.PAUSED:
        await runs.set_status(req.session, ctx.run, runs.ACTIVE, now)
    await dialogs.start(
        req.session, req.user_id, "conversation", "run", {"run_id": ctx.run.id}, now
    )
    await ask(req, ctx)


async def list_runs(req: Req, case: Case) -> None:
    """Every conversation run on the case, newest first, each opening its summary."""
    all_runs = list(reversed(await runs.runs_of(req.session, case.id)))
    keyboard = [
        [
            (
                req.render(
                    "conv/run_button",
                    title=questionnaire(req, r.kind).title,
                    started=_local_date(req, r.started_at),
                    status=r.status,
                ),
                callbacks.make("s", r.id),
            )
        ]
        for r in all_runs[:30]
    ]
    keyboard.append([(req.texts.button("open_case"), callbacks.make("c", case.id))])
    await req.reply("conv/run_list", keyboard, alias=case.alias, count=len(all_runs))


def _local_date(req: Req, instant: datetime | None) -> date | None:
    return instant.astimezone(req.services.zone).date() if instant else None


def _iso_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
