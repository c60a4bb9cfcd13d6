"""Chaos: real `koordbot run` processes against the HTTP stand-in, killed with SIGKILL
at seeded random points while koordinatorer answer questions and while due reminders
go out, restarted, and faced with ambiguous answers, a hang and 429 storms. Fails on
any lost answer, false «lagret», lost reminder, duplicate outside the README's window
(only after a kill, only among the 8 in flight of the killed process), leak of a
fødselsnummer or of typed text, and any traceback or ERROR line.

KOORDBOT_CHAOS_RUNS (default 1) sets the runs per scenario (each run: a batch of 30
due reminders, one kill during its dispatch and one during the conversations);
KOORDBOT_CHAOS_SEED replays a seed printed in the table."""

from __future__ import annotations

import os
import random
from pathlib import Path

from tests.chaos.scenario import Scenario, play
from tests.chaos.tally import RESULTS, table
from tests.conftest import empty_postgres

RUNS = int(os.environ.get("KOORDBOT_CHAOS_RUNS", "1"))
SEED = os.environ.get("KOORDBOT_CHAOS_SEED")


def seed() -> int:
    return int(SEED) if SEED else random.SystemRandom().randrange(1, 1_000_000)


def check(scenario: Scenario, url: str, tmp_path: Path) -> None:
    result = play(scenario, url, tmp_path, RUNS, seed())
    RESULTS.append(result)
    assert not result.failed(), "\n".join([table([result]), *result.problems[:40]])


def test_one_process_on_sqlite(sqlite_url: str, tmp_path: Path) -> None:
    check(Scenario("1 process, SQLite", ("all",)), sqlite_url, tmp_path)


def test_one_process_on_postgresql(tmp_path: Path) -> None:
    check(Scenario("1 process, PostgreSQL", ("all",)), empty_postgres(), tmp_path)


def test_two_processes_on_postgresql(tmp_path: Path) -> None:
    check(Scenario("2 processes, PostgreSQL", ("all", "reminders")), empty_postgres(), tmp_path)
