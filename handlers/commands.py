"""The one table of commands. It feeds the handler registration (`handlers.register`),
the BotFather menu (`bot_commands`), /hjelp (`help_command`) and the access tests.

Words live in messages/: a command's description is its entry in the label group
`commands`, the section titles are the group `help_section`, and the help text is
the template `help`. The access level is the one the handler is `guarded` with.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from telegram import BotCommand

from handlers import (
    admin_views,
    calendar,
    case_card,
    case_commands,
    deadlines_view,
    menu,
    profile,
    registration,
    statistics_view,
)
from handlers.callbacks import Callback
from handlers.common import Req
from handlers.edge import Access, Guarded, access_of, guarded
from messages import Texts


class Section(StrEnum):
    """Where /hjelp lists a command (label group `help_section`)."""

    CASES = "cases"
    CONVERSATIONS = "conversations"
    DEADLINES = "deadlines"
    YOU = "you"
    ADMIN = "admin"


@dataclass(frozen=True)
class Command:
    """One command: its name, handler and place in /hjelp.

    `in_menu`: listed in the BotFather command menu (everyone sees that list).
    `aliases`: other names that run the same handler; never in the menu, named next
    to the command in /hjelp.
    /hjelp shows a command to everyone who may use it: admin commands only to admins.
    """

    name: str
    handler: Guarded
    section: Section
    in_menu: bool = True
    aliases: tuple[str, ...] = ()

    @property
    def access(self) -> Access:
        return access_of(self.handler)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the command answers to."""
        return (self.name, *self.aliases)

    def shown_to(self, *, is_admin: bool) -> bool:
        """Whether /hjelp lists it for this koordinator."""
        return is_admin or self.access is not Access.ADMIN


@guarded(Access.REGISTERED)
async def help_command(req: Req) -> None:
    """/hjelp."""
    await show_help(req)


# In menu order: the first entries are the ones people need first.
COMMANDS: tuple[Command, ...] = (
    Command("start", registration.start, Section.YOU),
    Command("ny", case_card.new_case, Section.CASES),
    Command("saker", case_card.list_cases, Section.CASES),
    Command("hjelp", help_command, Section.YOU, aliases=("help",)),
    Command("fortsett", case_commands.resume_command, Section.CONVERSATIONS),
    Command("avbryt", menu.cancel, Section.YOU),
    Command("oppstart", case_commands.start_oppstart, Section.CONVERSATIONS),
    Command("kartlegging", case_commands.start_kartlegging, Section.CONVERSATIONS),
    Command("evaluering", case_commands.start_evaluering, Section.CONVERSATIONS),
    Command("mote", case_commands.start_mote, Section.CONVERSATIONS),
    Command("pause", case_commands.pause_command, Section.CONVERSATIONS),
    Command("eksport", case_commands.export_command, Section.CASES),
    Command("neste", deadlines_view.next_command, Section.DEADLINES),
    Command("frister", deadlines_view.frister_command, Section.DEADLINES),
    Command("kalender", calendar.calendar_command, Section.DEADLINES),
    Command("ukeoversikt", deadlines_view.digest_command, Section.DEADLINES),
    Command("koordinatorer", admin_views.koordinatorer_command, Section.ADMIN),
    Command("statistikk", statistics_view.statistics_command, Section.ADMIN),
    Command("mine_data", profile.my_data, Section.YOU),
    Command("ryddig", profile.tidy_command, Section.YOU),
    Command("invitasjon", menu.invitation, Section.ADMIN),
)


def bot_commands(texts: Texts, *, admin: bool = False) -> list[BotCommand]:
    """A command menu: every command marked `in_menu` that the reader may use, in table
    order (admins get theirs in a menu of their own chat)."""
    return [
        BotCommand(c.name, texts.label(c.name, "commands"))
        for c in COMMANDS
        if c.in_menu and c.shown_to(is_admin=admin)
    ]


def help_sections(*, is_admin: bool) -> list[tuple[Section, list[Command]]]:
    """The commands /hjelp lists for this koordinator, by section."""
    shown = [c for c in COMMANDS if c.shown_to(is_admin=is_admin)]
    by_section = [(s, [c for c in shown if c.section is s]) for s in Section]
    return [(section, listed) for section, listed in by_section if listed]


async def show_help(req: Req) -> None:
    await req.reply("help", sections=help_sections(is_admin=req.me.is_admin))


async def on_menu_button(req: Req, cb: Callback) -> None:
    """m:<item>: the buttons under the main menu."""
    item = cb.args[0] if cb.args else ""
    await req.answer()
    if item == "ny":
        await case_card.begin_new_case(req)
    elif item == "hjelp":
        await show_help(req)
    else:
        await req.answer("errors/stale_button")
