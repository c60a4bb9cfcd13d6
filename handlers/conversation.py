"""Guided conversations in the chat: the edge of the conversation service. It turns a
typed text or a pressed button into one service call and renders what comes back."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from markupsafe import Markup
from telegram.error import TelegramError

from bot.conversations.display import shown
from bot.conversations.kinds import CHECKLIST, DAY_OK, DAY_OTHER, QUICK_DATES, kind_of
from bot.conversations.model import Step
from bot.conversations.outcomes import (
    Finished,
    Gone,
    Invalid,
    Offer,
    Paused,
    Question,
    Reply,
    Summary,
)
from bot.conversations.service import NOTE_MAX, Conversations
from handlers import callbacks, weblinks
from handlers.callbacks import Callback
from handlers.common import Button, Keyboard, Req, with_retry
from storage.models import Case

log = logging.getLogger(__name__)
KINDS = ("oppstart", "kartlegging", "evaluering", "mote")
GONE = {
    "not_open": "conv/gone",
    "case_closed": "cases/closed_readonly",
    "not_found": "errors/case_not_found",
    "nothing_paused": "conv/nothing_paused",
    "form_open": "conv/form_open",
}


def service(req: Req) -> Conversations:
    return Conversations(req.session, req.me, req.services)


def title_of(req: Req, kind: str) -> str:
    return req.services.questionnaires[kind].title


async def start(req: Req, case: Case, kind: str, *, fresh: bool = False) -> None:
    """Start `kind` on the case (or offer to continue an unfinished one)."""
    await show(req, await service(req).start(case, kind, fresh=fresh))


async def on_text(req: Req) -> None:
    """A typed answer to the open conversation."""
    await show(req, await service(req).answer_text(req.text))


async def on_button(req: Req, cb: Callback) -> None:
    """A button under a question: `q:<run>:<token>:<value>`."""
    value = cb.args[2] if len(cb.args) > 2 else ""
    reply = await service(req).press(cb.int_arg(0), cb.int_arg(1), value)
    await show(req, reply, pressed=value)


async def pause(req: Req) -> bool:
    paused = await service(req).pause()
    if paused is not None:
        await show(req, Reply(paused))
    return paused is not None


async def resume(req: Req, run_id: int | None = None) -> None:
    await show(req, await service(req).resume(run_id))


# ---- rendering ---------------------------------------------------------------------
async def show(req: Req, reply: Reply, pressed: str | None = None) -> None:
    """Render what the service answered."""
    then = reply.then
    if isinstance(then, Gone) and then.reason == "stale":
        await req.answer("errors/stale_button")
        await req.drop_keyboard()
        return
    if isinstance(then, Gone) and then.reason == "not_found" and req.callback is not None:
        await req.answer("errors/case_not_found")
        return
    await req.answer()
    if pressed is not None and "toggled" not in reply.events:
        await req.drop_keyboard(_pressed_label(req, reply, pressed))
    elif pressed is None and reply.answered is not None:
        step, given, skipped = reply.answered
        # Every typed date is read back: «= fredag 4. desember 2026».
        if step.kind == "date" and given and not skipped:
            await req.reply("conv/read_back", day=date.fromisoformat(given), time=None)
        elif step.kind == "datetime" and given and not skipped:
            moment = datetime.fromisoformat(given).astimezone(req.services.zone)
            await req.reply("conv/read_back", day=moment.date(), time=moment.strftime("%H.%M"))
    for event in reply.events:
        if event == "intro":
            await req.reply(
                "conv/intro",
                _evaluated_keyboard(req, reply),
                title=reply.title,
                alias=reply.alias,
                intro=reply.intro,
                evaluated=reply.evaluated,
                in_form=weblinks.in_form_mode(req),
            )
        elif event == "resumed":
            await req.reply("conv/resumed", title=reply.title, alias=reply.alias)
        elif event in ("note_saved", "corrected"):
            await req.reply(f"conv/{event}")
    if isinstance(then, Question):
        await ask(req, then, edit="toggled" in reply.events)
    elif isinstance(then, Invalid):
        if then.reason == "use_form":
            await req.delete_user_message()  # free text stays out of the chat
        await req.reply(f"errors/{then.reason}", **_error_values(then))
        await ask(req, then.question)
    elif isinstance(then, Finished):
        await finished(req, then)
    elif isinstance(then, Paused):
        await req.reply("conv/paused", title=then.title, alias=then.alias)
    elif isinstance(then, Offer):
        await offer(req, then)
    elif isinstance(then, Summary):
        await show_summary(req, then)
    elif isinstance(then, Gone):
        await req.reply(GONE.get(then.reason, "errors/stale_button"), **then.detail)


def _evaluated_keyboard(req: Req, reply: Reply) -> list[list[Button]] | None:
    """The goals' own words are not in the chat; with the web form on, one button
    opens the kartlegging they come from."""
    if reply.evaluated is None or not weblinks.in_form_mode(req):
        return None
    return [[weblinks.run_button(req, reply.evaluated.run_id)]]


def _error_values(invalid: Invalid) -> dict[str, object]:
    values = dict(invalid.detail)
    if invalid.reason == "date":
        values.setdefault("code", "unrecognised")
        values.setdefault("kind", "date")
    return values


def _pressed_label(req: Req, reply: Reply, value: str) -> str | None:
    """The «→ answer» line left under a question once a button answered it."""
    if value == "_nonote":
        return req.render("form/answered", answer=req.texts.button("no_note"))
    if reply.answered is None:
        return None
    step, given, skipped = reply.answered
    if step.kind == "group":
        shown = req.texts.button("add_yes" if given else "add_no")
    else:
        shown = show_value(req, step, given, skipped)
    return req.render("form/answered", answer=shown)


def _token(q: Question, value: str) -> str:
    return callbacks.make("q", q.run_id, q.token, value)


async def ask(req: Req, q: Question, *, edit: bool = False) -> None:
    """Send (or, for a toggled multi-choice, update) the question on screen."""
    b = req.texts.button
    header = req.render(
        "conv/header",
        title=q.title,
        alias=q.alias,
        index=q.index,
        total=q.total,
        items=[f"{item.capitalize()} {n}" for item, n in q.items],
    )
    if q.phase == "note" and q.answer_by == "form":
        note_keyboard: Keyboard = [
            [weblinks.step_button(req, q, b("write_note"))],
            [(b("no_note"), _token(q, "_nonote"))],
        ]
        await req.reply("conv/ask_note_form", note_keyboard, max=NOTE_MAX)
    elif q.phase == "note":
        await req.reply("conv/ask_note", [[(b("no_note"), _token(q, "_nonote"))]], max=NOTE_MAX)
    elif q.phase == "confirm_day":
        day_keyboard: Keyboard = [
            [(b("use_day_anyway"), _token(q, DAY_OK)), (b("other_day"), _token(q, DAY_OTHER))],
            _nav_row(req, q),
        ]
        await req.reply("ask/day_confirm", day_keyboard, day=q.pending_day, concern=q.concern)
    elif q.phase == "add_item":
        add_keyboard = [[(b("add_yes"), _token(q, "_yes")), (b("add_no"), _token(q, "_no"))]]
        await req.reply(
            "conv/ask_group",
            add_keyboard,
            header=header,
            text=Markup(q.text),
            item=q.item,
            number=q.number,
        )
    else:
        keyboard: Keyboard = [*_step_keyboard(req, q), _nav_row(req, q)]
        values = {
            "header": header,
            "kind": q.step.kind,
            # Rendered from the definition with its values escaped: markup as it is.
            "text": Markup(q.text),
            "help": Markup(q.help),
            "default": q.suggestion,
            "waiting_for_time": q.phase == "time",
            "day": q.day,
            "selected": len(q.selected),
            "max_length": q.step.max_length,
            "answer_by": q.answer_by,
        }
        if edit:
            await req.edit("conv/ask", keyboard, **values)
        else:
            await req.reply("conv/ask", keyboard, **values)
    await service(req).track(q.run_id, _exchange_ids(req))


def _exchange_ids(req: Req) -> list[int]:
    ids = list(req.sent_ids)
    if req.update.message is not None:
        ids.append(req.update.message.message_id)
    req.sent_ids.clear()
    return ids


def _nav_row(req: Req, q: Question) -> Sequence[Button]:
    b = req.texts.button
    nav = [(b("back"), _token(q, "_back"))] if q.can_back else []
    if q.step.kind != "info":
        nav.append((b("skip"), _token(q, "_skip")))
    nav.append((b("cancel_edit") if q.editing else b("pause"), _token(q, "_pause")))
    return nav


def _step_keyboard(req: Req, q: Question) -> Keyboard:
    step, b = q.step, req.texts.button
    if q.phase == "time":
        return []
    if step.kind == "checklist":
        labels = dict(req.texts.labels("checklist"))
        pairs = [(labels[v], _token(q, v)) for v in CHECKLIST]
        return [pairs[:2], pairs[2:]]
    if step.kind in ("choice", "multi"):
        chosen = set(q.selected)
        buttons = [
            (("✓ " if o.value in chosen else "") + o.label, _token(q, o.value))
            for o in step.options
        ]
        width = 1 if max(len(o.label) for o in step.options) > 18 else 2
        rows = [buttons[i : i + width] for i in range(0, len(buttons), width)]
        if step.kind == "multi":
            rows.append([(b("done"), _token(q, "_done"))])
        return rows
    if step.kind == "date":
        rows = []
        if q.suggestion is not None:
            rows.append([(req.texts.long_date(q.suggestion), _token(q, "_dflt"))])
        if step.quick:
            quick = [(b(f"date{key}"), _token(q, key)) for key in QUICK_DATES]
            rows.extend([quick[:2], quick[2:]])
        return rows
    if step.kind == "info":
        return [[(b("next"), _token(q, "_next"))]]
    if q.answer_by == "form":
        return [[weblinks.step_button(req, q, b("write_answer"))]]
    if q.answer_by == "off":
        return [[(label, _token(q, value))] for value, label in req.texts.labels("text_marks")]
    return []


async def finished(req: Req, done: Finished) -> None:
    tidied = await _tidy(req, done.tidy + _exchange_ids(req))
    b = req.texts.button
    keyboard: Keyboard = [
        [
            (b("summary"), callbacks.make("s", done.run_id)),
            (b("open_case"), callbacks.make("c", done.case_id)),
        ]
    ]
    if done.propose_close:
        keyboard = [[(b("close_case"), callbacks.make("z", done.case_id))], *keyboard]
    await req.reply(
        "conv/finished",
        keyboard,
        title=done.title,
        alias=done.alias,
        outro=done.outro,
        deadlines=done.deadlines,
        propose_close=done.propose_close,
        tidied=tidied,
    )


async def _tidy(req: Req, ids: list[int]) -> bool:
    """Tidy mode: delete the run's questions and answers from the chat (bots may delete
    private-chat messages for 48 hours). True when there was something to delete."""
    if not req.me.tidy_mode or not ids:
        return False
    await req.commit()
    ids = sorted(set(ids))
    for first in range(0, len(ids), 100):
        chunk = ids[first : first + 100]
        try:
            await with_retry(functools.partial(req.context.bot.delete_messages, req.chat_id, chunk))
        except TelegramError as exc:
            # Too old or already gone: the answers are stored, the chat just stays longer.
            log.info("tidy mode could not delete messages: %s", exc)
    return True


async def offer(req: Req, found: Offer) -> None:
    b = req.texts.button
    if found.finished_run is not None:
        await req.reply(
            "conv/held_before",
            [
                [(b("start_anew"), callbacks.make("k", found.case_id, found.kind, "new"))],
                [(b("summary"), callbacks.make("s", found.finished_run))],
            ],
            title=found.title,
            alias=found.alias,
            held=found.started,
        )
        return
    keyboard = [
        [
            (b("continue"), callbacks.make("k", found.case_id, found.kind, "resume")),
            (b("restart"), callbacks.make("k", found.case_id, found.kind, "new")),
        ]
    ]
    await req.reply(
        "conv/unfinished", keyboard, title=found.title, alias=found.alias, started=found.started
    )


def show_value(req: Req, step: Step, value: Any, skipped: bool = False) -> str:
    """An answer as the koordinator reads it."""
    return shown(req.texts, req.services.zone, step, value, skipped)


async def show_summary(req: Req, summary: Summary) -> None:
    # With the web form, the words stay there: the chat tells only what is answered.
    in_form = weblinks.in_form_mode(req)
    lines = [
        {
            "path": line.path,
            "items": line.items,
            "question": line.question,
            "answer": show_value(req, line.step, line.value, line.skipped),
            "in_form": in_form and kind_of(line.step).free(line.step) and not line.skipped,
            "note": line.note,
            "changed": line.changed,
        }
        for line in summary.lines
    ]
    numbers: list[Button] = [
        (f"✎ {i}", callbacks.make("a", summary.run_id, i)) for i in range(1, len(lines) + 1)
    ]
    keyboard: list[list[Button]] = [numbers[i : i + 8] for i in range(0, len(numbers), 8)]
    if in_form:
        keyboard.insert(0, [weblinks.run_button(req, summary.run_id)])
    if summary.status != "finished":
        resume = callbacks.make("k", summary.case_id, summary.kind, "resume")
        keyboard.append([(req.texts.button("continue"), resume)])
    keyboard.append([(req.texts.button("open_case"), callbacks.make("c", summary.case_id))])
    await req.reply(
        "conv/summary",
        keyboard,
        title=summary.title,
        alias=summary.alias,
        run={"status": summary.status},
        started=summary.started,
        finished=summary.finished,
        lines=lines,
        in_form=in_form,
    )


async def summary(req: Req, run_id: int | None) -> None:
    found = await service(req).summary(run_id)
    await show(req, Reply(found))


async def correct(req: Req, run_id: int | None, number: int | None) -> None:
    await show(req, await service(req).correct(run_id, number))


async def list_runs(req: Req, case: Case) -> None:
    """Every conversation run on the case, newest first, each opening its summary."""
    items = await service(req).list_runs(case)
    keyboard = [
        [
            (
                req.render(
                    "conv/run_button",
                    title=r.title,
                    started=r.started,
                    status=r.status,
                    number=r.number,
                ),
                callbacks.make("s", r.run_id),
            )
        ]
        for r in items[:30]
    ]
    keyboard.append([(req.texts.button("open_case"), callbacks.make("c", case.id))])
    await req.reply("conv/run_list", keyboard, alias=case.alias, count=len(items))


async def move_meeting(req: Req, run_id: int | None) -> None:
    """A moved meeting: only its time is asked again; place, kind and the rest stay."""
    await show(req, await service(req).correct_role(run_id, "meeting_time"))
