"""What answers leave behind on the case: deadlines from dated answers, the meeting of
a møte run, the cadence deadline a finished run completes. Steps are found by their
role, never by id, so a municipality's own wording keeps working."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import deadlines, runs
from bot.conversations.display import is_mark, written
from bot.conversations.model import Questionnaire, Step
from bot.deadlines.naming import path_numbers
from bot.settings import Settings
from storage.models import Answer, Case, ConversationRun

# The cadence deadline a finished run of this kind completes.
COMPLETES = {"oppstart": "oppstartsamtale", "evaluering": "evaluering"}


@dataclass(frozen=True)
class Tiltak:
    number: int
    what: str
    responsible: str
    how: str | None
    due: date | None


@dataclass(frozen=True)
class Goal:
    number: int
    text: str
    tiltak: list[Tiltak]


def values_of(answers: dict[str, Answer]) -> dict[str, Any]:
    """Answer values by path, skipped ones left out."""
    return {p: a.value for p, a in answers.items() if not a.skipped}


def value_of_role(q: Questionnaire, answers: dict[str, Answer], role: str) -> Any:
    """The answer given at the top-level step that plays `role`."""
    step = q.with_role(role)
    answer = answers.get(step.id) if step else None
    return None if answer is None or answer.skipped else answer.value


def text_of_role(q: Questionnaire, answers: dict[str, Answer], role: str) -> str | None:
    """The answer at the step that plays `role`, as text (a mark's label)."""
    value = value_of_role(q, answers, role)
    return None if value is None else written(value)


def proposes_close(q: Questionnaire, answers: dict[str, Answer]) -> bool:
    """True when the koordinator chose the option that proposes closing the case."""
    found = q.option_with_role("close_case")
    if found is None:
        return False
    step, option = found
    answer = answers.get(step.id)
    return answer is not None and not answer.skipped and answer.value == option.value


def item_title(q: Questionnaire, answers: dict[str, Answer], path: str) -> str | None:
    """The first text answer in the same group item (what a tiltak is)."""
    if "/" not in path:
        return None
    prefix = path.rsplit("/", 1)[0] + "/"
    for other, answer in answers.items():
        rest = other[len(prefix) :] if other.startswith(prefix) else ""
        if not rest or "/" in rest or answer.skipped:
            continue
        if q.find(answer.step_id).kind == "text" and not is_mark(answer.value):
            return str(answer.value)[:200]
    return None


async def sync_dated_answer(
    session: AsyncSession,
    case: Case,
    run: ConversationRun,
    q: Questionnaire,
    answers: dict[str, Answer],
    path: str,
    step: Step,
    value: Any,
    settings: Settings,
    now: datetime,
) -> None:
    """Create, move or drop the deadline that one dated answer stands for."""
    await deadlines.upsert(
        session,
        case,
        settings,
        now,
        kind=step.deadline or "tiltak",
        due=date.fromisoformat(value) if value else None,
        source="samtale",
        source_ref=f"run:{run.id}:{path}",
        title=item_title(q, answers, path),
    )


async def apply(
    session: AsyncSession,
    case: Case,
    run: ConversationRun,
    q: Questionnaire,
    answers: dict[str, Answer],
    settings: Settings,
    now: datetime,
    *,
    finishing: bool,
) -> list[tuple[str, date, tuple[int, ...]]]:
    """Deadlines from dated answers and the run's meeting; on finishing also the cadence
    deadline the run completes. Safe to repeat. Returns what is now due, soonest first:
    (kind, day, item numbers), the numbers telling tiltak apart («Tiltak 2 · Mål 1»)."""
    due: list[tuple[str, date, tuple[int, ...]]] = []
    for path, answer in answers.items():
        if path.endswith("?"):
            continue
        step = q.find(answer.step_id)
        if not step.deadline:
            continue
        await sync_dated_answer(
            session, case, run, q, answers, path, step, answer.value, settings, now
        )
        if answer.value and not answer.skipped:
            due.append((step.deadline, date.fromisoformat(answer.value), path_numbers(path)))
    completes = COMPLETES.get(run.kind)
    if finishing and completes:
        await deadlines.complete_kind(
            session, case, completes, now, keep_ref_prefix=f"run:{run.id}:"
        )
    moment = value_of_role(q, answers, "meeting_time")
    if moment:
        starts = datetime.fromisoformat(moment)
        await runs.plan_meeting(
            session,
            case,
            run,
            kind=value_of_role(q, answers, "meeting_kind") or "ansvarsgruppemote",
            starts_at=starts,
            place=text_of_role(q, answers, "meeting_place"),
            minutes_by=text_of_role(q, answers, "minutes_by"),
            settings=settings,
            now=now,
        )
        due.append(("mote", starts.astimezone(settings.zone).date(), ()))
    return sorted(due, key=lambda d: d[1])


def goals(q: Questionnaire, answers: dict[str, Answer]) -> list[Goal]:
    """The goals and their tiltak of a kartlegging, read by role (for the PDF)."""
    goal, goal_text = q.with_role("goal"), q.with_role("goal_text")
    tiltak, what = q.with_role("tiltak"), q.with_role("tiltak_what")
    if goal is None or goal_text is None or tiltak is None or what is None:
        return []
    values = values_of(answers)

    def role_value(prefix: str, role: str) -> Any:
        step = q.with_role(role)
        return values.get(prefix + step.id) if step else None

    result = []
    for number in range(1, (goal.max_items or 10) + 1):
        text = values.get(f"{goal.id}#{number}/{goal_text.id}")
        if text is None:
            continue
        items = []
        for t in range(1, (tiltak.max_items or 10) + 1):
            prefix = f"{goal.id}#{number}/{tiltak.id}#{t}/"
            described = values.get(prefix + what.id)
            if described is None:
                continue
            due = role_value(prefix, "tiltak_date")
            items.append(
                Tiltak(
                    number=t,
                    what=written(described),
                    responsible=written(role_value(prefix, "tiltak_responsible") or ""),
                    how=written(how) if (how := role_value(prefix, "tiltak_how")) else None,
                    due=date.fromisoformat(due) if due else None,
                )
            )
        result.append(Goal(number=number, text=written(text), tiltak=items))
    return result
