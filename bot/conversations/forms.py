"""Short forms (registration, new case, editing, handover, closing, deadlines, snooze)
run by the same definitions and step kinds as the conversations. A form's draft lives
in the user's dialogue row, so a restart in the middle loses nothing; its buttons
carry the step token, so buttons of an earlier step are recognised as stale."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import cases, dialogs
from bot.conversations.kinds import Moment, Typed, kind_of
from bot.conversations.model import Questionnaire, Step
from storage.models import DialogState

if TYPE_CHECKING:  # the services container holds the definitions; no cycle at run time
    from bot.services import Services

CONFIRM_ALIAS = "alias_confirm"
CONFIRM_DAY = "day_confirm"  # a typed day that is past, a weekend or a holiday
_PENDING = ("pending_alias", "pending_day", "pending_step", "day_concern")
SKIP, BACK, CANCEL, YES, NO = "_skip", "_back", "_cancel", "_yes", "_no"


@dataclass(frozen=True)
class FormQuestion:
    flow: str
    token: int
    step: Step | None  # None while a name-like alias or an odd day waits for a yes
    text: str
    help: str
    position: int
    total: int
    editing: bool
    pending_alias: str = ""
    pending_day: str = ""  # ISO day waiting for «Bruke den likevel?»
    concern: str = ""  # why: past, saturday, sunday, holiday


@dataclass(frozen=True)
class FormInvalid:
    reason: str
    detail: dict[str, Any]
    question: FormQuestion


@dataclass(frozen=True)
class FormDone:
    """Every step answered: the caller's finishing service takes `values`."""

    flow: str
    values: dict[str, Any]
    data: dict[str, Any]
    state: DialogState


@dataclass(frozen=True)
class FormCancelled:
    flow: str


@dataclass(frozen=True)
class FormStale:
    pass


FormOutcome = FormQuestion | FormInvalid | FormDone | FormCancelled | FormStale


