"""Short guided forms (registration, new case, editing a case) whose position lives
in the database: a restart in the middle loses nothing.

A form is a list of fields; each is asked with a template `ask/<field>` and
answered by typing or by a button whose data carries the step token, so buttons
from an earlier step are recognised as stale.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot import cases, dialogs
from bot.rules import dates
from bot.rules.age import check_birth
from bot.rules.text import check_alias, check_name
from handlers import callbacks, conversation
from handlers.callbacks import Callback
from handlers.common import Keyboard, Req
from storage.models import DialogState

SKIP, BACK, CANCEL, TODAY, YES, NO = "_skip", "_back", "_cancel", "_today", "_yes", "_no"
CONFIRM_ALIAS = "alias_confirm"


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text | choice | month_year | date
    labels: str | None = None
    optional: bool = False
    today_button: bool = False


FIELDS = {
    f.name: f
    for f in (
        Field("name", "text"),
        Field("tjenestested", "choice", labels="tjenestested"),
        Field("alias", "text"),
        Field("role", "choice", labels="role"),
        Field("level", "choice", labels="level"),
        Field("birth", "month_year", optional=True),
        Field("gender", "choice", labels="gender", optional=True),
        Field("arena", "choice", labels="arena", optional=True),
        Field("appointed_on", "date", today_button=True),
        Field("snooze_date", "date"),
        Field("move_date", "date"),
        Field("evaluation_months", "choice", labels="months_override"),
        Field("meeting_interval_months", "choice", labels="months_override"),
        Field("deadline_type", "choice", labels="manual_kind"),
        *(
            Field(n, "choice", labels="yes_no")
            for n in (
                "handover_plan",
                "handover_info",
                "handover_person",
                "handover_ke",
                "close_agreed",
                "close_documented",
                "close_ke_informed",
            )
        ),
        Field("close_reason", "choice", labels="close_reason"),
        Field("new_deadline_date", "date"),
    )
}

FLOWS: dict[str, tuple[str, ...]] = {
    "register": ("name", "tjenestested"),
    "new_case": ("alias", "role", "level", "birth", "gender", "arena", "appointed_on"),
    "snooze": ("snooze_date",),
    "move_deadline": ("move_date",),
    "new_deadline": ("deadline_type", "new_deadline_date"),
    "handover": ("handover_plan", "handover_info", "handover_person", "handover_ke"),
    "close_case": ("close_agreed", "close_documented", "close_ke_informed", "close_reason"),
}

Finisher = Callable[[Req, DialogState, dict[str, Any]], Awaitable[None]]
_finishers: dict[str, Finisher] = {}


def on_finish(flow: str) -> Callable[[Finisher], Finisher]:
    """Register what happens when `flow` has all its answers."""

    def register(fn: Finisher) -> Finisher:
        _finishers[flow] = fn
        return fn

    return register


def fields_of(state: DialogState) -> tuple[str, ...]:
    """The fields of this dialogue (an edit asks just the one chosen)."""
    return tuple(state.data.get("fields") or FLOWS[state.flow])


async def begin(req: Req, flow: str, data: dict[str, Any] | None = None) -> None:
    """Start a form at its first field and ask it."""
    await conversation.pause(req)
    data = {"values": {}, **(data or {})}
    first = (data.get("fields") or FLOWS[flow])[0]
    state = await dialogs.start(req.session, req.user_id, flow, first, data, req.services.now())
    await ask(req, state)


async def ask(req: Req, state: DialogState, error: str | None = None, **error_values: Any) -> None:
    """Send the question of the current step (after an error message, if any)."""
    if error:
        await req.reply(error, **error_values)
    names = fields_of(state)
    values = state.data.get("values", {})
    if state.step == CONFIRM_ALIAS:
        confirm: Keyboard = [
            [
                (req.texts.button("use_anyway"), _data(state, YES)),
                (req.texts.button("type_new"), _data(state, NO)),
            ]
        ]
        await req.reply("ask/alias_confirm", confirm, alias=state.data.get("pending_alias", ""))
        return
    field = FIELDS[state.step]
    position = names.index(field.name) + 1
    keyboard: list[list[tuple[str, str]]] = []
    if field.kind == "choice" and field.labels:
        options = [(label, _data(state, value)) for value, label in req.texts.labels(field.labels)]
        keyboard.extend(options[i : i + 2] for i in range(0, len(options), 2))
    if field.today_button:
        keyboard.append([(req.texts.button("today"), _data(state, TODAY))])
    nav = []
    if position > 1:
        nav.append((req.texts.button("back"), _data(state, BACK)))
    if field.optional:
        nav.append((req.texts.button("skip"), _data(state, SKIP)))
    nav.append((req.texts.button("cancel"), _data(state, CANCEL)))
    keyboard.append(nav)
    await req.reply(
        f"ask/{field.name}",
        keyboard,
        flow=state.flow,
        position=position,
        total=len(names),
        values=values,
        editing=bool(state.data.get("case_id")),
    )


def _data(state: DialogState, value: str) -> str:
    return callbacks.make("f", state.token, value)


async def on_text(req: Req, state: DialogState) -> None:
    """A typed answer to the current step."""
    if state.step == CONFIRM_ALIAS:
        # A new alias typed instead of pressing a button: treat it as a fresh answer.
        state.step = "alias"
    field = FIELDS[state.step]
    if field.kind == "choice":
        match = _match_label(req, field, req.text)
        if match is None:
            await ask(req, state, "errors/use_buttons")
            return
        await _accept(req, state, match)
        return
    await _parse_and_accept(req, state, field, req.text)


async def on_button(req: Req, state: DialogState | None, cb: Callback) -> None:
    """A pressed button of a form step; stale when its token is not the current one."""
    token = cb.int_arg(0)
    value = cb.args[1] if len(cb.args) > 1 else ""
    if state is None or token != state.token:
        await req.answer("errors/stale_button")
        await req.drop_keyboard()
        return
    if value == CANCEL:
        await req.answer()
        await req.drop_keyboard()
        await dialogs.finish(req.session, state)
        await req.reply("form/cancelled", flow=state.flow)
        return
    if value == BACK:
        await req.answer()
        await req.drop_keyboard()
        names = fields_of(state)
        step = "alias" if state.step == CONFIRM_ALIAS else state.step
        index = max(names.index(step) - 1, 0)
        await dialogs.move(req.session, state, names[index], state.data, req.services.now())
        await ask(req, state)
        return
    if state.step == CONFIRM_ALIAS:
        await req.answer()
        if value == YES:
            await req.drop_keyboard()
            await _accept(req, state, state.data.get("pending_alias"), field_name="alias")
        else:
            await req.drop_keyboard()
            await dialogs.move(req.session, state, "alias", state.data, req.services.now())
            await ask(req, state)
        return
    field = FIELDS[state.step]
    if value == SKIP and field.optional:
        await req.answer()
        await req.drop_keyboard(req.render("form/answered", answer=req.texts.button("skip")))
        await _accept(req, state, None)
        return
    if value == TODAY and field.today_button:
        await req.answer()
        today = req.services.today()
        await req.drop_keyboard(req.render("form/answered", answer=req.texts.long_date(today)))
        await _accept(req, state, today.isoformat())
        return
    if field.kind == "choice" and field.labels:
        known = dict(req.texts.labels(field.labels))
        if value in known:
            await req.answer()
            await req.drop_keyboard(req.render("form/answered", answer=known[value]))
            await _accept(req, state, value)
            return
    await req.answer("errors/stale_button")


def _match_label(req: Req, field: Field, text: str) -> str | None:
    wanted = text.strip().casefold()
    for value, label in req.texts.labels(field.labels or ""):
        if wanted in (value.casefold(), label.casefold()):
            return value
    return None


async def _parse_and_accept(req: Req, state: DialogState, field: Field, text: str) -> None:
    today = req.services.today()
    if field.name == "alias":
        result = check_alias(text)
        if result.error or result.alias is None:
            await ask(req, state, f"errors/alias_{result.error}")
            return
        if await cases.alias_taken(
            req.session, req.me.id, result.alias, exclude_case_id=state.data.get("case_id")
        ):
            await ask(req, state, "errors/alias_taken", alias=result.alias)
            return
        if result.looks_like_name:
            data = {**state.data, "pending_alias": result.alias}
            await dialogs.move(req.session, state, CONFIRM_ALIAS, data, req.services.now())
            await ask(req, state)
            return
        await _accept(req, state, result.alias)
    elif field.name == "name":
        name, error = check_name(text)
        if error:
            await ask(req, state, f"errors/name_{error}")
            return
        await _accept(req, state, name)
    elif field.kind == "month_year":
        parsed = dates.parse_month_year(text, today)
        if parsed.error or parsed.year is None:
            await ask(
                req, state, "errors/date", code=str(parsed.error or "unrecognised"), kind="month"
            )
            return
        problem = check_birth(parsed.year, parsed.month, today)
        if problem:
            await ask(req, state, f"errors/birth_{problem}")
            return
        await _accept(req, state, [parsed.year, parsed.month])
    elif field.kind == "date":
        day = dates.parse_date(text, today)
        if day.error or day.value is None:
            await ask(req, state, "errors/date", code=str(day.error or "unrecognised"), kind="date")
            return
        problem = (
            _appointed_problem(day.value, today)
            if field.name == "appointed_on"
            else _future_problem(day.value, today)
        )
        if problem:
            await ask(req, state, f"errors/{problem}")
            return
        await _accept(req, state, day.value.isoformat())
    else:
        await ask(req, state, "errors/use_buttons")


def _future_problem(day: date, today: date) -> str | None:
    if day < today:
        return "date_past"
    if day > today + timedelta(days=366 * 10):
        return "date_out_of_range"
    return None


def _appointed_problem(day: date, today: date) -> str | None:
    if day > today + timedelta(days=366):
        return "appointed_future"
    if (
        day < today.replace(year=today.year - 50)
        if not (today.month == 2 and today.day == 29)
        else day < date(today.year - 50, 2, 28)
    ):
        return "appointed_too_old"
    return None


async def _accept(req: Req, state: DialogState, value: Any, field_name: str | None = None) -> None:
    """Store an answer in the draft and go to the next step, or finish."""
    name = field_name or state.step
    values = {**state.data.get("values", {}), name: value}
    data = {**state.data, "values": values}
    data.pop("pending_alias", None)
    names = fields_of(state)
    index = names.index(name)
    if index + 1 < len(names):
        await dialogs.move(req.session, state, names[index + 1], data, req.services.now())
        await ask(req, state)
        return
    state.data = data
    await _finishers[state.flow](req, state, values)


def resume_keyboard(req: Req) -> Keyboard:
    """Buttons offered when a command interrupts an open form."""
    return [
        [
            (req.texts.button("continue"), callbacks.make("d", "fortsett")),
            (req.texts.button("cancel"), callbacks.make("d", "avbryt")),
        ]
    ]
