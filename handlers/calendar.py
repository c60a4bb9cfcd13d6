"""/kalender [alias]: deadlines as an iCalendar file for the koordinator's calendar."""

from __future__ import annotations

from telegram import InputFile

from bot import cases, deadlines
from handlers.common import Req, file_slug, with_retry
from handlers.edge import Access, guarded
from storage.enums import CaseStatus


@guarded(Access.REGISTERED)
async def calendar_command(req: Req) -> None:
    """Send one case's or all my cases' deadlines as a .ics file (content-free)."""
    alias = " ".join(req.context.args or [])
    if alias:
        case = await cases.find_by_alias(req.session, req.me, alias)
        if case is None:
            await req.reply("errors/alias_unknown", alias=alias[:40])
            return
        chosen = [case]
    else:
        chosen = await cases.my_cases(req.session, req.me, (CaseStatus.ACTIVE,))
    await req.working()
    calendar = await deadlines.export_calendar(
        req.session,
        req.me,
        chosen,
        name=str(req.render("calendar/name", alias=alias)),
        summary=lambda alias, d: str(req.render("calendar/summary", alias=alias, d=d)),
        settings=req.services.settings,
        now=req.services.now(),
    )
    filename = f"frister-{file_slug(alias) if alias else 'alle'}.ics"
    await with_retry(
        lambda: req.context.bot.send_document(
            req.chat_id,
            InputFile(calendar.data, filename=filename),
            caption=str(req.render("calendar/caption", count=calendar.count, alias=alias)),
            parse_mode="HTML",
        )
    )
