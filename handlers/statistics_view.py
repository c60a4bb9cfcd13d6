"""/statistikk for admins: the municipality at a glance, as text, chart and CSV."""

from __future__ import annotations

import asyncio
import functools
from io import BytesIO

from telegram import InputFile

from bot import statistics
from handlers.common import Req, with_retry
from handlers.edge import Access, guarded


@guarded(Access.ADMIN)
async def statistics_command(req: Req) -> None:
    """/statistikk [csv]."""
    services = req.services
    today = services.today()
    found = await statistics.report(
        req.session, req.me, now=services.now(), today=today, zone=services.zone
    )
    threshold = services.settings.small_count
    bot = req.context.bot
    if req.context.args and req.context.args[0].lower() == "csv":
        figures = statistics.figures_csv(found.stats, req.texts, threshold).encode("utf-8")
        listing = statistics.cases_csv(found.facts.cases, req.texts, today=today).encode("utf-8")
        for name, content in (
            (f"statistikk-{today.isoformat()}.csv", figures),
            (f"saker-{today.isoformat()}.csv", listing),
        ):
            document = InputFile(BytesIO(content), filename=name)
            await with_retry(functools.partial(bot.send_document, req.chat_id, document))
        await req.reply("statistics/csv_sent")
        return
    await req.send_text(statistics.render_text(found.stats, req.texts, threshold))
    # Imported on first use, not at start-up: matplotlib costs half a second and memory.
    from bot.statistics.chart import render_chart

    # Drawing takes about half a second; keep the event loop free meanwhile.
    png = await asyncio.to_thread(render_chart, found.stats, req.texts, threshold)
    await with_retry(
        lambda: bot.send_photo(req.chat_id, InputFile(BytesIO(png), filename="statistikk.png"))
    )
