"""Replies before reminders (issue 12): one sending budget of Telegram's 30 a second
and one a second per chat, shared by answers to people and the morning's reminders.
The stand-in enforces Telegram's limits here and answers 429 past them."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from telegram import Update

from koordbot.standin import FakeTelegram
from storage.enums import ReminderStatus
from storage.models import Reminder
from tests.harness import TestBot, rows
from tests.test_reminder_guarantees import at, koordinatorer_with_one_due_reminder, sweep_of


async def test_a_burst_of_replies_during_the_morning_dispatch(bot, clock, settings):
    """60 reminders go out; 20 of those koordinatorer send /neste at once. Every one is
    answered within a second or so (their own chat's pace allowing), long before the
    dispatch ends; Telegram never answers 429; every reminder arrives exactly once."""
    chats = await koordinatorer_with_one_due_reminder(bot, clock, 60)
    at(clock, 2026, 12, 1)
    paced = settings.model_copy(update={"send_per_second": 30.0, "send_per_chat_seconds": 1.0})
    limited = TestBot(
        settings=paced, cipher=bot.cipher, clock=clock, telegram=FakeTelegram(enforce_limits=True)
    )
    await limited.start()
    app = limited.app
    assert app is not None
    asked: dict[int, float] = {}
    answered: dict[int, float] = {}

    def on_call(method: str, params: dict[str, Any], result: Any) -> None:
        chat = int(params.get("chat_id", 0))
        text = str(params.get("text", ""))
        if method == "sendMessage" and chat in asked and not text.startswith("⏰"):
            answered.setdefault(chat, time.monotonic())

    limited.telegram.listeners.append(on_call)
    await app.start()
    try:
        dispatch = asyncio.create_task(sweep_of(limited).send_due())
        await asyncio.sleep(0.3)  # the dispatch is under way
        askers = chats[:20]
        for chat in askers:
            asked[chat] = time.monotonic()
            update = limited.chat(chat).user.message("/neste")
            await app.update_queue.put(Update.de_json(update, app.bot))
        await asyncio.wait_for(app.update_queue.join(), 10)
        while len(answered) < len(askers) and not dispatch.done():
            await asyncio.sleep(0.01)
        assert not dispatch.done(), "the replies waited for the whole dispatch"
        await asyncio.wait_for(dispatch, 30)
    finally:
        await app.stop()
        await limited.stop()
    assert set(answered) == set(askers)
    waits = [answered[c] - asked[c] for c in askers]
    # 20 replies take 0.7 s of the budget; a chat just sent a reminder waits up to 1 s.
    assert max(waits) < 2.0, sorted(waits)
    assert limited.telegram.too_many_requests == 0
    reminders = Counter(chat for chat in chats for _ in limited.reminders_to(chat))
    assert reminders == Counter({chat: 1 for chat in chats})
    sent = await rows(bot, Reminder, Reminder.status == ReminderStatus.SENT)
    assert len(sent) == 60
