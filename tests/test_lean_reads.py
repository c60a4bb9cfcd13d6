"""/neste, /frister and the inline lookup answer with one statement that holds the
access check, and nothing about access is remembered between updates: a koordinator
deactivated by another process is refused at the very next update."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from bench.sqlplan import StatementLog
from storage.crypto import Cipher
from storage.db import Database
from tests.conftest import TEST_KEY
from tests.harness import TestBot
from tests.test_e2e_cases import create_case


def _inline(bot: TestBot, chat, query: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return {
        "update_id": bot.telegram.next_update_id(),
        "inline_query": {"id": "iq1", "from": chat.user.user, "query": query, "offset": ""},
    }


def _inline_results(bot: TestBot) -> list[dict]:  # type: ignore[type-arg]
    [*_, last] = [c for c in bot.telegram.calls if c.method == "answerInlineQuery"]
    return last.params["results"]


async def test_neste_frister_and_inline_take_one_statement_with_the_access_check(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await create_case(kari, "CD")
    log = StatementLog().attach(bot.services.db.engine)

    async def statements_of(action) -> list[str]:  # type: ignore[no-untyped-def]
        log.take()
        log.recording = True
        await action
        log.recording = False
        return [sql for sql, _, _ in log.take()]

    [neste] = await statements_of(kari.send("/neste"))
    assert "AB: Oppstartsamtale 08.12.2026" in kari.last_text and "CD:" in kari.last_text
    [one] = await statements_of(kari.send("/neste ab"))
    assert "Neste frist" in kari.last_text and "CD" not in kari.last_text
    [unknown] = await statements_of(kari.send("/neste XY"))
    assert "XY" in kari.last_text
    clock.advance(timedelta(days=20))
    [frister] = await statements_of(kari.send("/frister"))
    assert "Forfalt" in kari.last_text and "08.12.2026 AB: Oppstartsamtale" in kari.last_text
    [inline] = await statements_of(bot.feed(_inline(bot, kari, "c")))
    assert [r["title"] for r in _inline_results(bot)] == ["CD"]
    for sql in (neste, one, unknown, frister, inline):
        # The access check is in the statement that reads the answer.
        assert "koordinator.telegram_user_id" in sql and "koordinator.active" in sql, sql


async def test_a_koordinator_deactivated_elsewhere_is_refused_at_once(bot, settings):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/neste")
    assert "AB: Oppstartsamtale" in kari.last_text
    await bot.feed(_inline(bot, kari, "a"))
    assert [r["title"] for r in _inline_results(bot)] == ["AB"]
    # Another process (the admin's, say) deactivates her.
    other = Database(settings.database_url, Cipher(TEST_KEY))
    try:
        async with other.session() as session:
            await session.execute(
                text("UPDATE koordinator SET active = false WHERE telegram_user_id = :u"),
                {"u": kari.user_id},
            )
    finally:
        await other.dispose()
    for command in ("/neste", "/neste AB", "/frister"):
        replies = await kari.send(command)
        assert replies == [replies[0]] and "deaktivert" in replies[0], command
    await bot.feed(_inline(bot, kari, "a"))
    assert _inline_results(bot) == []


async def test_a_command_in_the_middle_of_a_dialogue_still_interrupts_it(bot):
    # The lean path leaves an open dialogue to the full way, which marks it interrupted:
    # the next typed text is no answer to the pending question.
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/ny")
    assert kari.last_text.startswith("1/7")
    await kari.send("/neste")
    assert "AB: Oppstartsamtale" in kari.last_text
    replies = await kari.send("EF")
    assert not any(r.startswith("2/7") for r in replies), replies
    await kari.send("/fortsett")
    replies = await kari.send("EF")
    assert replies[-1].startswith("2/7"), replies
