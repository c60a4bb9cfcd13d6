"""/statistikk for admins: the municipality at a glance, as text, chart and CSV."""

from __future__ import annotations

import asyncio
import functools
from io import BytesIO
from typing import Any

from sqlalchemy import select
from telegram import InputFile

from bot import audit
from handlers.common import Access, Req, guarded, with_retry
from storage.models import Case, Deadline, Koordinator


async def _facts(req: Req) -> tuple[list[Any], list[Any], list[Any]]:
    # Imported here: matplotlib behind it costs half a second and memory at every start.
    from bot.statistics import CaseFact, DeadlineFact, KoordinatorFact

    zone = req.services.zone
    case_rows = (
        await req.session.execute(
            select(
                Case.id,
                Case.status,
                Case.level,
                Case.role,
                Case.birth_year,
                Case.birth_month,
                Case.gender,
                Case.arena,
                Case.tjenestested,
                Case.koordinator_id,
                Case.created_at,
                Case.closed_at,
            )
        )
    ).all()
    cases = [
        CaseFact(
            case_id=r.id,
            status=r.status,
            level=r.level,
            role=r.role,
            birth_year=r.birth_year,
            birth_month=r.birth_month,
            gender=r.gender,
            arena=r.arena,
            tjenestested=r.tjenestested,
            koordinator_id=r.koordinator_id,
            created_on=r.created_at.astimezone(zone).date(),
            closed_on=r.closed_at.astimezone(zone).date() if r.closed_at else None,
        )
        for r in case_rows
    ]
    deadline_rows = (
        await req.session.execute(
            select(
                Deadline.case_id, Deadline.kind, Deadline.due, Deadline.status, Deadline.source
            ).where(Deadline.status.in_(("open", "proposed")))
        )
    ).all()
    deadlines = [
        DeadlineFact(case_id=r.case_id, kind=r.kind, due=r.due, status=r.status, source=r.source)
        for r in deadline_rows
    ]
    people = (
        await req.session.execute(
            select(Koordinator.id, Koordinator.tjenestested, Koordinator.active)
        )
    ).all()
    koordinatorer = [
        KoordinatorFact(koordinator_id=r.id, tjenestested=r.tjenestested, active=r.active)
        for r in people
    ]
    return cases, deadlines, koordinatorer


@guarded(Access.ADMIN)
async def statistics_command(req: Req) -> None:
    """/statistikk [csv]."""
    from bot.statistics import cases_csv, compute, figures_csv, render_chart, render_text

    cases, deadlines, koordinatorer = await _facts(req)
    today = req.services.today()
    stats = compute(cases, deadlines, koordinatorer, today=today)
    threshold = req.services.settings.small_count
    texts = req.texts
    await audit.record(
        req.session,
        at=req.services.now(),
        action="statistics.viewed",
        actor=req.me,
    )
    bot = req.context.bot
    if req.context.args and req.context.args[0].lower() == "csv":
        figures = figures_csv(stats, texts, threshold).encode("utf-8")
        listing = cases_csv(cases, texts, today=today).encode("utf-8")
        for name, content in (
            (f"statistikk-{today.isoformat()}.csv", figures),
            (f"saker-{today.isoformat()}.csv", listing),
        ):
            document = InputFile(BytesIO(content), filename=name)
            await with_retry(functools.partial(bot.send_document, req.chat_id, document))
        await req.reply("statistics/csv_sent")
        return
    await req.send_text(render_text(stats, texts, threshold))
    # Drawing takes about half a second; keep the event loop free meanwhile.
    png = await asyncio.to_thread(render_chart, stats, texts, threshold)
    await with_retry(
        lambda: bot.send_photo(req.chat_id, InputFile(BytesIO(png), filename="statistikk.png"))
    )
