"""One chaos scenario: real `koordbot run` processes on one database, users in the middle
of conversations, batches of due reminders, faults from the stand-in, SIGKILL at seeded
random points (during a dispatch and during the conversations), restarts, then one
clean process after the leases have run out; and the count."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from koordbot.standin.model import CALLER
from storage.crypto import Cipher
from tests.chaos.fleet import Fleet, Process
from tests.chaos.tally import (
    REMINDER_MARK,
    Result,
    count_answers,
    count_exceptions,
    count_leaks,
    count_reminders,
)
from tests.chaos.users import NOTE_SAVED, Users
from tests.chaos.world import USER_ALIAS, World
from tests.ops_live import live_standin

USERS = 3
BATCH = 30  # due reminders per run, one chat each
USER_BASE = 6_000_001
CHAT_BASE = 5_000_000
WAIT_SECONDS = 45.0
HANG_SECONDS = 6.5  # longer than python-telegram-bot's 5 s read timeout


@dataclass(frozen=True)
class Scenario:
    name: str
    roles: tuple[str, ...]  # the processes that run side by side


class Tripwire:
    """Kill the process that makes the k-th delivery of a kind, right when the stand-in
    has delivered it and before its answer is on the way back: `dispatch` counts
    reminders, `conversation` what acknowledges a user's answer («Notatet er lagret»,
    the next question). Whatever the process meant to do after that call never happens.
    """

    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet
        self.kind: str | None = None
        self.target = 0
        self.count = 0
        self.done = threading.Event()

    def arm(self, kind: str, k: int) -> None:
        self.kind, self.target, self.count = kind, k, 0
        self.done.clear()

    def delivered(self, kind: str, caller: str) -> None:
        if kind != self.kind:
            return
        self.count += 1
        if self.count >= self.target:
            self.kind = None
            process = next(p for p in self.fleet.processes if p.token == caller)
            self.fleet.kill(process, kind)
            self.done.set()

    def wait(self, what: str) -> None:
        if not self.done.wait(WAIT_SECONDS):
            chats = self.fleet.standin.telegram.chats
            seen = [
                f"{chat}: {'bot' if m.from_bot else 'user'} {m.text[:100]!r} {m.buttons()}"
                for chat in sorted(chats)
                if chat >= USER_BASE
                for m in chats[chat][-4:]
            ]
            raise AssertionError(
                f"no kill within {WAIT_SECONDS:.0f} s {what}; the users' chats end:\n"
                + "\n".join(seen)
            )


def _kind(params: dict[str, Any], users: set[int]) -> str | None:
    text = str(params.get("text", ""))
    if text.startswith(REMINDER_MARK):
        return "dispatch"
    if int(params.get("chat_id", 0)) in users and (
        NOTE_SAVED in text or f"· {USER_ALIAS} ·" in text
    ):
        return "conversation"
    return None


def play(scenario: Scenario, url: str, logs: Path, runs: int, seed: int) -> Result:
    """Play `runs` runs of the scenario on the (migrated, empty) database at `url`."""
    rng = random.Random(seed)
    started = time.monotonic()
    result = Result(scenario.name, seed, runs=runs)
    world = World(url, Cipher.generate_key())
    user_ids = [USER_BASE + n for n in range(USERS)]
    world.seed_users(user_ids)
    due: dict[int, int] = {}
    deliveries: list[tuple[int, str, float]] = []
    with live_standin() as standin:
        telegram = standin.telegram
        fleet = Fleet(standin, url, world.key, logs)
        killer = Tripwire(fleet)
        users_set = set(user_ids)

        def listen(method: str, params: dict[str, Any], _result: Any) -> None:
            kind = _kind(params, users_set) if method == "sendMessage" else None
            if kind == "dispatch":
                deliveries.append((int(params["chat_id"]), CALLER.get(), time.monotonic()))
            if kind is not None:
                killer.delivered(kind, CALLER.get())

        telegram.listeners.append(listen)
        users = Users(standin, fleet, user_ids, seed)
        try:
            running = {role: fleet.start(role) for role in scenario.roles}
            users.start()
            for run in range(runs):
                chats = [CHAT_BASE + run * 1000 + n for n in range(BATCH)]
                ids = world.seed_due(chats, alias=f"R{run}")
                due.update(zip(chats, ids, strict=True))
                _inject_faults(telegram, rng, chats, user_ids)
                # A kill in the middle of this batch's dispatch ...
                killer.arm("dispatch", rng.randint(1, BATCH // 2))
                killer.wait(f"in run {run}'s dispatch")
                _restart(fleet, running)
                # ... and one right as the bot tells a user an answer is saved.
                killer.arm("conversation", rng.randint(1, 6))
                killer.wait(f"in run {run}'s conversations")
                _restart(fleet, running)
                _wait_for_batch(world, ids)
            users.stop()
            for process in fleet.live():
                fleet.stop(process)
            # Ten minutes later: the dead processes' leases have run out, the reminders
            # put back for a later try are due again. One clean process sends them.
            world.let_time_pass(list(due.values()))
            last = fleet.start("all")
            _wait_for_all_sent(world, list(due.values()))
            # A call held past the client's timeout counts as sent at once but reaches
            # the chat only when the stand-in lets it go: count deliveries after that.
            _wait_until_nothing_held(telegram)
            fleet.stop(last)
        finally:
            users.stop()
            fleet.shutdown()
        calls = list(telegram.calls)
        result.kills = len(fleet.kills)
        result.faults = len(telegram.struck)
        stored = world.stored_texts()
        logs_text = fleet.logs_text()
        count_answers(result, users.typed, stored, dict(telegram.chats))
        result.problems.extend(f"update {u} fetched twice" for u in fleet.fetched_twice)
        statuses = {rid: status for rid, (status, _) in world.reminders(list(due.values())).items()}
        count_reminders(result, due, statuses, deliveries, calls, fleet.kills)
        count_exceptions(result, logs_text)
        typed_by = {t.text: p.user_id for p in users.people for t in p.typed}
        count_leaks(result, users.typed, typed_by, users.fnrs, calls, logs_text, stored)
        for process in fleet.processes:
            # Every process not killed ran until SIGTERM and then stopped cleanly.
            if not process.killed and (process.stopped_code, process.popen.returncode) != (0, 0):
                result.exceptions += 1
                result.problems.append(
                    f"{process.name} ended with {process.popen.returncode}"
                    f" (stopped by the test: {process.stopped_code is not None})"
                )
    result.seconds = time.monotonic() - started
    return result


def _restart(fleet: Fleet, running: dict[str, Process]) -> None:
    for role, process in list(running.items()):
        if process.killed:
            process.popen.wait(30)
            running[role] = fleet.start(role)


def _inject_faults(
    telegram: Any, rng: random.Random, chats: list[int], user_ids: list[int]
) -> None:
    """This run's faults: ambiguous answers and a hang on reminders, a short 429 storm for
    every chat, a flood in one user's chat, lost and ambiguous replies to users."""
    some = rng.sample(chats, 3)
    telegram.fail("delivered_then_timeout", method="sendMessage", chat_id=some[0])
    telegram.fail("500_after_delivery", method="sendMessage", chat_id=some[1])
    telegram.fail("hang", method="sendMessage", chat_id=some[2], seconds=HANG_SECONDS)
    telegram.fail("retry_after", method="sendMessage", chat_id=rng.choice(chats), times=3)
    telegram.storm(rng.uniform(0.5, 1.5))
    telegram.storm(rng.uniform(1.0, 2.0), chat_id=rng.choice(user_ids))
    telegram.fail("network", method="sendMessage", chat_id=rng.choice(user_ids))
    telegram.fail("delivered_then_timeout", method="sendMessage", chat_id=rng.choice(user_ids))


def _wait_for_batch(world: World, ids: list[int]) -> None:
    """Until no reminder of the batch is due and unclaimed (the live processes sent what
    they could; claims of killed processes wait for their lease)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if not world.due_now(ids):
            return
        time.sleep(0.3)
    raise AssertionError(f"reminders still due after {WAIT_SECONDS:.0f} s: {world.due_now(ids)}")


def _wait_until_nothing_held(telegram: Any) -> None:
    deadline = time.monotonic() + HANG_SECONDS + 5
    while telegram.holding and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not telegram.holding, "the stand-in still holds a call"


def _wait_for_all_sent(world: World, ids: list[int]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        statuses = world.reminders(ids)
        if all(status in ("sent", "failed") for status, _ in statuses.values()):
            return
        time.sleep(0.3)
