"""The conversation service: start, answer, go back, skip, pause, resume, correct and
finish a guided conversation on a case. It takes plain values (a typed text, a pressed
value with its step token) and answers with an outcome the edge renders; it knows
nothing of Telegram. Every answer is stored the moment it is given."""

from __future__ import annotations

import dataclasses
from typing import Any

from bot import cases, dialogs, runs
from bot.conversations import evaluated as evaluation
from bot.conversations import outputs
from bot.conversations.base import CONVERSATION, Run
from bot.conversations.cursor import Cursor
from bot.conversations.engine import Pos
from bot.conversations.kinds import DAY_OK, DAY_OTHER, DateTime, Moment, Typed, kind_of
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
from bot.conversations.review import Review
from bot.rules.fnr import find_fnr
from bot.rules.text import check_free_text
from storage.enums import CaseStatus
from storage.models import Case

NOTE_MAX = 500
# Conversations held once per case (a new koordinator holds a new one): starting one
# again after it was finished asks first.
HELD_ONCE = frozenset({"oppstart"})


class Conversations(Review):
    """The conversation service for one koordinator within one session."""

    # ---- starting, pausing, resuming -------------------------------------------------
    async def start(self, case: Case, kind: str, *, fresh: bool = False) -> Reply:
        """Start `kind` on the case, or offer the unfinished one (unless `fresh`)."""
        if case.status == CaseStatus.CLOSED:
            return Reply(Gone("case_closed", {"alias": case.alias}))
        existing = await runs.unfinished_run(self.session, case.id, kind)
        if existing is not None and not fresh:
            return Reply(
                Offer(
                    case.id,
                    kind,
                    case.alias,
                    self.definition(kind).title,
                    self._local_date(existing.started_at),
                )
            )
        if existing is None and not fresh and kind in HELD_ONCE:
            held = await runs.latest_finished(self.session, case.id, kind)
            if held is not None:
                return Reply(
                    Offer(
                        case.id,
                        kind,
                        case.alias,
                        self.definition(kind).title,
                        self._local_date(held.finished_at or held.started_at),
                        finished_run=held.id,
                    )
                )
        now = self.services.now()
        if existing is not None:
            await runs.set_status(self.session, existing, runs.ABANDONED, now)
        events = ("paused_other",) if await self.pause() else ()
        q = self.definition(kind)
        row = await runs.start_run(self.session, case, kind, self.me, {}, now)
        run = await self._load(row, case)
        first = run.engine.first({})
        run.cursor = Cursor(pos=first.path if first else None)
        run.save_cursor(now, new_token=False)
        await self._open(run)
        intro = run.engine.render(q.intro, {})
        evaluated = None
        if kind == evaluation.EVALUERING and evaluation.KARTLEGGING in self.services.questionnaires:
            evaluated = await evaluation.under_evaluation(
                self.session, case, self.definition(evaluation.KARTLEGGING)
            )
        return Reply(
            await self._next_or_finish(run),
            events=(*events, "intro"),
            intro=intro,
            title=q.title,
            alias=case.alias,
            evaluated=evaluated,
        )

    async def pause(self) -> Paused | None:
        """Pause the conversation open in the chat, if any."""
        state = await dialogs.current(self.session, self.me.telegram_user_id)
        if state is None or state.flow != CONVERSATION:
            return None
        row = await runs.get(self.session, state.data.get("run_id"))
        await dialogs.finish(self.session, state)
        if row is None or row.status != runs.ACTIVE:
            return None
        await runs.set_status(self.session, row, runs.PAUSED, self.services.now())
        case = await cases.case_for(self.session, self.me, row.case_id, self.services.now())
        return Paused(self.definition(row.kind).title, case.alias if case else "")

    async def resume(self, run_id: int | None = None) -> Reply:
        """Continue a run where it stopped (the open one, or the latest paused)."""
        run = await self.load(run_id) if run_id else await self.open_run()
        if run is None and run_id is None:
            row = await runs.latest_paused_of(self.session, self.me)
            run = await self.load(row.id) if row else None
        if run is None or run.row.status in (runs.FINISHED, runs.ABANDONED):
            return Reply(Gone("nothing_paused"))
        if run.case.status == CaseStatus.CLOSED:
            return Reply(Gone("case_closed", {"alias": run.case.alias}))
        now = self.services.now()
        open_now = await self.open_run()
        if open_now is None or open_now.row.id != run.row.id:
            await self.pause()
        if run.row.status != runs.ACTIVE:
            await runs.set_status(self.session, run.row, runs.ACTIVE, now)
        await self._open(run)
        return Reply(
            await self._next_or_finish(run),
            events=("resumed",),
            title=run.q.title,
            alias=run.case.alias,
        )

    # ---- answering -------------------------------------------------------------------
    async def answer_text(self, text: str) -> Reply:
        """A typed answer to the question on screen."""
        run = await self._answerable()
        if isinstance(run, Gone):
            return Reply(run)
        return await self._typed(run, text, self._moment())

    async def answer_form(self, run_id: int, turn: int, path: str, text: str) -> Reply:
        """A text written in the web form for the step (or note) at `path` of a run.
        `turn` is the run's step token when the form was opened, so a form answers
        once, and only while that step is the open one in the chat."""
        await runs.lock(self.session, run_id)
        run = await self._form_run(run_id, turn, path)
        if isinstance(run, Gone):
            return Reply(run)
        if find_fnr(text):
            # Refused before anything can store it (SPEC 3.2), as in the chat.
            return Reply(self._invalid(run, "fnr_in_form", {}))
        return await self._typed(run, text, self.moment_via("form"))

    async def form_question(self, run_id: int, turn: int, path: str) -> Question | Gone:
        """The question a form link opens, if it is still the open one."""
        run = await self._form_run(run_id, turn, path)
        return run if isinstance(run, Gone) else self._question(run)

    async def _form_run(self, run_id: int, turn: int, path: str) -> Run | Gone:
        run = await self.load(run_id)
        if run is None:
            return Gone("not_found")
        open_run = await self.open_run()
        if open_run is None or open_run.row.id != run.row.id or turn != run.row.token:
            return Gone("stale")
        gone = self._check_answerable(run)
        if gone is not None:
            return gone
        cursor = run.cursor
        if path != (cursor.note_for or cursor.pos) or self._question(run).answer_by != "form":
            return Gone("stale")
        return run

    async def _typed(self, run: Run, text: str, at: Moment) -> Reply:
        cursor = run.cursor
        if cursor.note_for:
            if not at.free_text_here:
                reason = "use_form" if at.free_text == "form" else "use_buttons"
                return Reply(self._invalid(run, reason, {}))
            note, error = check_free_text(text, NOTE_MAX)
            if error:
                return Reply(self._invalid(run, f"text_{error}", {"max": NOTE_MAX}))
            await runs.save_note(self.session, run.row, cursor.note_for, note or "", at.now)
            pos = Pos.parse(cursor.note_for)
            cursor.note_for = None
            return await self._after(run, pos, events=("note_saved",))
        pos = Pos.parse(cursor.pos or "")
        step = run.engine.step_at(pos)
        if pos.step is None or step.kind == "info":
            return Reply(self._invalid(run, "use_buttons", {}))
        kind = kind_of(step)
        day = cursor.day_value
        cursor.check_day = cursor.concern = None  # another day typed instead of a yes
        if isinstance(kind, DateTime) and day is not None:
            typed = kind.parse_time(step, day, text, at)
        else:
            typed = kind.parse(step, text, at)
        if typed.error:
            return Reply(await self._typed_error(run, typed))
        concern = (typed.detail or {}).get("confirm_day")
        if concern:
            # A past day, a weekend or a holiday: «Bruke den likevel?» before it counts.
            cursor.check_day, cursor.concern = typed.value, concern
            run.save_cursor(at.now)
            return Reply(self._question(run))
        value = typed.value
        if step.kind == "multi":
            value = sorted(set(cursor.multi) | set(value))
        return await self._answer(run, pos, step, value)

    async def press(self, run_id: int | None, token: int | None, value: str) -> Reply:
        """A pressed button of the question on screen (`token` tells its step)."""
        run = await self.load(run_id)
        open_run = await self.open_run()
        if run is None or open_run is None or open_run.row.id != run.row.id:
            return Reply(Gone("stale"))
        if token != run.row.token:
            return Reply(Gone("stale"))
        gone = self._check_answerable(run)
        if gone is not None:
            return Reply(gone)
        await dialogs.resume_after_interrupt(self.session, self.me.telegram_user_id)
        cursor, at = run.cursor, self._moment()
        if value == "_pause":
            return Reply(await self._pause_or_end_edit(run))
        if value == "_back":
            return Reply(await self._back(run))
        if cursor.note_for:
            if value != "_nonote":
                return Reply(Gone("stale"))
            pos = Pos.parse(cursor.note_for)
            cursor.note_for = None
            return await self._after(run, pos)
        pos = Pos.parse(cursor.pos or "")
        step = run.engine.step_at(pos)
        if pos.step is None:
            if value not in ("_yes", "_no"):
                return Reply(Gone("stale"))
            add = value == "_yes"
            await self._save(run, pos, step, add, skipped=False)
            return dataclasses.replace(
                await self._after(run, pos, add=add), answered=(step, add, False)
            )
        if value in (DAY_OK, DAY_OTHER):
            pending = cursor.check_day
            if pending is None:
                return Reply(Gone("stale"))
            cursor.check_day = cursor.concern = None
            if value == DAY_OK:
                return await self._answer(run, pos, step, pending)
            run.save_cursor(at.now)
            return Reply(self._question(run))
        cursor.check_day = cursor.concern = None  # «Hopp over» instead of a yes
        if value == "_skip":
            return await self._answer(run, pos, step, None, skipped=True)
        if step.kind == "multi" and value == "_done":
            chosen = [o.value for o in step.options if o.value in set(cursor.multi)]
            return await self._answer(run, pos, step, chosen)
        if step.kind == "multi" and step.has_option(value):
            cursor.multi = sorted(set(cursor.multi) ^ {value})
            run.save_cursor(at.now, new_token=False)  # the toggled keyboard stays valid
            return Reply(self._question(run), events=("toggled",))
        typed = kind_of(step).press(step, value, at)
        if typed.error:
            return Reply(Gone("stale"))
        return await self._answer(run, pos, step, typed.value)

    def _check_answerable(self, run: Run) -> Gone | None:
        if run.case.status == CaseStatus.CLOSED:
            return Gone("case_closed", {"alias": run.case.alias})
        if run.row.status == runs.ACTIVE or (run.row.status == runs.FINISHED and run.cursor.edit):
            return None
        return Gone("not_open")

    async def _answerable(self) -> Run | Gone:
        run = await self.open_run()
        if run is None:
            state = await dialogs.current(self.session, self.me.telegram_user_id)
            if state is not None:
                await dialogs.finish(self.session, state)
            return Gone("not_open")
        gone = self._check_answerable(run)
        if gone is not None:
            await self.pause()
            return gone
        return run

    async def _typed_error(self, run: Run, typed: Typed) -> Question | Invalid:
        detail = dict(typed.detail or {})
        if detail.get("code") == "time_missing" and detail.get("day"):
            # The day is understood; the next message only needs the time.
            run.cursor.day = detail["day"]
            run.save_cursor(self.services.now())
            return self._question(run)
        return self._invalid(run, typed.error or "use_buttons", detail)

    async def _save(self, run: Run, pos: Pos, step: Step, value: Any, *, skipped: bool) -> None:
        now = self.services.now()
        run.answers[pos.path] = await runs.save_answer(
            self.session,
            run.row,
            path=pos.path,
            step_id=step.id,
            value=value,
            skipped=skipped,
            koordinator=self.me,
            now=now,
        )
        if step.deadline:
            # A dated answer is a deadline from the moment it is given.
            await outputs.sync_dated_answer(
                self.session,
                run.case,
                run.row,
                run.q,
                run.answers,
                pos.path,
                step,
                None if skipped else value,
                self.services.settings,
                now,
            )

    async def _answer(
        self, run: Run, pos: Pos, step: Step, value: Any, *, skipped: bool = False
    ) -> Reply:
        """Store the answer now, then ask for a note or move on."""
        await self._save(run, pos, step, value, skipped=skipped)
        run.cursor.multi, run.cursor.day = [], None
        answered = (step, value, skipped)
        if kind_of(step).noted and step.note and not skipped and self.free_text != "off":
            run.cursor.note_for = pos.path
            run.save_cursor(self.services.now())
            return Reply(self._question(run), answered=answered)
        return dataclasses.replace(await self._after(run, pos), answered=answered)

    async def _after(
        self, run: Run, pos: Pos, add: bool | None = None, events: tuple[str, ...] = ()
    ) -> Reply:
        """Move past `pos`: the next question, the summary after a correction, or the
        end of the run."""
        now, cursor = self.services.now(), run.cursor
        if cursor.edit:
            cursor.pos, cursor.return_pos, cursor.edit = cursor.return_pos, None, False
            run.save_cursor(now)
            if run.row.status == runs.FINISHED:
                await dialogs.finish_flow(self.session, self.me.telegram_user_id, CONVERSATION)
                await outputs.apply(
                    self.session,
                    run.case,
                    run.row,
                    run.q,
                    run.answers,
                    self.services.settings,
                    now,
                    finishing=False,
                )
            return Reply(await self.summary_of(run), events=(*events, "corrected"))
        nxt = run.engine.after(pos, run.values, add=add)
        cursor.history = [*cursor.history, pos.path][-200:]
        cursor.pos = nxt.path if nxt else None
        run.save_cursor(now)
        return Reply(await self._next_or_finish(run), events=events)

    async def _next_or_finish(self, run: Run) -> Question | Finished:
        if run.cursor.pos is None:
            return await self._finish(run)
        return self._question(run)

    async def _back(self, run: Run) -> Question:
        cursor = run.cursor
        if cursor.check_day:
            # «Tilbake» at «Bruke den likevel?» asks the day again.
            cursor.check_day = cursor.concern = None
        elif cursor.day:
            # «Tilbake» at the time question goes back to the day, not a step back.
            cursor.day = None
        elif cursor.history and not cursor.edit:
            cursor.pos = cursor.history.pop()
            cursor.clear_partial()
        run.save_cursor(self.services.now())
        return self._question(run)

    async def _pause_or_end_edit(self, run: Run) -> Paused | Summary | Gone:
        cursor = run.cursor
        if not cursor.edit:
            return await self.pause() or Gone("not_open")
        cursor.pos, cursor.return_pos, cursor.edit = cursor.return_pos, None, False
        cursor.clear_partial()
        run.save_cursor(self.services.now())
        if run.row.status == runs.FINISHED:
            await dialogs.finish_flow(self.session, self.me.telegram_user_id, CONVERSATION)
        return await self.summary_of(run)

    async def _finish(self, run: Run) -> Finished:
        now = self.services.now()
        await runs.set_status(self.session, run.row, runs.FINISHED, now)
        await dialogs.finish_flow(self.session, self.me.telegram_user_id, CONVERSATION)
        created = await outputs.apply(
            self.session,
            run.case,
            run.row,
            run.q,
            run.answers,
            self.services.settings,
            now,
            finishing=True,
        )
        tidy = list(run.cursor.msgs) if self.me.tidy_mode else []
        run.cursor.msgs = []
        run.save_cursor(now, new_token=False)
        return Finished(
            run_id=run.row.id,
            case_id=run.case.id,
            alias=run.case.alias,
            title=run.q.title,
            outro=run.engine.render(run.q.outro, run.values),
            deadlines=created,
            propose_close=proposes_close_of(run),
            tidy=tidy,
        )


def proposes_close_of(run: Run) -> bool:
    return outputs.proposes_close(run.q, run.answers)
