"""The bot's profile: koordinatorer see their commands, admins theirs too (in their own
chat's menu, updated when someone is made or unmade admin), descriptions in Norwegian."""

from __future__ import annotations

import json

from handlers.commands import COMMANDS
from handlers.edge import Access
from tests.conftest import ADMIN_ID
from tests.harness import TestBot

# The admin commands of the command table (their handlers ask for Access.ADMIN).
ADMIN_ONLY = frozenset(c.name for c in COMMANDS if c.in_menu and c.access is Access.ADMIN)


def menu_of(bot: TestBot, chat_id: int | None) -> list[str] | None:
    key = "default" if chat_id is None else json.dumps({"chat_id": chat_id, "type": "chat"})
    commands = bot.telegram.command_scopes.get(key)
    return None if commands is None else [c["command"] for c in commands]


async def test_menus_by_scope_and_descriptions_at_start(bot: TestBot) -> None:
    everyone = menu_of(bot, None)
    admin = menu_of(bot, ADMIN_ID)
    assert everyone is not None and admin is not None
    assert everyone[:3] == ["start", "ny", "saker"]
    assert not ADMIN_ONLY & set(everyone)
    assert ADMIN_ONLY <= set(admin) and set(everyone) < set(admin)
    descriptions = bot.telegram.descriptions
    assert "koordinatorer i kommunen" in descriptions["description"]
    assert "fødselsnummer" in descriptions["description"]
    assert 0 < len(descriptions["short_description"]) <= 120


async def test_making_and_unmaking_an_admin_changes_their_menu(bot: TestBot) -> None:
    kari = await bot.registered_user("Kari Nordmann")
    anne = bot.admin()
    assert menu_of(bot, kari.user_id) is None  # the koordinator menu, as everyone's
    await anne.send("/koordinatorer")
    await anne.tap("Kari Nordmann · 0 saker")
    await anne.tap("Gjør til admin")
    assert ADMIN_ONLY <= set(menu_of(bot, kari.user_id) or [])
    await anne.tap("Fjern admin")
    assert menu_of(bot, kari.user_id) is None
