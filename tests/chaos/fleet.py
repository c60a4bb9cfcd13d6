"""Real `koordbot run` processes against the HTTP stand-in: started, killed with SIGKILL,
restarted and stopped by the chaos suite. Each process gets a bot token of its own, so
the stand-in knows which one made each call (`ApiCall.caller`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from koordbot.standin.model import CALLER
from tests.conftest import ADMIN_ID
from tests.ops_live import ROOT, LiveStandin, clean_env

START_SECONDS = 60.0
STOP_SECONDS = 30.0


@dataclass
class Kill:
    """One SIGKILL: which process, when, and why (`dispatch` or `conversation`)."""

    token: str
    at: float
    during: str


@dataclass
class Process:
    """One incarnation of `koordbot run` (a restart is a new one, with a new token)."""

    name: str
    role: str
    token: str
    log: Path
    popen: subprocess.Popen[bytes]
    started: float = field(default_factory=time.monotonic)
    killed: bool = False
    stopped_code: int | None = None

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None


class Fleet:
    """The bot processes of one scenario on one database."""

    def __init__(self, standin: LiveStandin, database_url: str, key: str, logs: Path) -> None:
        self.standin = standin
        self.database_url = database_url
        self.key = key
        self.logs = logs
        self.processes: list[Process] = []
        self.kills: list[Kill] = []
        self.lock = threading.Lock()
        # Set while the process that polls for updates is up (the users wait for it).
        self.polling = threading.Event()
        self.fetched: dict[int, str] = {}  # update id -> token of the process that got it
        self.fetched_twice: list[int] = []
        standin.telegram.listeners.append(self._fetched)

    def _fetched(self, method: str, params: dict[str, Any], result: Any) -> None:
        if method == "getUpdates":
            for update in result:
                if int(update["update_id"]) in self.fetched:
                    self.fetched_twice.append(int(update["update_id"]))
                self.fetched[int(update["update_id"])] = CALLER.get()

    def lost(self, update_id: int) -> bool:
        """Whether the update went to a process that has been killed since."""
        token = self.fetched.get(update_id)
        return token is not None and any(p.killed for p in self.processes if p.token == token)

    def env(self, token: str) -> dict[str, str]:
        return clean_env(
            {
                "TELEGRAM_BOT_TOKEN": token,
                "KOORDBOT_ENCRYPTION_KEY": self.key,
                "KOORDBOT_ADMIN_IDS": str(ADMIN_ID),
                "KOORDBOT_DATABASE_URL": self.database_url,
                "KOORDBOT_BOT_API_URL": self.standin.url,
                "KOORDBOT_SWEEP_SECONDS": "5",
                "KOORDBOT_FREE_TEXT": "chat",
            }
        )

    def start(self, role: str) -> Process:
        """Start `koordbot run --role ROLE` and wait until it talks to the stand-in."""
        with self.lock:
            number = len(self.processes) + 1
            token = f"7000000001:AAH-chaos-{number:03d}-{os.urandom(6).hex()}"
            log = self.logs / f"p{number:03d}-{role}.log"
            with log.open("wb") as out:
                popen = subprocess.Popen(
                    [sys.executable, "-m", "koordbot.cli", "run", "--role", role],
                    env=self.env(token),
                    cwd=ROOT,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            process = Process(f"p{number}", role, token, log, popen)
            self.processes.append(process)
        method = "getUpdates" if role in ("all", "updates") else None
        self.standin.wait_for(
            lambda: not process.alive or self._called(process.token, method), START_SECONDS
        )
        if not process.alive:
            raise AssertionError(f"{process.name} ({role}) did not start:\n{self.tail(process)}")
        if method:
            self.polling.set()
        return process

    def _called(self, token: str, method: str | None) -> bool:
        return any(
            c.caller == token and (method is None or c.method == method)
            for c in list(self.standin.telegram.calls)
        )

    def kill(self, process: Process, during: str) -> None:
        """SIGKILL, as power loss or the OOM killer would (callable from any thread)."""
        with self.lock:
            if process.killed or not process.alive:
                return
            process.killed = True
            if process.role in ("all", "updates"):
                self.polling.clear()
            os.kill(process.popen.pid, signal.SIGKILL)
            self.kills.append(Kill(process.token, time.monotonic(), during))

    def stop(self, process: Process) -> None:
        """SIGTERM and wait: a clean stop must end with exit code 0."""
        if process.alive:
            if process.role in ("all", "updates"):
                self.polling.clear()
            process.popen.send_signal(signal.SIGTERM)
        try:
            process.stopped_code = process.popen.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.popen.kill()
            process.stopped_code = process.popen.wait(STOP_SECONDS)

    def live(self) -> list[Process]:
        return [p for p in self.processes if p.alive and not p.killed]

    def shutdown(self) -> None:
        """Stop every process still running (also on a failing test)."""
        for process in self.processes:
            if process.alive and not process.killed:
                self.stop(process)
            elif process.alive:
                process.popen.wait(STOP_SECONDS)

    @staticmethod
    def tail(process: Process, size: int = 3000) -> str:
        return process.log.read_text(errors="replace")[-size:]

    def logs_text(self) -> dict[str, str]:
        return {p.name: p.log.read_text(errors="replace") for p in self.processes}
