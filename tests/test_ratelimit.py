"""The one sending budget (bot/reminders/pacing.py) on virtual time: about 30 a second
overall, one a second per chat, replies before background sends; and the PTB rate
limiter that takes its slots (koordbot/sending.py)."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Coroutine
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.reminders.pacing import Priority, SendBudget
from koordbot.sending import BudgetRateLimiter

REPLY, BACKGROUND = Priority.REPLY, Priority.BACKGROUND


class VirtualTime:
    """A clock and a sleep for the budget: time jumps to the next sleeper's wake-up once
    every task has run as far as it can."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), next(self._seq), future))
        await future

    async def run(self, main: Coroutine[Any, Any, Any]) -> Any:
        task = asyncio.ensure_future(main)
        while not task.done():
            for _ in range(50):
                await asyncio.sleep(0)
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)
            if task.done():
                break
            if not self._sleepers:
                continue
            wake, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, wake)
            future.set_result(None)
        return task.result()


def budget_on(time: VirtualTime, per_second: float = 30, per_chat: float = 1.0) -> SendBudget:
    return SendBudget(per_second, per_chat, clock=time.clock, sleep=time.sleep)


async def send(
    budget: SendBudget,
    time: VirtualTime,
    log: list[tuple[float, str]],
    chat: int,
    who: str,
    priority: Priority = REPLY,
    after: float = 0.0,
) -> None:
    if after:
        await time.sleep(after)
    async with budget.slot(chat, priority):
        log.append((time.now, who))


def gather(*aws: Awaitable[Any]) -> Coroutine[Any, Any, list[Any]]:
    async def all_of() -> list[Any]:
        return await asyncio.gather(*aws)

    return all_of()


async def test_no_one_second_window_holds_more_than_30():
    time = VirtualTime()
    budget = budget_on(time)
    log: list[tuple[float, str]] = []
    await time.run(gather(*(send(budget, time, log, chat, "r") for chat in range(120))))
    stamps = [t for t, _ in log]
    assert len(stamps) == 120
    for i, start in enumerate(stamps):
        in_window = [t for t in stamps[i:] if t < start + 1.0]
        assert len(in_window) <= 30
    # ... and the budget is used: 120 sends in a little over four seconds.
    assert stamps[-1] == pytest.approx(119 / (30 * 0.97), rel=0.01)


async def test_one_chat_gets_one_message_a_second_whoever_sends():
    time = VirtualTime()
    budget = budget_on(time)
    log: list[tuple[float, str]] = []
    await time.run(
        gather(
            send(budget, time, log, 42, "reminder", BACKGROUND),
            send(budget, time, log, 42, "reply"),
            send(budget, time, log, 42, "reply"),
        )
    )
    stamps = [t for t, _ in log]
    assert [b - a for a, b in itertools.pairwise(stamps)] == [pytest.approx(1.0)] * 2


async def test_a_group_gets_twenty_messages_a_minute():
    time = VirtualTime()
    budget = budget_on(time)
    log: list[tuple[float, str]] = []
    await time.run(gather(*(send(budget, time, log, -100123, "notice") for _ in range(3))))
    assert [t for t, _ in log] == [0.0, pytest.approx(3.0), pytest.approx(6.0)]


async def test_replies_go_before_waiting_reminders():
    time = VirtualTime()
    budget = budget_on(time)
    log: list[tuple[float, str]] = []
    reminders = [send(budget, time, log, 1000 + i, "reminder", BACKGROUND) for i in range(90)]
    # A second later 30 people press a button while 60 reminders still wait.
    replies = [send(budget, time, log, i, "reply", after=1.0) for i in range(30)]
    await time.run(gather(*reminders, *replies))
    order = [who for _, who in log]
    first_reply = order.index("reply")
    assert order[first_reply : first_reply + 30] == ["reply"] * 30
    assert order.count("reminder") == 90  # the reminders still all went out, after


