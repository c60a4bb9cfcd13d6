"""A run as the conversation service works on it, and the service's shared helpers:
loading a run with its access check, and describing the question on screen."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import cases, dialogs, runs
from bot.conversations import outputs
from bot.conversations.cursor import Cursor
from bot.conversations.engine import CaseFacts, Engine, Pos
from bot.conversations.kinds import Date, Moment, kind_of
from bot.conversations.model import Questionnaire
from bot.conversations.outcomes import Invalid, Question
from storage.models import Answer, Case, ConversationRun, Koordinator

if TYPE_CHECKING:  # the services container holds the definitions; no cycle at run time
    from bot.services import Services

CONVERSATION = "conversation"


class Run:
    """A run loaded with its case, definition, engine, answers and typed cursor."""

    def __init__(self, row: ConversationRun, case: Case, q: Questionnaire, engine: Engine) -> None:
        self.row, self.case, self.q, self.engine = row, case, q, engine
        self.answers: dict[str, Answer] = {}
        self.cursor = Cursor.from_json(row.cursor)

    @property
    def values(self) -> dict[str, Any]:
        return outputs.values_of(self.answers)

    def save_cursor(self, now: datetime, *, new_token: bool = True) -> None:
        """Store the cursor; a new token makes the buttons on screen stale."""
        if new_token:
            runs.move(self.row, self.cursor.to_json(), now)
        else:
            self.row.cursor = self.cursor.to_json()


class RunAccess:
    """Loads my runs (access checked) and describes what is on screen."""

    def __init__(self, session: AsyncSession, me: Koordinator, services: Services) -> None:
        self.session, self.me, self.services = session, me, services

    # ---- helpers -------------------------------------------------------------------
    def _moment(self) -> Moment:
        return self.moment_via("chat")

    def moment_via(self, channel: str) -> Moment:
        """The moment of an answer given through `channel` (chat or form)."""
        return Moment(
            today=self.services.today(),
            now=self.services.local_now(),
            evaluation_months=self.services.settings.evaluation_months,
            free_text=self.free_text,
            channel=channel,
            marks=tuple(self.services.texts.labels("text_marks")),
        )

    @property
    def free_text(self) -> str:
        """Where free text goes: form, off or chat (KOORDBOT_FREE_TEXT)."""
        return self.services.settings.free_text_mode

    def definition(self, kind: str) -> Questionnaire:
        return self.services.questionnaires[kind]

    def _facts(self, case: Case) -> CaseFacts:
        return CaseFacts(
            alias=case.alias,
            age=cases.age_of(case, self.services.today()),
            age_max=cases.oldest_age_of(case, self.services.today()),
            role=case.role,
            level=case.level,
            arena=case.arena,
        )

    async def _load(self, row: ConversationRun, case: Case) -> Run:
        q = self.definition(row.kind)
        run = Run(row, case, q, Engine(q, self.services.texts.env, self._facts(case)))
        run.answers = await runs.current_answers(self.session, row.id)
        return run

    async def load(self, run_id: int | None) -> Run | None:
        """The run if it belongs to one of my cases (access checked and audited)."""
        row = await runs.get(self.session, run_id)
        if row is None:
            return None
        case = await cases.case_for(self.session, self.me, row.case_id, self.services.now())
        return None if case is None else await self._load(row, case)

    async def open_run(self) -> Run | None:
        """The run this koordinator has open in the chat now, if any."""
        state = await dialogs.current(self.session, self.me.telegram_user_id)
        if state is None or state.flow != CONVERSATION:
            return None
        return await self.load(state.data.get("run_id"))

    async def _open(self, run: Run) -> None:
        await dialogs.start(
            self.session,
            self.me.telegram_user_id,
            CONVERSATION,
            "run",
            {"run_id": run.row.id},
            self.services.now(),
        )

    # ---- what is on screen -----------------------------------------------------------
    def _question(self, run: Run) -> Question:
        cursor, q = run.cursor, run.q
        if cursor.note_for:
            pos, phase = Pos.parse(cursor.note_for), "note"
        else:
            pos = Pos.parse(cursor.pos or "")
            phase = "add_item" if pos.step is None else ("time" if cursor.day else "step")
            if cursor.check_day and pos.step is not None:
                phase = "confirm_day"
        step = run.engine.step_at(pos)
        frames = pos.frames[:-1] if pos.step is None else pos.frames
        top = pos.frames[0][0] if pos.frames else pos.step
        index = next((i for i, s in enumerate(q.steps) if s.id == top), 0) + 1
        kind = kind_of(step)
        free = phase == "note" or (phase == "step" and kind.free(step))
        return Question(
            run_id=run.row.id,
            token=run.row.token,
            case_id=run.case.id,
            alias=run.case.alias,
            title=q.title,
            step=step,
            phase=phase,
            text=run.engine.render(step.text, run.values, frames),
            help=run.engine.render(step.help, run.values, frames),
            index=index,
            total=len(q.steps),
            items=tuple(((q.find(g).item or g), n) for g, n in pos.frames),
            item=step.item or "",
            number=pos.item_number,
            suggestion=kind.suggestion(step, self._moment()) if isinstance(kind, Date) else None,
            day=cursor.day_value,
            selected=tuple(cursor.multi),
            can_back=bool(cursor.history or cursor.day) and not cursor.edit,
            editing=cursor.edit,
            answer_by=self.free_text if free else "chat",
            path=pos.path,
            pending_day=date.fromisoformat(cursor.check_day) if cursor.check_day else None,
            concern=cursor.concern or "",
        )

    def _invalid(self, run: Run, reason: str, detail: dict[str, Any]) -> Invalid:
        return Invalid(reason, detail, self._question(run))

    def _local_date(self, instant: datetime | None) -> date | None:
        return instant.astimezone(self.services.zone).date() if instant else None

    async def track(self, run_id: int, message_ids: list[int]) -> None:
        """Remember chat messages of a run (tidy mode deletes them when it ends)."""
        row = await runs.get(self.session, run_id)
        if row is None or not message_ids:
            return
        cursor = Cursor.from_json(row.cursor)
        cursor.track(message_ids)
        row.cursor = cursor.to_json()  # same token: the buttons on screen stay valid
