"""A Telegram stand-in served over HTTP from a background thread, so that real
`koordbot` processes (subprocesses) can be run against it while a test reads what
they sent and feeds them updates."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from koordbot.standin import ChatMessage, FakeTelegram
from koordbot.standin.http import BotApiServer

ROOT = Path(__file__).resolve().parents[1]


class LiveStandin:
    """The stand-in on its own event loop in a thread."""

    def __init__(self) -> None:
        self.telegram = FakeTelegram()
        self.server = BotApiServer(self.telegram)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> LiveStandin:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)
        self.telegram.updates = asyncio.Queue()
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    @property
    def url(self) -> str:
        return self.server.url

    def feed(self, update: dict[str, Any]) -> None:
        """Deliver an update to whichever process polls next."""
        queue = self.telegram.updates
        assert queue is not None
        self.loop.call_soon_threadsafe(queue.put_nowait, update)

    def wait_for(self, condition: Callable[[], Any], timeout: float = 20.0) -> Any:
        """Wait until `condition()` is truthy (the bot answers from another process)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError("the bot did not answer in time")

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        return [m for m in list(self.telegram.chats.get(chat_id, [])) if m.from_bot]

    def transcript(self, chat_id: int) -> str:
        return "\n".join(m.text for m in self.bot_messages(chat_id))

    def calls(self, method: str) -> list[dict[str, Any]]:
        return [c.params for c in list(self.telegram.calls) if c.method == method]


@contextmanager
def live_standin() -> Iterator[LiveStandin]:
    standin = LiveStandin().start()
    try:
        yield standin
    finally:
        standin.stop()


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment without any koordbot setting, plus `extra`."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KOORDBOT_", "TELEGRAM_")) and k != "CREDENTIALS_DIRECTORY"
    }
    return {**base, **(extra or {})}


def koordbot(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.Popen[str]:
    """Start `koordbot ARGS` in the background (stdout and stderr captured)."""
    return subprocess.Popen(
        [sys.executable, "-m", "koordbot.cli", *args],
        env=clean_env(env),
        cwd=cwd or ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
