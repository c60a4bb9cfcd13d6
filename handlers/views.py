"""Screens several handlers show: the main menu and the next registration question.

Below every command module and above `handlers.common`, so the access check
(`handlers.edge`) and the commands can all show them without importing each other.
"""

from __future__ import annotations

from bot import cases, dialogs
from handlers import forms
from handlers.callbacks import Verb, make
from handlers.common import Keyboard, Req


def menu_keyboard(req: Req) -> Keyboard:
    return [
        [
            (req.texts.button("new_case"), make(Verb.MENU, "ny")),
            (req.texts.button("my_cases"), make(Verb.CASE_LIST)),
        ],
        [(req.texts.button("help"), make(Verb.MENU, "hjelp"))],
    ]


async def show_menu(req: Req) -> None:
    count = len(await cases.my_cases(req.session, req.me))
    await req.reply("menu", menu_keyboard(req), koordinator=req.me, case_count=count)


async def resume_registration(req: Req) -> None:
    """Ask the next missing profile question (after a restart, or a command too early)."""
    state = await dialogs.current(req.session, req.user_id)
    if state is not None and state.flow == "register":
        await forms.ask(req, state)
        return
    await req.reply("registration/welcome")
    await forms.begin(req, "register")
