"""What is due: /neste, /frister, transition proposals, reminder buttons (Utført,
Utsett), the weekly digest switch and inline lookups."""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram import InlineQueryResultArticle, InputTextMessageContent
from telegram.constants import ParseMode

from bot import cases, deadlines, dialogs
from bot.reminders import outbox
from handlers import callbacks, forms
from handlers.callbacks import Callback
from handlers.common import Req, with_retry
from handlers.edge import Access, guarded
from storage.enums import CaseStatus, DeadlineStatus
from storage.models import Case, Deadline, DialogState


@guarded(Access.REGISTERED)
async def next_command(req: Req) -> None:
    """/neste [alias]: the next deadline of one case, or of each case."""
    alias = " ".join(req.context.args or [])
    case_id: int | None = None
    statuses: tuple[str, ...] = (CaseStatus.ACTIVE,)
    if alias:
        case = await cases.find_by_alias(req.session, req.me, alias)
        if case is None:
            await req.reply("errors/alias_unknown", alias=alias[:40])
            return
        # A named case is shown whatever its status.
        case_id, statuses = case.id, (case.status,)
    mine = await deadlines.cases_with_next(req.session, req.me.id, statuses, case_id)
    rows = sorted(((c, d) for c, d in mine if d is not None), key=lambda x: x[1].due)
    keyboard = [[(c.alias, callbacks.make("c", c.id))] for c, _ in rows[:20]]
    await req.reply(
        "deadlines/next",
        keyboard,
        rows=rows,
        today=req.services.today(),
        single=bool(alias),
        cases_count=len(mine),
    )


@guarded(Access.REGISTERED)
async def frister_command(req: Req) -> None:
    """/frister: everything due in the next 30 days, overdue first, by week."""
    today = req.services.today()
    agenda = await deadlines.agenda(req.session, req.me.id, today)
    await req.reply(
        "deadlines/frister",
        overdue=agenda.overdue,
        weeks=agenda.weeks,
        today=today,
        days=agenda.days,
    )


@guarded(Access.REGISTERED)
async def digest_command(req: Req) -> None:
    """/ukeoversikt: switch the Monday digest on or off."""
    await req.reply(
        "deadlines/digest_switched",
        on=outbox.switch_digest(req.me),
        hour=req.services.settings.reminder_hour,
    )


async def _deadline_for(req: Req, deadline_id: int | None) -> tuple[Deadline, Case] | None:
    return await cases.deadline_for(req.session, req.me, deadline_id or 0, req.services.now())


async def on_button(req: Req, cb: Callback) -> None:
    """u (done), sn (snooze), tc/tm/tx (confirm, move, dismiss a proposal), ts (school
    shift), pd (the transitions screen) and pp (another page of it)."""
    settings, now = req.services.settings, req.services.now()
    if cb.verb == "nf":
        case = await cases.case_for(req.session, req.me, cb.int_arg(0) or 0, now)
        if case is None or case.status == CaseStatus.CLOSED:
            await req.answer("errors/case_not_found")
            return
        await req.answer()
        await forms.begin(req, "new_deadline", {"case_id": case.id})
        return
    if cb.verb in ("ts", "pd", "pp"):
        case = await cases.case_for(req.session, req.me, cb.int_arg(0) or 0, now)
        if case is None:
            await req.answer("errors/case_not_found")
            return
        await req.answer()
        if cb.verb == "ts":
            later = (cb.args[1] if len(cb.args) > 1 else "") == "later"
            await deadlines.shift_school(req.session, case, later, settings, now)
        # The case card opens the screen; every press on it edits that one message.
        await show_proposals(req, case, cb.int_arg(1) or 1, edit=cb.verb != "pd")
        return
    found = await _deadline_for(req, cb.int_arg(0))
    if found is None:
        await req.answer("errors/case_not_found")
        return
    deadline, case = found
    if deadline.status not in deadlines.ACTIVE:
        await req.answer("deadlines/already_handled")
        if cb.verb in ("tc", "tm", "tx"):
            await show_proposals(req, case, edit=True)  # the screen as it is now
        else:
            await req.drop_keyboard()
        return
    await req.answer()
    label = req.texts.label(deadline.kind, "deadline_kind")
    if cb.verb == "u":
        await deadlines.set_status(req.session, deadline, DeadlineStatus.DONE, now)
        await req.drop_keyboard(req.render("deadlines/marked_done", kind=label))
    elif cb.verb == "sn":
        how = cb.args[1] if len(cb.args) > 1 else ""
        if how == "pick":
            await req.drop_keyboard()
            await forms.begin(req, "snooze", {"deadline_id": deadline.id})
            return
        until = await deadlines.snooze_for(req.session, deadline, case, how, settings, now)
        await req.drop_keyboard(req.render("deadlines/snoozed", until=until))
    elif cb.verb in ("tc", "tx"):
        page = await _page_of(req, case, deadline)
        if cb.verb == "tc":
            deadlines.confirm(deadline)
            note = req.render("deadlines/confirmed", kind=label)
        else:
            await deadlines.set_status(req.session, deadline, DeadlineStatus.DISMISSED, now)
            note = req.render("deadlines/dismissed", kind=label)
        await show_proposals(req, case, page, edit=True, note=note)
    elif cb.verb == "tm":
        # The screen stays as it is; the new date is asked below it.
        await forms.begin(req, "move_deadline", {"deadline_id": deadline.id})