async def test_reminders_fill_what_replies_leave():
    time = VirtualTime()
    budget = budget_on(time)
    log: list[tuple[float, str]] = []
    # Ten replies a second for five seconds, and 200 reminders waiting all along.
    replies = [send(budget, time, log, i, "reply", after=i / 10) for i in range(50)]
    reminders = [send(budget, time, log, 1000 + i, "reminder", BACKGROUND) for i in range(200)]
    await time.run(gather(*replies, *reminders))
    in_first_five = [who for t, who in log if t < 5.0]
    assert in_first_five.count("reply") == 50
    # The rest of the 29 a second went to reminders.
    assert in_first_five.count("reminder") >= 5 * 29 - 50 - 2


async def test_a_paced_chat_does_not_hold_up_the_others():
    time = VirtualTime()
    budget = budget_on(time, per_chat=1.0)
    log: list[tuple[float, str]] = []
    await time.run(
        gather(
            send(budget, time, log, 7, "first to 7"),
            send(budget, time, log, 7, "second to 7"),
            *(send(budget, time, log, 100 + i, "other", BACKGROUND) for i in range(10)),
        )
    )
    # The ten others went while chat 7 waited out its second.
    assert [who for _, who in log][-1] == "second to 7"
    assert max(t for t, who in log if who == "other") < 1.0


async def test_a_chat_with_a_send_in_flight_is_not_sent_to_again():
    time = VirtualTime()
    budget = budget_on(time, per_chat=1.0)
    log: list[tuple[float, str]] = []

    async def slow_send() -> None:
        async with budget.slot(5, BACKGROUND):
            log.append((time.now, "slow start"))
            await time.sleep(3.0)  # Telegram answers slowly

    await time.run(gather(slow_send(), send(budget, time, log, 5, "reply", after=0.5)))
    assert log[-1] == (pytest.approx(4.0), "reply")


async def test_flood_control_pauses_every_send():
    time = VirtualTime()
    budget = budget_on(time)
    log: list[tuple[float, str]] = []

    async def main() -> None:
        async with budget.slot(1):
            budget.pause(2.0)
        await gather(*(send(budget, time, log, 10 + i, "r") for i in range(3)))

    await time.run(main())
    assert min(t for t, _ in log) >= 2.0


async def test_chat_ready_waits_for_the_pace_and_holds_nothing():
    time = VirtualTime()
    budget = budget_on(time)
    log: list[tuple[float, str]] = []

    async def reminder_turn() -> None:
        await budget.chat_ready(9)
        log.append((time.now, "turn"))

    async def main() -> None:
        async with budget.slot(9):
            pass
        await gather(reminder_turn(), send(budget, time, log, 9, "reply", after=0.9))

    await time.run(main())
    # The reply (asked for at 0.9 s) went at 1.0 s, before the reminder's turn could send.
    assert [who for _, who in log] == ["turn", "reply"] or log[0][1] == "reply"
    assert dict((who, t) for t, who in log)["reply"] == pytest.approx(1.0)


async def test_a_cancelled_waiter_leaves_nothing_behind():
    time = VirtualTime()
    budget = budget_on(time)
    log: list[tuple[float, str]] = []

    async def main() -> None:
        async with budget.slot(3):
            waiting = asyncio.ensure_future(send(budget, time, log, 3, "never"))
            await asyncio.sleep(0)
            waiting.cancel()
        await send(budget, time, log, 3, "next")

    await time.run(main())
    assert [who for _, who in log] == ["next"]
    assert budget.waiting() == 0


async def test_the_rate_limiter_retries_a_reply_after_flood_control_not_a_reminder():
    limiter = BudgetRateLimiter(SendBudget(1000, 0))
    calls: list[str] = []

    async def flooded_once() -> bool:
        calls.append("call")
        if len(calls) % 2 == 1:
            raise RetryAfter(0)
        return True

    data = {"chat_id": 5}
    assert await limiter.process_request(flooded_once, (), {}, "sendMessage", data, None)
    assert calls == ["call", "call"]
    with pytest.raises(RetryAfter):  # the notifier records it for a later sweep
        await limiter.process_request(flooded_once, (), {}, "sendMessage", data, BACKGROUND)
    # Answering a button is not a message: no slot, no pacing.
    assert limiter.budget.granted == {REPLY: 2, BACKGROUND: 1}
    assert await limiter.process_request(flooded_once, (), {}, "answerCallbackQuery", data, None)
    assert limiter.budget.granted == {REPLY: 2, BACKGROUND: 1}