class Forms:
    """The form service for one user within one session."""

    def __init__(
        self, session: AsyncSession, user_id: int, koordinator_id: int | None, services: Services
    ) -> None:
        self.session, self.user_id, self.services = session, user_id, services
        self.koordinator_id = koordinator_id or 0

    def _definition(self, flow: str) -> Questionnaire:
        return self.services.forms[flow]

    def _step(self, flow: str, name: str) -> Step:
        # Editing one field of a case asks it as /ny does.
        for definition in (self._definition(flow), self.services.forms["new_case"]):
            try:
                return definition.find(name)
            except KeyError:
                continue
        raise KeyError(name)

    def fields(self, state: DialogState) -> tuple[str, ...]:
        """The steps of this form (an edit asks just the one chosen)."""
        return tuple(state.data.get("fields") or [s.id for s in self._definition(state.flow)])

    def _moment(self) -> Moment:
        return Moment(today=self.services.today(), now=self.services.local_now())

    async def current(self) -> DialogState | None:
        state = await dialogs.current(self.session, self.user_id)
        return None if state is None or state.flow == "conversation" else state

    async def begin(self, flow: str, data: dict[str, Any] | None = None) -> FormQuestion:
        """Start a form at its first step."""
        data = {"values": {}, **(data or {})}
        first = (data.get("fields") or [s.id for s in self._definition(flow)])[0]
        state = await dialogs.start(
            self.session, self.user_id, flow, first, data, self.services.now()
        )
        return self.question(state)

    def question(self, state: DialogState) -> FormQuestion:
        """The question of the current step."""
        names = self.fields(state)
        editing = bool(state.data.get("case_id")) and state.flow == "edit_case"
        if state.step == CONFIRM_DAY:
            return FormQuestion(
                state.flow,
                state.token,
                None,
                "",
                "",
                names.index(state.data["pending_step"]) + 1,
                len(names),
                editing,
                pending_day=state.data.get("pending_day", ""),
                concern=state.data.get("day_concern", ""),
            )
        if state.step == CONFIRM_ALIAS:
            return FormQuestion(
                state.flow,
                state.token,
                None,
                "",
                "",
                names.index("alias") + 1,
                len(names),
                editing,
                pending_alias=state.data.get("pending_alias", ""),
            )
        step = self._step(state.flow, state.step)
        position = names.index(step.id) + 1
        context = {
            "editing": editing,
            "position": position,
            "total": len(names),
            "values": state.data.get("values", {}),
        }
        env = self.services.texts.env
        return FormQuestion(
            flow=state.flow,
            token=state.token,
            step=step,
            text=env.from_string(step.text).render(**context).strip(),
            help=env.from_string(step.help).render(**context).strip() if step.help else "",
            position=position,
            total=len(names),
            editing=editing,
        )

    async def answer_text(self, state: DialogState, text: str) -> FormOutcome:
        """A typed answer to the current step."""
        if state.step == CONFIRM_ALIAS:
            # A new alias typed instead of a button: a fresh answer to the alias step.
            state.step = "alias"
        elif state.step == CONFIRM_DAY:
            # Another day typed instead of a button: a fresh answer to the date step.
            state.step = state.data["pending_step"]
        step = self._step(state.flow, state.step)
        typed = kind_of(step).parse(step, text, self._moment())
        return await self._take(state, step, typed)

    async def press(self, state: DialogState | None, token: int | None, value: str) -> FormOutcome:
        """A pressed button of the current step."""
        if state is None or token != state.token:
            return FormStale()
        if value == CANCEL:
            await dialogs.finish(self.session, state)
            return FormCancelled(state.flow)
        now = self.services.now()
        if value == BACK:
            names = self.fields(state)
            here = {CONFIRM_ALIAS: "alias", CONFIRM_DAY: state.data.get("pending_step")}.get(
                state.step, state.step
            )
            values = state.data.get("values", {})
            earlier = [n for n in names[: names.index(here)] if self._applies(state, n, values)]
            await dialogs.move(
                self.session, state, earlier[-1] if earlier else names[0], state.data, now
            )
            return self.question(state)
        if state.step == CONFIRM_DAY:
            name = state.data["pending_step"]
            if value == YES:
                return await self._accept(state, name, state.data.get("pending_day"))
            await dialogs.move(self.session, state, name, state.data, now)
            return self.question(state)
        if state.step == CONFIRM_ALIAS:
            if value == YES:
                return await self._accept(state, "alias", state.data.get("pending_alias"))
            await dialogs.move(self.session, state, "alias", state.data, now)
            return self.question(state)
        step = self._step(state.flow, state.step)
        if value == SKIP and step.optional:
            return await self._accept(state, step.id, None)
        typed = kind_of(step).press(step, value, self._moment())
        if typed.error:
            return FormStale()
        return await self._take(state, step, typed)

    async def _take(self, state: DialogState, step: Step, typed: Typed) -> FormOutcome:
        if typed.error:
            return FormInvalid(typed.error, dict(typed.detail or {}), self.question(state))
        if step.check == "alias":
            taken = await cases.alias_taken(
                self.session,
                self.koordinator_id,
                typed.value,
                exclude_case_id=state.data.get("case_id"),
            )
            if taken:
                return FormInvalid("alias_taken", {"alias": typed.value}, self.question(state))
            if (typed.detail or {}).get("confirm"):
                data = {**state.data, "pending_alias": typed.value}
                await dialogs.move(self.session, state, CONFIRM_ALIAS, data, self.services.now())
                return self.question(state)
        concern = (typed.detail or {}).get("confirm_day")
        if concern:
            data = {
                **state.data,
                "pending_day": typed.value,
                "pending_step": step.id,
                "day_concern": concern,
            }
            await dialogs.move(self.session, state, CONFIRM_DAY, data, self.services.now())
            return self.question(state)
        return await self._accept(state, step.id, typed.value)

    def _applies(self, state: DialogState, name: str, values: dict[str, Any]) -> bool:
        """True when step `name` is asked, given the answers so far (its `when`)."""
        step = self._step(state.flow, name)
        if not step.when:
            return True
        condition = self.services.texts.env.compile_expression(step.when, undefined_to_none=True)
        return bool(condition(values=values))

    async def _accept(self, state: DialogState, name: str, value: Any) -> FormOutcome:
        """Store an answer in the draft and go to the next step, or finish."""
        values = {**state.data.get("values", {}), name: value}
        data = {k: v for k, v in state.data.items() if k not in _PENDING}
        data["values"] = values
        names = self.fields(state)
        following = [n for n in names[names.index(name) + 1 :] if self._applies(state, n, values)]
        if following:
            await dialogs.move(self.session, state, following[0], data, self.services.now())
            return self.question(state)
        state.data = data
        return FormDone(state.flow, values, data, state)

    async def back_to(
        self, state: DialogState, name: str, error: str, **detail: Any
    ) -> FormInvalid:
        """Return to step `name` with an error (a finishing service refused the answer)."""
        await dialogs.move(self.session, state, name, state.data, self.services.now())
        return FormInvalid(error, detail, self.question(state))
