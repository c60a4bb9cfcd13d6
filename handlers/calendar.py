"""/kalender [alias]: deadlines as an iCalendar file for the koordinator's calendar."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from telegram import InputFile

from bot import audit, cases, deadlines
from bot.export_ics import CalendarEntry, build_calendar
from handlers.common import Req, file_slug, with_retry
from handlers.edge import Access, guarded
from storage.enums import CaseStatus
from storage.models import Case, Deadline, Meeting

RECENTLY_CLOSED = timedelta(days=120)


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
    entries = await _entries(req, chosen)
    now = req.services.local_now()
    data = build_calendar(
        entries,
        name=req.render("calendar/name", alias=alias),
        generated_at=now,
        tz=req.services.settings.timezone,
    )
    for case in chosen:
        await audit.record(
            req.session,
            at=req.services.now(),
            action="case.calendar",
            actor=req.me,
            case_id=case.id,
        )
    filename = f"frister-{file_slug(alias) if alias else 'alle'}.ics"
    await with_retry(
        lambda: req.context.bot.send_document(
            req.chat_id,
            InputFile(data, filename=filename),
            caption=str(req.render("calendar/caption", count=len(entries), alias=alias)),
            parse_mode="HTML",
        )
    )


async def _entries(req: Req, chosen: list[Case]) -> list[CalendarEntry]:
    by_id = {c.id: c for c in chosen}
    if not by_id:
        return []
    since = req.services.today() - RECENTLY_CLOSED
    rows = (
        await req.session.scalars(
            select(Deadline)
            .where(Deadline.case_id.in_(list(by_id)), Deadline.due >= since)
            .order_by(Deadline.due, Deadline.id)
        )
    ).all()
    meetings = {
        m.id: m
        for m in (
            await req.session.scalars(select(Meeting).where(Meeting.case_id.in_(list(by_id))))
        ).all()
    }
    # Every export outranks earlier ones, so a re-import updates instead of duplicating.
    sequence = int(req.services.now().timestamp() // 60)
    cadence = req.services.settings.cadence
    entries = []
    for d in rows:
        summary = str(
            req.render(
                "calendar/summary",
                alias=by_id[d.case_id].alias,
                kind=d.kind,
                proposed=d.status == "proposed",
            )
        )
        starts_at = None
        ref = d.source_ref or ""
        if d.kind == "mote" and ref.startswith("meeting:"):
            meeting = meetings.get(int(ref.split(":")[1]))
            if meeting is not None:
                starts_at = meeting.starts_at.astimezone(req.services.zone)
        leads = deadlines.lead_days_of(d, cadence)
        entries.append(
            CalendarEntry(
                uid=f"deadline-{d.id}@koordinatorbot",
                summary=summary,
                day=starts_at.date() if starts_at else d.due,
                starts_at=starts_at,
                alarm_days_before=(min(leads) if leads else 1,),
                sequence=sequence,
                status="CONFIRMED" if d.status in deadlines.ACTIVE else "CANCELLED",
            )
        )
    return entries
