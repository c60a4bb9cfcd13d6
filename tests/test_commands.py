"""The command table is what the bot is built from: what is registered, the BotFather
menu and /hjelp cannot drift apart."""

from __future__ import annotations

from telegram.ext import CommandHandler

from handlers.commands import COMMANDS
from handlers.edge import Access
from messages import Texts


def registered_commands(bot) -> set[str]:
    return {
        name
        for group in bot.app.handlers.values()
        for handler in group
        if isinstance(handler, CommandHandler)
        for name in handler.commands
    }


def hidden_on_purpose() -> set[str]:
    """Aliases and commands the table keeps out of the menu."""
    return {a for c in COMMANDS for a in c.aliases} | {c.name for c in COMMANDS if not c.in_menu}


async def test_every_registered_command_is_in_the_menu_or_hidden_on_purpose(bot):
    menu = [c["command"] for c in bot.telegram.commands]
    # Admins get their commands in a menu of their own chat.
    admin_menus = [
        {c["command"] for c in commands}
        for scope, commands in bot.telegram.command_scopes.items()
        if scope != "default"
    ]
    assert admin_menus and all(set(menu) < admin for admin in admin_menus)
    assert len(menu) == len(set(menu))
    assert registered_commands(bot) == set.union(*admin_menus) | hidden_on_purpose()
    assert not set.union(*admin_menus) & hidden_on_purpose()


async def test_the_menu_describes_every_command_with_its_label(bot):
    texts = Texts()
    for entry in bot.telegram.commands:
        assert entry["description"] == texts.label(entry["command"], "commands")
        assert entry["description"] != entry["command"], "a command without a description"


async def test_help_names_every_command_its_reader_may_use(bot):
    kari = await bot.registered_user("Kari Nordmann")
    anne = bot.admin()
    [kari_help] = await kari.send("/hjelp")
    [anne_help] = await anne.send("/hjelp")
    admin_only = {n for c in COMMANDS if c.access is Access.ADMIN for n in c.names}
    for name in registered_commands(bot):
        assert f"/{name} " in anne_help or f"/{name})" in anne_help, name
        shown_to_kari = f"/{name} " in kari_help or f"/{name})" in kari_help
        assert shown_to_kari is (name not in admin_only), name
    assert "Koordinerende enhet" in anne_help and "Koordinerende enhet" not in kari_help


async def test_the_help_button_shows_the_same_help(bot):
    kari = await bot.registered_user("Kari Nordmann")
    [by_command] = await kari.send("/hjelp")
    await kari.send("/start")
    [by_button] = await kari.tap("Hjelp")
    assert by_button == by_command
