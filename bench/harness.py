"""Drive an Application the way the tests do: update JSON in through
`Application.process_update`, Bot API calls out to the stand-in. The same feeding and
timing code serves the bot and the echo baseline."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, MessageHandler, filters

from bench.config import NOW, bench_settings, cipher
from bot import access
from bot.clock import Clock, ManualClock
from bot.reminders.pacing import SendBudget
from koordbot.app import LOCAL_TOKEN, App, build_application, start_app, stop_app
from koordbot.sending import BudgetRateLimiter
from koordbot.standin import FakeTelegram, StandinRequest
from storage.db import Database

AnyApp = Application[Any, Any, Any, Any, Any, Any]


@asynccontextmanager
async def running_bot(
    url: str, telegram: FakeTelegram, clock: Clock | None = None, *, jobs: bool = True
) -> AsyncIterator[App]:
    """The real bot (`build_application`) on `url`, started as `run_polling` would
    (without `jobs`: no sweep on the job queue; the benchmark runs it itself)."""
    app = build_application(
        bench_settings(url),
        clock=clock or ManualClock(NOW),
        telegram=telegram,
        cipher=cipher(),
        jobs=jobs,
    )
    await start_app(app)
    try:
        yield app
    finally:
        await stop_app(app)


def echo_application(telegram: FakeTelegram, db: Database | None = None) -> AnyApp:
    """The baseline: one MessageHandler that sends the text back. Same request class and
    the same rate limiter as the bot, so the difference is the bot's own work.

    With `db`, the handler first looks the sender up as the bot's access check does
    (one session, one indexed SELECT): the floor of any command for a koordinator."""
    app: AnyApp = (
        ApplicationBuilder()
        .token(LOCAL_TOKEN)
        .request(StandinRequest(telegram))
        .get_updates_request(StandinRequest(telegram))
        .rate_limiter(BudgetRateLimiter(SendBudget()))
        .build()
    )

    async def echo(update: Update, context: Any) -> None:
        assert update.effective_chat is not None and update.message is not None
        if db is not None:
            async with db.session() as session:
                await access.koordinator_by_telegram_id(session, update.effective_chat.id)
        await context.bot.send_message(update.effective_chat.id, update.message.text or "?")

    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


@asynccontextmanager
async def running_echo(telegram: FakeTelegram, url: str | None = None) -> AsyncIterator[AnyApp]:
    """The echo baseline, initialised; with `url`, the echo-after-lookup one."""
    db = Database(url, cipher()) if url else None
    app = echo_application(telegram, db)
    await app.initialize()
    try:
        yield app
    finally:
        await app.shutdown()
        if db is not None:
            await db.dispose()


async def feed(app: AnyApp, update_json: dict[str, Any]) -> float:
    """Process one update to the end; returns the seconds it took."""
    started = time.perf_counter()
    await app.process_update(Update.de_json(update_json, app.bot))
    return time.perf_counter() - started


class LogTally(logging.Handler):
    """Counts warnings and errors instead of printing thousands of lines; keeps one
    example of each kind for the report."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[tuple[str, str]] = Counter()
        self.examples: dict[tuple[str, str], str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        key = (record.levelname, record.name)
        self.counts[key] += 1
        if key not in self.examples:
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                text += f" ({record.exc_info[1]!r:.160})"
            self.examples[key] = text[:240]

    def errors(self) -> int:
        return sum(n for (level, _), n in self.counts.items() if level in ("ERROR", "CRITICAL"))

    def reset(self) -> None:
        self.counts.clear()
        self.examples.clear()

    def summary(self) -> list[str]:
        return [
            f"{n:>6} x {level} {name}: {self.examples[(level, name)]}"
            for (level, name), n in self.counts.most_common()
        ]


def install_tally() -> LogTally:
    """Route all logging to a tally (and nowhere else)."""
    tally = LogTally()
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(tally)
    root.setLevel(logging.WARNING)
    return tally
