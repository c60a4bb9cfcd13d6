"""What is due: /neste, /frister, transition proposals, reminder buttons (Utført,
Utsett), the weekly digest switch and inline lookups."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from telegram import InlineQuery, InlineQueryResultArticle, InputTextMessageContent
from telegram.constants import ParseMode

from bot import cases, deadlines, dialogs
from bot.deadlines import Due
from bot.reminders import outbox
from handlers import callbacks, forms
from handlers.callbacks import Callback
from handlers.common import Button, Keyboard, Look, Req, with_retry
from handlers.edge import Access, guarded, lean
from messages import Texts
from storage.enums import CaseStatus, DeadlineStatus
from storage.models import Case, Deadline, DialogState

# /neste, /frister and the inline lookup answer the lean way (`edge.lean`): one
# statement with the access check in it. The guarded versions below serve whoever
# needs more (a refusal, an interrupted dialogue, a registration to finish).


@guarded(Access.REGISTERED)
async def _next_full(req: Req) -> None:
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
    keyboard, values = _next_view(req.texts, mine, alias, req.services.today())
    await req.reply("deadlines/next", keyboard, **values)


@lean(_next_full)
async def next_command(look: Look) -> bool:
    """/neste [alias]: the next deadline of one case, or of each case."""
    alias = " ".join(look.context.args or [])
    async with look.services.db.reader() as reader:
        asker, mine = await deadlines.asked_next(reader, look.user_id, alias or None)
    if not look.may_answer(asker):
        return False
    if alias and not mine:
        await look.reply("errors/alias_unknown", alias=alias[:40])
    else:
        keyboard, values = _next_view(look.texts, mine, alias, look.services.today())
        await look.reply("deadlines/next", keyboard, **values)
    return True


def _next_view(
    texts: Texts,
    mine: list[tuple[deadlines.CaseLine, deadlines.Due | None]],
    alias: str,
    today: date,
) -> tuple[Keyboard, dict[str, Any]]:
    rows = sorted(((c, d) for c, d in mine if d is not None), key=lambda x: x[1].due)
    keyboard = [
        [(c.alias, callbacks.make("c", c.id)), *tick_buttons(texts, d)] for c, d in rows[:20]
    ]
    values = {"rows": rows, "today": today, "single": bool(alias), "cases_count": len(mine)}
    return keyboard, values


@guarded(Access.REGISTERED)
async def _frister_full(req: Req) -> None:
    today = req.services.today()
    agenda = await deadlines.agenda(req.session, req.me.id, today)
    keyboard, values = _frister_view(req.texts, agenda, today)
    await req.reply("deadlines/frister", keyboard, **values)


@lean(_frister_full)
async def frister_command(look: Look) -> bool:
    """/frister: everything due in the next 30 days, overdue first, by week."""
    today = look.services.today()
    async with look.services.db.reader() as reader:
        asker, agenda = await deadlines.asked_agenda(reader, look.user_id, today)
    if not look.may_answer(asker):
        return False
    keyboard, values = _frister_view(look.texts, agenda, today)
    await look.reply("deadlines/frister", keyboard, **values)
    return True


def _frister_view(
    texts: Texts, agenda: deadlines.Agenda, today: date
) -> tuple[Keyboard, dict[str, Any]]:
    listed = [d for _, d in agenda.overdue] + [d for _, items in agenda.weeks for _, d in items]
    values = {"overdue": agenda.overdue, "weeks": agenda.weeks, "today": today, "days": agenda.days}
    return numbered_rows(texts, listed), values


@guarded(Access.REGISTERED)
async def digest_command(req: Req) -> None:
    """/ukeoversikt: switch the Monday digest on or off."""
    await req.reply(
        "deadlines/digest_switched",
        on=outbox.switch_digest(req.me),
        hour=req.services.settings.reminder_hour,
    )


# A list offers Utført / Utsett on this many of its deadlines (a phone screen of buttons).
TICK_ROWS = 8


def tick_buttons(texts: Texts, d: Due, number: int | None = None) -> list[Button]:
    """Utført and Utsett for one open deadline of a list (none for a proposal: the
    transitions screen confirms, moves or dismisses those)."""
    if d.status != DeadlineStatus.OPEN:
        return []
    b = texts.button
    done, later = b("done_deadline"), b("snooze")
    if number is not None:
        done, later = f"{number}. {done}", f"{number}. {later}"
    return [(done, callbacks.make("u", d.id)), (later, callbacks.make("sn", d.id, "menu"))]


def numbered_rows(texts: Texts, listed: Sequence[Due]) -> Keyboard:
    """One row of Utført / Utsett per open deadline, numbered as the list numbers its
    lines (`deadlines/frister`, the case card)."""
    rows = [tick_buttons(texts, d, n) for n, d in enumerate(listed, start=1)]
    return [row for row in rows if row][:TICK_ROWS]


def _of_deadline(deadline_id: int) -> Callable[[str], bool]:
    """True for the callback data of a button about this deadline (u, sn)."""

    def belongs(data: str) -> bool:
        cb = callbacks.parse(data)
        return cb is not None and cb.verb in ("u", "sn") and cb.int_arg(0) == deadline_id

    return belongs


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
        # Done or dismissed since the button was sent (in another list, a reminder).
        await req.answer("errors/stale_button")
        if cb.verb in ("tc", "tm", "tx"):
            await show_proposals(req, case, edit=True)  # the screen as it is now
        else:
            await req.drop_rows(_of_deadline(deadline.id))
        return
    await req.answer()
    label = req.texts.label(deadline.kind, "deadline_kind")
    name = req.render("deadlines/name", d=Due.of(deadline), lock=False)
    if cb.verb == "u":
        await deadlines.set_status(req.session, deadline, DeadlineStatus.DONE, now)
        await req.drop_rows(
            _of_deadline(deadline.id),
            req.render("deadlines/marked_done", kind=name, alias=case.alias),
        )
    elif cb.verb == "sn":
        how = cb.args[1] if len(cb.args) > 1 else ""
        if how == "menu":
            await _snooze_menu(req, deadline, case.alias, name)
            return
        if how == "pick":
            await req.drop_rows(_of_deadline(deadline.id))
            await forms.begin(req, "snooze", {"deadline_id": deadline.id})
            return
        at = await deadlines.snooze_for(req.session, deadline, case, how, settings, now)
        await req.drop_rows(
            _of_deadline(deadline.id),
            req.render("deadlines/snoozed", at=at, until=None, zone=settings.zone),
        )
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


async def _snooze_menu(req: Req, deadline: Deadline, alias: str, name: str) -> None:
    """Utsett from a list: how long (the reminder's own three choices)."""
    b = req.texts.button
    keyboard = [
        [
            (b("snooze_1d"), callbacks.make("sn", deadline.id, "1d")),
            (b("snooze_1w"), callbacks.make("sn", deadline.id, "1w")),
            (b("snooze_pick"), callbacks.make("sn", deadline.id, "pick")),
        ]
    ]
    await req.reply("deadlines/snooze_menu", keyboard, alias=alias, kind=name, due=deadline.due)


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
    added = await deadlines.add_manual(
        req.session,
        case,
        req.services.settings,
        req.services.now(),
        kind=kind,
        due=due,
        label=values.get("deadline_label"),
    )
    name = req.render("deadlines/name", d=Due.of(added), lock=False)
    await req.reply("deadlines/added", kind=name, due=due, alias=case.alias)


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
        at = await deadlines.snooze(req.session, deadline, case, day, settings, now)
        await req.reply("deadlines/snoozed", at=at, until=day, zone=settings.zone)
    else:
        await deadlines.move(req.session, deadline, case, day, settings, now)
        name = req.render("deadlines/name", d=Due.of(deadline), lock=False)
        await req.reply("deadlines/moved", kind=name, due=day)


@guarded(Access.REGISTERED)
async def _inline_full(req: Req) -> None:
    query = req.update.inline_query
    if query is None:
        return
    mine = await deadlines.cases_with_next(req.session, req.me.id)
    await _answer_inline(req, query, mine)


@lean(_inline_full)
async def inline_query(look: Look) -> bool:
    """@bot alias: the case's next deadline, content-free, for the asker only."""
    query = look.update.inline_query
    if query is None:
        return True
    async with look.services.db.reader() as reader:
        asker, mine = await deadlines.asked_next(reader, look.user_id)
    if not look.may_answer(asker):
        return False
    await _answer_inline(look, query, mine)
    return True


async def _answer_inline(
    asking: Req | Look,
    query: InlineQuery,
    mine: list[tuple[deadlines.CaseLine, deadlines.Due | None]],
) -> None:
    wanted = query.query.strip().casefold()
    matches = [(c, d) for c, d in mine if c.alias_key.startswith(wanted)][:10]
    results = []
    for case, deadline in matches:
        text = asking.render(
            "deadlines/inline", case=case, deadline=deadline, today=asking.services.today()
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
