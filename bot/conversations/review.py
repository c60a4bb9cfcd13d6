"""Reading a run back and correcting it: the summary, one answer re-asked (the earlier
value stays in the history), and the list of a case's runs."""

from __future__ import annotations

import dataclasses
from collections import Counter

from bot import dialogs, runs
from bot.conversations import outputs
from bot.conversations.base import CONVERSATION, Run, RunAccess
from bot.conversations.engine import Pos
from bot.conversations.kinds import kind_of
from bot.conversations.outcomes import Gone, Question, Reply, RunItem, Summary, SummaryLine
from storage.models import Case

MAX_LINES = 80


class Review(RunAccess):
    """Summary, correction and listing of my runs."""

    async def summary(self, run_id: int | None) -> Summary | Gone:
        run = await self.load(run_id)
        return Gone("not_found") if run is None else await self.summary_of(run)

    async def summary_of(self, run: Run) -> Summary:
        """Each answered step, in the order first answered, with its shown value."""
        lines = []
        history = await runs.paths_with_history(self.session, run.row.id)
        for path in await runs.answer_order(self.session, run.row.id):
            answer = run.answers.get(path)
            if answer is None or path.endswith("?"):
                continue
            step = run.q.find(answer.step_id)
            if step.kind == "info":
                continue
            pos = Pos.parse(path)
            lines.append(
                SummaryLine(
                    path=path,
                    items=[f"{(run.q.find(g).item or g).capitalize()} {n}" for g, n in pos.frames],
                    question=run.engine.render(step.text, run.values, pos.frames),
                    kind=step.kind,
                    step=step,
                    value=answer.value,
                    skipped=answer.skipped,
                    note=answer.note,
                    changed=path in history,
                )
            )
        return Summary(
            run_id=run.row.id,
            kind=run.row.kind,
            case_id=run.case.id,
            alias=run.case.alias,
            title=run.q.title,
            status=run.row.status,
            started=self._local_date(run.row.started_at),
            finished=self._local_date(run.row.finished_at),
            lines=lines[:MAX_LINES],
        )

    async def correct(self, run_id: int | None, number: int | None, *, note: bool = False) -> Reply:
        """Re-ask answer `number` of the summary; the new answer replaces it. With
        `note`, ask only its note again (a checklist step)."""
        run = await self.load(run_id)
        if run is None:
            return Reply(Gone("not_found"))
        summary = await self.summary_of(run)
        if number is None or not 1 <= number <= len(summary.lines):
            return Reply(Gone("stale"))
        line = summary.lines[number - 1]
        if note and not (kind_of(line.step).noted and line.step.note and not line.skipped):
            return Reply(Gone("stale"))
        if run.row.status == runs.ABANDONED:
            return Reply(Gone("not_open"))
        form = await dialogs.current(self.session, self.me.telegram_user_id)
        if form is not None and form.flow != CONVERSATION:
            return Reply(Gone("form_open", {"flow": form.flow}))
        now = self.services.now()
        open_run = await self.open_run()
        if open_run is not None and open_run.row.id != run.row.id:
            await self._pause_open(open_run)
        cursor = run.cursor
        cursor.clear_partial()
        if not cursor.edit:
            cursor.return_pos = cursor.pos
        cursor.pos, cursor.edit = line.path, True
        cursor.note_for = line.path if note else None
        run.save_cursor(now)
        if run.row.status == runs.PAUSED:
            await runs.set_status(self.session, run.row, runs.ACTIVE, now)
        await self._open(run)
        question: Question = self._question(run)
        return Reply(question)

    async def _pause_open(self, run: Run) -> None:
        if run.row.status == runs.ACTIVE:
            await runs.set_status(self.session, run.row, runs.PAUSED, self.services.now())

    async def record_of(self, case: Case) -> list[tuple[Summary, list[outputs.Goal]]]:
        """Every run on the case, oldest first, with the goals a finished kartlegging
        set (for the PDF export)."""
        result = []
        for row in await runs.runs_of(self.session, case.id):
            run = await self._load(row, case)
            finished = row.status == runs.FINISHED
            result.append(
                (await self.summary_of(run), outputs.goals(run.q, run.answers) if finished else [])
            )
        return result

    async def correct_role(self, run_id: int | None, role: str) -> Reply:
        """Re-ask the answer that plays `role` in a run (a moved meeting's time)."""
        run = await self.load(run_id)
        step = run.q.with_role(role) if run else None
        if run is None or step is None:
            return Reply(Gone("not_found"))
        summary = await self.summary_of(run)
        number = next((i for i, line in enumerate(summary.lines, 1) if line.path == step.id), None)
        return await self.correct(run_id, number)

    async def list_runs(self, case: Case) -> list[RunItem]:
        """The runs on the case worth reading, newest first: a run abandoned before its
        first answer (started again at once) holds nothing and is left out. Runs that
        would read alike (kind, day, status) are numbered, oldest first."""
        rows = list(reversed(await runs.runs_of(self.session, case.id)))
        answered = await runs.runs_with_answers(self.session, [r.id for r in rows])
        rows = [r for r in rows if r.status != runs.ABANDONED or r.id in answered]
        items = [
            RunItem(
                run_id=r.id,
                title=self.definition(r.kind).title,
                started=self._local_date(r.started_at),
                status=r.status,
            )
            for r in rows
        ]
        total = Counter((i.title, i.started, i.status) for i in items)
        left = dict(total)  # newest first: the newest of n alike is number n
        numbered = []
        for item in items:
            key = (item.title, item.started, item.status)
            number = left[key] if total[key] > 1 else 0
            left[key] -= 1
            numbered.append(dataclasses.replace(item, number=number))
        return numbered
