"""The PDF case summary: gathered from the database, rendered from a template."""

from __future__ import annotations

from datetime import date
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
    zone = req.services.zone
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
    for run in await runs.runs_of(req.session, case.id):
        ctx = await conversation.load(req, run, case)
        lines = await conversation.summary_lines(req, ctx)
        summary_runs.append(
            SummaryRun(
                title=ctx.q.title,
                started_on=run.started_at.astimezone(zone).date(),
                finished_on=run.finished_at.astimezone(zone).date() if run.finished_at else None,
                status=texts.label(run.status, "run_status"),
                answers=tuple(
                    SummaryAnswer(
                        question=line["question"],
                        answer=line["answer"],
                        note=line["note"],
                        depth=len(line["items"]),
                    )
                    for line in lines
                ),
            )
        )
        if run.kind == "kartlegging" and run.status == runs.FINISHED:
            goals.extend(_goals(ctx))
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


def _goals(ctx: conversation.Ctx) -> list[SummaryGoal]:
    """Goals and their tiltak from a finished kartlegging."""
    values = ctx.values
    goals = []
    for number in range(1, 51):
        text = values.get(f"maal#{number}/maal_tekst")
        if text is None:
            if f"maal#{number}?" not in ctx.answers:
                break
            continue
        tiltak = []
        for t in range(1, 51):
            prefix = f"maal#{number}/tiltak#{t}/"
            what = values.get(prefix + "tiltak_hva")
            if what is None and f"maal#{number}/tiltak#{t}?" not in ctx.answers:
                break
            if what is None:
                continue
            due = values.get(prefix + "tiltak_frist")
            tiltak.append(
                SummaryTiltak(
                    what=what,
                    responsible=values.get(prefix + "tiltak_ansvarlig") or "",
                    how=values.get(prefix + "tiltak_hvordan"),
                    due=date.fromisoformat(due) if due else None,
                )
            )
        goals.append(SummaryGoal(text=text, tiltak=tuple(tiltak)))
    return goals


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
    await with_retry(
        lambda: req.context.bot.send_document(
            req.chat_id, InputFile(BytesIO(pdf), filename=name), caption=caption, parse_mode="HTML"
        )
    )
