"""What an evaluation looks at: the goals and tiltak of the latest finished
kartlegging, by number, with each tiltak's date and status (issue 13: «show the goals
and tiltak being evaluated»). Only structure: what a goal or tiltak says is free text
about the person and stays in the run (the web form shows it, where it is on)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import runs
from bot.conversations import outputs
from bot.conversations.model import Questionnaire
from bot.conversations.outcomes import Evaluated, EvaluatedTiltak
from bot.deadlines import ACTIVE
from storage.models import Answer, Case, Deadline

KARTLEGGING = "kartlegging"
EVALUERING = "evaluering"


async def under_evaluation(
    session: AsyncSession, case: Case, kartlegging: Questionnaire
) -> Evaluated | None:
    """The goals and tiltak of the case's latest finished kartlegging and the life
    areas it put off, or None when there is none (or it has neither)."""
    finished = [
        r
        for r in await runs.runs_of(session, case.id)
        if r.kind == KARTLEGGING and r.status == runs.FINISHED
    ]
    if not finished:
        return None
    run = max(finished, key=lambda r: (r.finished_at or r.started_at, r.id))
    answers = await runs.current_answers(session, run.id)
    goals = outputs.goals(kartlegging, answers)
    later = put_off(kartlegging, answers)
    if not goals and not later:
        return None
    goal_step, tiltak_step = kartlegging.with_role("goal"), kartlegging.with_role("tiltak")
    prefix = f"run:{run.id}:"
    dated = (
        await session.scalars(
            select(Deadline)
            .where(Deadline.case_id == case.id, Deadline.source_ref.startswith(prefix))
            .order_by(Deadline.id)
        )
    ).all()

    def status_of(goal: int, number: int) -> str | None:
        if goal_step is None or tiltak_step is None:
            return None
        place = f"{prefix}{goal_step.id}#{goal}/{tiltak_step.id}#{number}/"
        mine = [d for d in dated if (d.source_ref or "").startswith(place)]
        live = [d for d in mine if d.status in ACTIVE]
        chosen = (live or mine)[-1:] if mine else []
        return str(chosen[0].status) if chosen else None

    return Evaluated(
        run_id=run.id,
        goals=tuple(
            (
                g.number,
                tuple(
                    EvaluatedTiltak(g.number, t.number, t.due, status_of(g.number, t.number))
                    for t in g.tiltak
                ),
            )
            for g in goals
        ),
        later=later,
    )


def put_off(kartlegging: Questionnaire, answers: dict[str, Answer]) -> tuple[str, ...]:
    """The steps (life areas) answered with their option of role `later` («Senere»)."""
    found = []
    for step in kartlegging.steps:
        later = next((o for o in step.options if o.role == "later"), None)
        answer = answers.get(step.id)
        if later and answer is not None and not answer.skipped and answer.value == later.value:
            found.append(step.id)
    return tuple(found)
