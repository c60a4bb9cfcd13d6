"""Everything on a case as plain values for the PDF summary: gathered once, for the
chat's /eksport and the web form's download alike."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit, cases, runs
from bot.conversations.display import shown
from bot.conversations.service import Conversations
from bot.export_pdf import (
    CaseSummary,
    SummaryAnswer,
    SummaryDeadline,
    SummaryGoal,
    SummaryMeeting,
    SummaryRun,
    SummaryTiltak,
    render_case_pdf,
)
from bot.services import Services
from storage.models import Case, Koordinator


async def case_summary(
    session: AsyncSession, me: Koordinator, services: Services, case: Case
) -> CaseSummary:
    """Everything on the case as plain values for the PDF."""
    texts = services.texts
    age = cases.age_of(case, services.today())
    facts = (
        (texts.label("role", "case_field"), texts.label(case.role, "role")),
        (texts.label("level", "case_field"), texts.label(case.level, "level")),
        (
            texts.label("birth", "case_field"),
            texts.month_year(case.birth_year, case.birth_month)
            + (f" ({age} år)" if age is not None else ""),
        ),
        (texts.label("gender", "case_field"), texts.label(case.gender, "gender")),
        (texts.label("arena", "case_field"), texts.label(case.arena, "arena")),
        (texts.label("tjenestested", "case_field"), texts.label(case.tjenestested, "tjenestested")),
        (texts.label("appointed_on", "case_field"), texts.long_date(case.appointed_on)),
        (texts.label("status", "case_field"), texts.label(case.status, "status")),
    )
    summary_runs = []
    goals: list[SummaryGoal] = []
    for found, set_goals in await Conversations(session, me, services).record_of(case):
        summary_runs.append(
            SummaryRun(
                title=found.title,
                started_on=found.started or services.today(),
                finished_on=found.finished,
                status=texts.label(found.status, "run_status"),
                answers=tuple(
                    SummaryAnswer(
                        question=line.question,
                        answer=shown(texts, services.zone, line.step, line.value, line.skipped),
                        note=line.note,
                        depth=len(line.items),
                    )
                    for line in found.lines
                ),
            )
        )
        goals.extend(
            SummaryGoal(
                text=goal.text,
                tiltak=tuple(
                    SummaryTiltak(what=t.what, responsible=t.responsible, how=t.how, due=t.due)
                    for t in goal.tiltak
                ),
            )
            for goal in set_goals
        )
    deadlines = tuple(
        SummaryDeadline(
            kind=texts.label(d.kind, "deadline_kind"),
            due=d.due,
            status=texts.label(d.status, "deadline_status"),
        )
        for d in await runs.deadlines_of(session, case.id, ("open", "done"))
    )
    meetings = tuple(
        SummaryMeeting(
            kind=texts.label(m.kind, "meeting_kind"),
            starts_at=m.starts_at,
            place=m.place or "",
            status=texts.label(m.status, "meeting_status"),
        )
        for m in await runs.meetings_of(session, case.id)
    )
    return CaseSummary(
        alias=case.alias,
        facts=facts,
        runs=tuple(summary_runs),
        goals=tuple(goals),
        deadlines=deadlines,
        meetings=meetings,
        koordinator=me.name or "",
        generated_at=services.local_now(),
    )


async def case_pdf(
    session: AsyncSession, me: Koordinator, services: Services, case: Case
) -> tuple[str, bytes]:
    """The case summary PDF (file name, content); the export is audited."""
    pdf = render_case_pdf(await case_summary(session, me, services, case), services.texts.env)
    await audit.record(
        session, at=services.now(), action="case.exported", actor=me, case_id=case.id
    )
    name = f"sammendrag-{file_slug(case.alias)}-{services.today().isoformat()}.pdf"
    return name, pdf


def file_slug(alias: str) -> str:
    """A case alias as a safe part of a file name."""
    return "".join(ch if ch.isalnum() else "-" for ch in alias).strip("-") or "sak"