# Transitions per page of the screen: with three buttons a row, a page fits a phone.
PROPOSALS_PER_PAGE = 6


async def _page_of(req: Req, case: Case, deadline: Deadline) -> int:
    items = await deadlines.transitions_of(req.session, case.id)
    ids = [d.id for d in items]
    index = ids.index(deadline.id) if deadline.id in ids else 0
    return index // PROPOSALS_PER_PAGE + 1


async def show_proposals(
    req: Req, case: Case, page: int = 1, *, edit: bool = False, note: str | None = None
) -> None:
    """The transitions screen of a case: one message, a page at a time, numbered, each
    proposal with confirm / move / dismiss buttons that carry its number (two
    proposals due the same month never get buttons alike). `edit` replaces the
    message whose button was pressed; `note` says what the press did."""
    items = await deadlines.transitions_of(req.session, case.id)
    pages = max(1, -(-len(items) // PROPOSALS_PER_PAGE))
    page = min(max(page, 1), pages)
    first = (page - 1) * PROPOSALS_PER_PAGE
    shown = list(enumerate(items, start=1))[first : first + PROPOSALS_PER_PAGE]
    b = req.texts.button
    keyboard: list[list[tuple[str, str]]] = [
        [
            (f"✓ {n}", callbacks.make("tc", d.id)),
            (f"{b('move_short')} {n}", callbacks.make("tm", d.id)),
            (f"{b('dismiss_short')} {n}", callbacks.make("tx", d.id)),
        ]
        for n, d in shown
        if d.status == DeadlineStatus.PROPOSED
    ]
    turn = []
    if page > 1:
        turn.append((b("page_previous"), callbacks.make("pp", case.id, page - 1)))
    if page < pages:
        turn.append((b("page_next"), callbacks.make("pp", case.id, page + 1)))
    if turn:
        keyboard.append(turn)
    keyboard.append(
        [
            (b("school_later"), callbacks.make("ts", case.id, "later")),
            (b("school_earlier"), callbacks.make("ts", case.id, "earlier")),
        ]
    )
    keyboard.append([(b("open_case"), callbacks.make("c", case.id))])
    show = req.edit if edit else req.reply
    await show(
        "deadlines/proposals",
        keyboard,
        case=case,
        numbered=shown,
        count=len(items),
        page=page,
        pages=pages,
        note=note,
        today=req.services.today(),
    )


async def finish_new_deadline(req: Req, state: DialogState, values: dict[str, Any]) -> None:
    await dialogs.finish(req.session, state)
    case = await cases.case_for(
        req.session, req.me, state.data.get("case_id") or 0, req.services.now()
    )
    if case is None:
        await req.reply("errors/case_not_found")
        return
    kind = values["deadline_type"]
    due = date.fromisoformat(values["new_deadline_date"])
    await deadlines.add_manual(
        req.session, case, req.services.settings, req.services.now(), kind=kind, due=due
    )
    await req.reply(
        "deadlines/added", kind=req.texts.label(kind, "deadline_kind"), due=due, alias=case.alias
    )


async def finish_snooze(req: Req, state: DialogState, values: dict[str, Any]) -> None:
    await _finish_date(req, state, values["snooze_date"], snooze=True)


async def finish_move(req: Req, state: DialogState, values: dict[str, Any]) -> None:
    await _finish_date(req, state, values["move_date"], snooze=False)


async def _finish_date(req: Req, state: DialogState, value: str, *, snooze: bool) -> None:
    await dialogs.finish(req.session, state)
    found = await _deadline_for(req, state.data.get("deadline_id"))
    if found is None or found[0].status not in deadlines.ACTIVE:
        await req.reply("deadlines/already_handled")
        return
    deadline, case = found
    day = date.fromisoformat(value)
    settings, now = req.services.settings, req.services.now()
    if snooze:
        await deadlines.snooze(req.session, deadline, case, day, settings, now)
        await req.reply("deadlines/snoozed", until=day)
    else:
        await deadlines.move(req.session, deadline, case, day, settings, now)
        await req.reply(
            "deadlines/moved", kind=req.texts.label(deadline.kind, "deadline_kind"), due=day
        )


@guarded(Access.REGISTERED)
async def inline_query(req: Req) -> None:
    """@bot alias: the case's next deadline, content-free, for the asker only."""
    query = req.update.inline_query
    if query is None:
        return
    wanted = query.query.strip().casefold()
    mine = await deadlines.cases_with_next(req.session, req.me.id)
    matches = [(c, d) for c, d in mine if c.alias_key.startswith(wanted)][:10]
    results = []
    for case, deadline in matches:
        text = req.render(
            "deadlines/inline", case=case, deadline=deadline, today=req.services.today()
        )
        results.append(
            InlineQueryResultArticle(
                id=str(case.id),
                title=case.alias,
                description=str(text)[:100],
                input_message_content=InputTextMessageContent(str(text), parse_mode=ParseMode.HTML),
            )
        )
    await with_retry(lambda: query.answer(results, cache_time=0, is_personal=True))
