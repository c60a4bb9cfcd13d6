"""Who gets in: invitations, admins from configuration, unregistered and deactivated users."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from handlers.commands import COMMANDS
from storage.models import Invitation, Koordinator

UNREGISTERED = "Koordinatorbot er et arbeidsverktøy for registrerte koordinatorer"


async def invitation_code(admin) -> str:
    await admin.send("/invitasjon")
    message = admin.last_text
    assert "https://t.me/koordinatorbot_local?start=" in message
    return message.split("/start ")[1].split()[0]


async def test_configured_admin_registers_on_first_contact(bot):
    anne = bot.admin()
    replies = await anne.send("/start")
    assert "Velkommen" in replies[0] and "Hva heter du" in replies[-1]
    await anne.send("Anne Admin")
    assert "tjenestested" in anne.last_text
    assert "Helsestasjon / skolehelsetjeneste" in anne.buttons()
    replies = await anne.tap("Annet")
    assert "Takk, Anne Admin" in replies[0]
    assert "/invitasjon" in replies[-1]
    async with bot.services.db.session() as s:
        me = await s.scalar(select(Koordinator))
        assert me.is_admin and me.name == "Anne Admin" and me.tjenestested == "annet"


async def test_valid_invitation_registers_a_koordinator(bot):
    admin = await bot.registered_admin()
    code = await invitation_code(admin)
    assert "går ut 1. desember 2026" in admin.last_text
    kari = bot.chat(name="Kari")
    replies = await kari.send(f"/start {code}")
    assert "Velkommen" in replies[0]
    await kari.send("Kari Nordmann")
    await kari.tap("Psykisk helse og rus")
    assert "Du er registrert med tjenestested Psykisk helse og rus" in kari.transcript()
    replies = await kari.send("/saker")
    assert "ingen aktive saker" in replies[0]
    async with bot.services.db.session() as s:
        row = await s.scalar(select(Invitation))
        assert row.used_at is not None
        assert code not in row.code_hash  # only a hash is kept


async def test_used_invitation_does_not_work_twice(bot):
    admin = await bot.registered_admin()
    code = await invitation_code(admin)
    await bot.chat(name="Kari").send(f"/start {code}")
    replies = await bot.chat(name="Per").send(f"/start {code}")
    assert "allerede brukt" in replies[0]


async def test_expired_invitation(bot, clock):
    admin = await bot.registered_admin()
    code = await invitation_code(admin)
    clock.advance(timedelta(days=7, minutes=1))
    replies = await bot.chat(name="Kari").send(f"/start {code}")
    assert "gått ut på dato" in replies[0]


async def test_forged_invitation(bot):
    await bot.registered_admin()
    for code in ("abc", "x" * 64, "x" * 300, "'; DROP TABLE case;--"):
        replies = await bot.chat(name="Eve").send(f"/start {code}")
        assert "ikke gyldig" in replies[0]


async def test_non_admin_cannot_invite(bot):
    kari = await bot.registered_user()
    replies = await kari.send("/invitasjon")
    assert "Dette kan bare koordinerende enhet" in replies[0]


@pytest.mark.parametrize("command", [*(n for c in COMMANDS for n in c.names), "tull"])
async def test_unregistered_user_gets_only_the_explanation(bot, command):
    stranger = bot.chat(name="Ola")
    replies = await stranger.send(f"/{command}")
    assert len(replies) == 1 and UNREGISTERED in replies[0]
    for message in ("AB", "hei"):
        replies = await stranger.send(message)
        assert len(replies) == 1 and UNREGISTERED in replies[0]
    await stranger.press("c:1", bot.telegram.messages(stranger.user_id)[-1])
    assert UNREGISTERED in stranger.callback_answers()[-1]
    replies = await stranger.send_update(stranger.user.sticker())
    assert len(replies) == 1 and UNREGISTERED in replies[0]
    async with bot.services.db.session() as s:
        assert (
            await s.scalar(
                select(Koordinator).where(Koordinator.telegram_user_id == stranger.user_id)
            )
        ) is None


async def test_deactivated_koordinator_is_shut_out(bot):
    kari = await bot.registered_user()
    async with bot.services.db.session() as s:
        await s.execute(
            text("UPDATE koordinator SET active = false WHERE telegram_user_id = :u"),
            {"u": kari.user_id},
        )
    for message in ("/saker", "/ny", "AB"):
        replies = await kari.send(message)
        assert "deaktivert" in replies[0]


async def test_half_registered_user_is_asked_to_finish(bot):
    admin = await bot.registered_admin()
    code = await invitation_code(admin)
    kari = bot.chat(name="Kari")
    await kari.send(f"/start {code}")
    await bot.restart()
    replies = await kari.send("/saker")
    assert "Hva heter du" in replies[-1]
    await kari.send("Kari")
    await kari.tap("NAV")
    replies = await kari.send("/saker")
    assert "ingen aktive saker" in replies[0]


async def test_messages_in_groups_are_ignored(bot):
    kari = await bot.registered_user()
    update = kari.user.message("/saker")
    update["message"]["chat"] = {"id": -100123, "type": "group", "title": "KE"}
    await bot.feed(update)
    assert bot.telegram.messages(-100123) == []


async def test_command_menu_is_registered(bot):
    names = [c["command"] for c in bot.telegram.commands]
    assert names[:3] == ["start", "ny", "saker"]


async def test_a_bot_api_server_that_rejects_set_my_commands_is_survived(bot, caplog):
    bot.telegram.reject_set_commands = True
    await bot.restart()
    assert "refused setMyCommands" in caplog.text
    replies = await bot.chat(name="Ola").send("/start")
    assert UNREGISTERED in replies[0]
