"""The PDF case summary: gathered from the database, rendered from a template."""

from __future__ import annotations

from io import BytesIO

from telegram import InputFile

from bot import audit, cases, runs
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
from handlers import conversation
from handlers.common import Req, file_slug, with_retry
from storage.models import Case


async def case_summary(req: Req, case: Case) -> CaseSummary:
    """Everything on the case as plain values for the PDF."""
    texts = req.texts
    age = cases.age_of(case, req.services.today())
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
    for found, set_goals in await conversation.service(req).record_of(case):
        summary_runs.append(
            SummaryRun(
                title=found.title,
                started_on=found.started or req.services.today(),
                finished_on=found.finished,
                status=texts.label(found.status, "run_status"),
                answers=tuple(
                    SummaryAnswer(
                        question=line.question,
                        answer=conversation.show_value(req, line.step, line.value, line.skipped),
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
        for d in await runs.deadlines_of(req.session, case.id, ("open", "done"))
    )
    meetings = tuple(
        SummaryMeeting(
            kind=texts.label(m.kind, "meeting_kind"),
            starts_at=m.starts_at,
            place=m.place or "",
            status=texts.label(m.status, "meeting_status"),
        )
        for m in await runs.meetings_of(req.session, case.id)
    )
    return CaseSummary(
        alias=case.alias,
        facts=facts,
        runs=tuple(summary_runs),
        goals=tuple(goals),
        deadlines=deadlines,
        meetings=meetings,
        koordinator=req.me.name or "",
        generated_at=req.services.local_now(),
    )


async def send_case_pdf(req: Req, case: Case) -> None:
    summary = await case_summary(req, case)
    pdf = render_case_pdf(summary, req.texts.env)
    name = f"sammendrag-{file_slug(case.alias)}-{req.services.today().isoformat()}.pdf"
    await audit.record(
        req.session,
        at=req.services.now(),
        action="case.exported",
        actor=req.me,
        case_id=case.id,
    )
    caption = req.render("export/caption", alias=case.alias)
    await req.commit()
    await with_retry(
        lambda: req.context.bot.send_document(
            req.chat_id, InputFile(BytesIO(pdf), filename=name), caption=caption, parse_mode="HTML"
        )
    )
