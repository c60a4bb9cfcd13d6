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
from tests.chaos.users import Users
from tests.chaos.world import World
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


class DispatchKill:
    """Kill whichever process makes the k-th reminder delivery of a batch, right when
    the stand-in has delivered it and before its answer is on the way back."""

    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet
        self.target: int | None = None
        self.count = 0
        self.done = threading.Event()

    def arm(self, k: int) -> None:
        self.count, self.target = 0, k
        self.done.clear()

    def delivered(self, caller: str) -> None:
        if self.target is None:
            return
        self.count += 1
        if self.count >= self.target:
            self.target = None
            process = next(p for p in self.fleet.processes if p.token == caller)
            self.fleet.kill(process, "dispatch")
            self.done.set()


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
        killer = DispatchKill(fleet)

        def listen(method: str, params: dict[str, Any], _result: Any) -> None:
            if method == "sendMessage" and str(params.get("text", "")).startswith(REMINDER_MARK):
                deliveries.append((int(params["chat_id"]), CALLER.get(), time.monotonic()))
                killer.delivered(CALLER.get())

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
                killer.arm(rng.randint(1, BATCH // 2))
                if not killer.done.wait(WAIT_SECONDS):
                    raise AssertionError(f"run {run}: the dispatch did not reach the kill")
                _restart(fleet, running)
                # ... and one while the users are answering.
                time.sleep(rng.uniform(0.5, 3.0))
                victim = running[rng.choice(scenario.roles)]
                fleet.kill(victim, "conversation")
                _restart(fleet, running)
                _wait_for_batch(world, ids)
            users.stop()
            for process in fleet.live():
                fleet.stop(process)
            # Ten minutes later: the dead processes' leases have run out, the reminders
            # put back for a later try are due again. One clean process sends them.
            world.let_time_pass()
            last = fleet.start("all")
            _wait_for_all_sent(world, list(due.values()))
            fleet.stop(last)
        finally:
            users.stop()
            fleet.shutdown()
        calls = list(telegram.calls)
        result.kills = len(fleet.kills)
        result.faults = len(telegram.struck)
        stored = world.stored_texts()
        logs_text = fleet.logs_text()
        count_answers(result, users.typed, stored)
        statuses = {rid: status for rid, (status, _) in world.reminders(list(due.values())).items()}
        count_reminders(result, due, statuses, deliveries, calls, fleet.kills)
        count_exceptions(result, logs_text)
        typed_by = {t.text: p.user_id for p in users.people for t in p.typed}
        count_leaks(result, users.typed, typed_by, users.fnrs, calls, logs_text, stored)
        for process in fleet.processes:
            if not process.killed and process.stopped_code not in (0, None):
                result.exceptions += 1
                result.problems.append(f"{process.name} stopped with {process.stopped_code}")
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


def _wait_for_all_sent(world: World, ids: list[int]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        statuses = world.reminders(ids)
        if all(status in ("sent", "failed") for status, _ in statuses.values()):
            return
        time.sleep(0.3)
