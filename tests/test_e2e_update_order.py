"""Updates of different koordinatorer run at the same time; one koordinator's updates
run in the order they came (issue 12: the morning wave)."""

from __future__ import annotations

import asyncio

from telegram import Update

from storage.models import Answer
from tests.harness import rows
from tests.test_e2e_cases import create_case


async def test_one_users_answers_are_stored_in_order_while_another_is_answered(bot):
    kari = await bot.registered_user()
    per = await bot.registered_user("Per Olsen")
    await create_case(kari, "AB")
    await kari.send("/kartlegging AB")
    app = bot.app
    assert app is not None
    # Kari's first answer is slow to confirm: her second must wait for it, Per must not.
    bot.telegram.fail("slow", method="sendMessage", chat_id=kari.user_id, seconds=0.5)
    await app.start()
    try:
        started = asyncio.get_running_loop().time()
        for update in (
            kari.user.message("Første svar"),
            kari.user.message("Andre svar"),
            per.user.message("/neste"),
        ):
            await app.update_queue.put(Update.de_json(update, app.bot))
        before = len(bot.telegram.messages(per.user_id))
        per_answered = None
        for _ in range(1000):
            await asyncio.sleep(0.01)
            if len(bot.telegram.messages(per.user_id)) > before:
                per_answered = asyncio.get_running_loop().time() - started
                break
        await asyncio.wait_for(app.update_queue.join(), 10)
    finally:
        await app.stop()
    values = [a.value for a in sorted(await rows(bot, Answer), key=lambda a: a.id)]
    assert values == ["Første svar", "Andre svar"]
    # The question on screen is the current one: the replies came in order too.
    questions = [m.text for m in bot.telegram.messages(kari.user_id) if "· AB ·" in m.text]
    assert "· 2/" in questions[-2] and "· 3/" in questions[-1], questions[-3:]
    # Per did not wait for Kari's slow update.
    assert per_answered is not None and per_answered < 0.5
