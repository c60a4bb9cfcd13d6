"""Short forms in the chat (registration, new case, editing, handover, closing,
deadlines, snooze): the edge of the form service. It turns a typed text or a pressed
button into one service call, renders what comes back, and hands a complete form to
the finisher registered for it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from markupsafe import Markup

from bot.conversations.forms import (
    BACK,
    CANCEL,
    NO,
    SKIP,
    YES,
    FormCancelled,
    FormDone,
    FormInvalid,
    FormOutcome,
    FormQuestion,
    Forms,
    FormStale,
)
from bot.conversations.kinds import TODAY
from handlers import callbacks, conversation
from handlers.callbacks import Callback
from handlers.common import Keyboard, Req
from storage.models import DialogState

Finisher = Callable[[Req, DialogState, dict[str, Any]], Awaitable[None]]
_finishers: dict[str, Finisher] = {}


def set_finishers(table: dict[str, Finisher]) -> None:
    """What happens when each form has all its answers (set once, by `register`)."""
    _finishers.clear()
    _finishers.update(table)


def service(req: Req) -> Forms:
    me = req.koordinator
    return Forms(req.session, req.user_id, me.id if me else None, req.services)


async def begin(req: Req, flow: str, data: dict[str, Any] | None = None) -> None:
    """Start a form at its first step and ask it (an open conversation is paused)."""
    await conversation.pause(req)
    await show(req, await service(req).begin(flow, data))


async def ask(req: Req, state: DialogState, error: str | None = None, **error_values: Any) -> None:
    """Send the question of the current step (after an error message, if any)."""
    if error:
        await req.reply(error, **error_values)
    await show(req, service(req).question(state))


async def on_text(req: Req, state: DialogState) -> None:
    await show(req, await service(req).answer_text(state, req.text))


async def on_button(req: Req, state: DialogState | None, cb: Callback) -> None:
    value = cb.args[1] if len(cb.args) > 1 else ""
    shown = _pressed(req, state, value)  # before the press moves the form on
    outcome = await service(req).press(state, cb.int_arg(0), value)
    if isinstance(outcome, FormStale):
        await req.answer("errors/stale_button")
        await req.drop_keyboard()
        return
    await req.answer()
    await req.drop_keyboard(shown)
    await show(req, outcome)


def _pressed(req: Req, state: DialogState | None, value: str) -> str | None:
    """The «→ answer» line left under the question a button answered."""
    if state is None or value in (BACK, CANCEL, YES, NO):
        return None
    if value == SKIP:
        return req.render("form/answered", answer=req.texts.button("skip"))
    if value == TODAY:
        return req.render("form/answered", answer=req.texts.long_date(req.services.today()))
    question = service(req).question(state)
    step = question.step
    if step is not None and step.has_option(value):
        return req.render("form/answered", answer=step.option(value).label)
    return None


async def show(req: Req, outcome: FormOutcome) -> None:
    if isinstance(outcome, FormQuestion):
        await _ask(req, outcome)
    elif isinstance(outcome, FormInvalid):
        await req.reply(f"errors/{outcome.reason}", **_error_values(outcome))
        await _ask(req, outcome.question)
    elif isinstance(outcome, FormDone):
        await _finishers[outcome.flow](req, outcome.state, outcome.values)
    elif isinstance(outcome, FormCancelled):
        await req.reply("form/cancelled", flow=outcome.flow)


def _error_values(invalid: FormInvalid) -> dict[str, Any]:
    values = dict(invalid.detail)
    if invalid.reason == "date":
        values.setdefault("code", "unrecognised")
        values.setdefault("kind", "date")
    return values


def _data(q: FormQuestion, value: str) -> str:
    return callbacks.make("f", q.token, value)


async def _ask(req: Req, q: FormQuestion) -> None:
    b = req.texts.button
    if q.step is None and q.pending_day:
        keyboard = [[(b("use_day_anyway"), _data(q, YES)), (b("other_day"), _data(q, NO))]]
        day = date.fromisoformat(q.pending_day)
        await req.reply("ask/day_confirm", keyboard, day=day, concern=q.concern)
        return
    if q.step is None:
        keyboard = [[(b("use_anyway"), _data(q, YES)), (b("type_new"), _data(q, NO))]]
        await req.reply("ask/alias_confirm", keyboard, alias=q.pending_alias)
        return
    step = q.step
    rows: list[list[tuple[str, str]]] = []
    if step.kind == "choice":
        options = [(o.label, _data(q, o.value)) for o in step.options]
        rows.extend(options[i : i + 2] for i in range(0, len(options), 2))
    if step.kind == "date" and step.today_button:
        rows.append([(b("today"), _data(q, TODAY))])
    nav = [(b("back"), _data(q, BACK))] if q.position > 1 else []
    if step.optional:
        nav.append((b("skip"), _data(q, SKIP)))
    nav.append((b("cancel"), _data(q, CANCEL)))
    rows.append(nav)
    # Rendered from the form definition with its values escaped: markup as it is.
    await req.reply("form/ask", rows, text=Markup(q.text), help=Markup(q.help))


def resume_keyboard(req: Req) -> Keyboard:
    """Buttons offered when a command interrupts an open form."""
    return [
        [
            (req.texts.button("continue"), callbacks.make("d", "fortsett")),
            (req.texts.button("cancel"), callbacks.make("d", "avbryt")),
        ]
    ]
