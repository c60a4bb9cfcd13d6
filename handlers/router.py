"""Every button press comes here first: parsed in one place, checked against the
caller's rights, then routed by the table `ROUTES` (verb -> handler, access)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot import dialogs
from handlers import (
    admin_views,
    callbacks,
    case_card,
    case_commands,
    case_lifecycle,
    commands,
    deadlines_view,
    forms,
    menu,
    profile,
)
from handlers.callbacks import Callback, Verb
from handlers.common import Req
from handlers.edge import Access, allowed, guarded

ButtonHandler = Callable[[Req, Callback], Awaitable[None]]


@dataclass(frozen=True)
class Route:
    """Who handles a verb, and the access level the presser needs for it."""

    handler: ButtonHandler
    access: Access = Access.REGISTERED


async def _form_answer(req: Req, cb: Callback) -> None:
    state = await dialogs.current(req.session, req.user_id)
    await forms.on_button(req, state, cb)


async def _case_list(req: Req, cb: Callback) -> None:
    await req.answer()
    await case_card.show_list(req)


ROUTES: dict[Verb, Route] = {
    # A form answer may come before the profile is complete: it may be the profile.
    Verb.FORM_ANSWER: Route(_form_answer, Access.MEMBER),
    Verb.CASE: Route(case_card.on_case_button),
    Verb.CASE_EDIT: Route(case_card.on_case_button),
    Verb.CASE_EDIT_FIELD: Route(case_card.on_case_button),
    Verb.CASE_PAUSE: Route(case_card.on_case_button),
    Verb.CASE_RESUME: Route(case_card.on_case_button),
    Verb.CASE_LIST: Route(_case_list),
    Verb.DIALOG: Route(menu.on_dialog_button),
    Verb.MENU: Route(commands.on_menu_button),
    Verb.CONVERSATION_ANSWER: Route(case_commands.on_button),
    Verb.CONVERSATION_RESUME: Route(case_commands.on_button),
    Verb.CONVERSATION_START: Route(case_commands.on_button),
    Verb.RUN_LIST: Route(case_commands.on_button),
    Verb.RUN_SUMMARY: Route(case_commands.on_button),
    Verb.ANSWER_CORRECT: Route(case_commands.on_button),
    Verb.EXPORT: Route(case_commands.on_button),
    Verb.MEETING_LIST: Route(case_commands.on_button),
    Verb.MEETING_OUTCOME: Route(case_commands.on_button),
    Verb.CLOSE_PROPOSED: Route(case_commands.on_button),
    Verb.DEADLINE_DONE: Route(deadlines_view.on_button),
    Verb.SNOOZE: Route(deadlines_view.on_button),
    Verb.TRANSITION_CONFIRM: Route(deadlines_view.on_button),
    Verb.TRANSITION_MOVE: Route(deadlines_view.on_button),
    Verb.TRANSITION_DISMISS: Route(deadlines_view.on_button),
    Verb.SCHOOL_SHIFT: Route(deadlines_view.on_button),
    Verb.PROPOSALS: Route(deadlines_view.on_button),
    Verb.PROPOSALS_PAGE: Route(deadlines_view.on_button),
    Verb.TIDY: Route(profile.on_tidy_button),
    Verb.NEW_DEADLINE: Route(deadlines_view.on_button),
    Verb.HANDOVER: Route(case_lifecycle.on_button),
    Verb.HANDOVER_TO: Route(case_lifecycle.on_button),
    Verb.CLOSE: Route(case_lifecycle.on_button),
    Verb.REOPEN: Route(case_lifecycle.on_button),
    Verb.DELETE: Route(case_lifecycle.on_button),
    Verb.DELETE_CONFIRMED: Route(case_lifecycle.on_button),
    # An admin decides a request to the KE with one tap from the notice.
    Verb.REQUEST_APPROVE: Route(case_lifecycle.on_request, Access.ADMIN),
    Verb.REQUEST_DECLINE: Route(case_lifecycle.on_request, Access.ADMIN),
    Verb.KOORDINATOR: Route(admin_views.on_koordinator, Access.ADMIN),
    Verb.DEACTIVATE: Route(admin_views.on_access_change, Access.ADMIN),
    Verb.REACTIVATE: Route(admin_views.on_access_change, Access.ADMIN),
    Verb.MAKE_ADMIN: Route(admin_views.on_access_change, Access.ADMIN),
    Verb.UNMAKE_ADMIN: Route(admin_views.on_access_change, Access.ADMIN),
}


@guarded(Access.MEMBER)
async def button(req: Req) -> None:
    """Route a callback query by its verb; unknown or forged data is stale."""
    cb = callbacks.parse(req.callback.data if req.callback else None)
    if cb is None:
        await req.answer("errors/stale_button")
        return
    route = ROUTES[cb.verb]
    if await allowed(req, route.access):
        await route.handler(req, cb)
