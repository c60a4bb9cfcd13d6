"""The morning wave: N koordinatorer press Utført on this morning's reminder (and,
separately, send /neste) within one second, while a dispatch of the morning's
reminders runs. Through the real Application (updates on its queue, the update
processor running people side by side) and the stand-in enforcing Telegram's limits.

Figures: the time until the last answer against the floor Telegram's limits allow for
the calls the answers need (calls / 30 a second), p50/p99 per answer, answers within
5 s, 429s, and whether every reminder of the dispatch still arrived exactly once. A run
with an error logged or a press left without an answer is a MISS whatever its time.
Baseline in the same run: the CPU floor, the same burst against a stand-in without
limits and a no-op handler. Memory: the peak of this process during the burst and the
sweep (the peak is reset just before)."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from telegram import Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bench.config import Target, cipher
from bench.dispatch import sent_count
from bench.harness import AnyApp, LogTally, running_bot
from bench.load import bench_dispatch, reset_dispatch
from bench.report import Figure, percentile
from bot.reminders.sweep import Sweep
from handlers import callbacks
from handlers.context import services_of
from koordbot.app import LOCAL_TOKEN
from koordbot.standin import FakeTelegram, FakeUser, StandinRequest
from koordbot.updates import PerUserOrder
from storage.db import Database
from storage.models import Case, Deadline, Koordinator, Reminder

TELEGRAM_RATE = 30.0
TARGET_RATIO = 1.5  # last answer within 1.5x the floor (PostgreSQL)
SQLITE_VS_PG = 2.0  # SQLite within 2x PostgreSQL
WITHIN_S = 5.0
PRESSES = 2_000  # at scale 1
DISPATCH = 1_000  # reminders going out during the burst, at scale 1
MEMORY_MB = 250.0
# Methods the stand-in counts against Telegram's limits (koordbot/standin/api.py).
LIMITED = {"sendMessage", "sendDocument", "sendPhoto", "editMessageText", "copyMessage"}
KINDS = {"done": "Utført", "neste": "/neste"}


@dataclass(frozen=True)
class Presser:
    chat_id: int
    deadline_id: int


@dataclass
class Outcome:
    """What one burst came to."""

    presses: int
    last_s: float  # from the first press until the last answer
    waits: list[float]  # seconds from each press to its answer
    unanswered: int
    limited_calls: int  # calls the answers needed that count against the limits
    too_many: int
    errors: int
    due: int
    delivered_once: int
    twice: int
    rows_sent: int
    peak_mb: float

    @property
    def floor_s(self) -> float:
        return self.limited_calls / TELEGRAM_RATE


async def pressers(url: str, first: int, count: int) -> list[Presser]:
    """Koordinatorer (distinct) whose reminder of this morning was sent already: the
    dispatch set from position `first` on (the ones before are being dispatched)."""
    db = Database(url, cipher())
    try:
        async with db.session() as session:
            rows = await session.execute(
                select(Koordinator.telegram_user_id, Reminder.deadline_id)
                .join(bench_dispatch, bench_dispatch.c.reminder_id == Reminder.id)
                .join(Deadline, Deadline.id == Reminder.deadline_id)
                .join(Case, Case.id == Deadline.case_id)
                .join(Koordinator, Koordinator.id == Case.koordinator_id)
                .where(bench_dispatch.c.n >= first, bench_dispatch.c.n < first + count)
                .order_by(bench_dispatch.c.n)
            )
            return [Presser(int(chat), int(did)) for chat, did in rows.all()]
    finally:
        await db.dispose()


async def dispatch_chats(url: str, count: int) -> list[int]:
    """The chats the dispatch sends to (the first `count` of the dispatch set)."""
    db = Database(url, cipher())
    try:
        async with db.session() as session:
            found = await session.scalars(
                select(Koordinator.telegram_user_id)
                .join(Case, Case.koordinator_id == Koordinator.id)
                .join(Deadline, Deadline.case_id == Case.id)
                .join(Reminder, Reminder.deadline_id == Deadline.id)
                .join(bench_dispatch, bench_dispatch.c.reminder_id == Reminder.id)
                .where(bench_dispatch.c.n < count)
            )
            return [int(c) for c in found.all()]
    finally:
        await db.dispose()


async def undo_presses(url: str, who: list[Presser]) -> tuple[list[int], list[int]]:
    """What a burst of Utført changes, read before it: (open deadlines, their pending
    reminders). `restore` puts them back, so the next run finds the same data."""
    db = Database(url, cipher())
    ids = [p.deadline_id for p in who]
    try:
        async with db.session() as session:
            open_ids = await session.scalars(
                select(Deadline.id).where(Deadline.id.in_(ids), Deadline.status == "open")
            )
            pending = await session.scalars(
                select(Reminder.id).where(
                    Reminder.deadline_id.in_(ids), Reminder.status == "pending"
                )
            )
            return list(open_ids.all()), list(pending.all())
    finally:
        await db.dispose()


async def restore(url: str, deadline_ids: list[int], reminder_ids: list[int]) -> None:
    db = Database(url, cipher())
    try:
        async with db.session() as session:
            if deadline_ids:
                await session.execute(
                    update(Deadline)
                    .where(Deadline.id.in_(deadline_ids))
                    .values(status="open", done_at=None)
                )
            if reminder_ids:
                await session.execute(
                    update(Reminder).where(Reminder.id.in_(reminder_ids)).values(status="pending")
                )
    finally:
        await db.dispose()


def noop_application(telegram: FakeTelegram, concurrency: int) -> AnyApp:
    """The CPU floor: the same update processor and stand-in, no rate limiter, and
    handlers that make the same calls (answer and edit; send) without any work."""
    app: AnyApp = (
        ApplicationBuilder()
        .token(LOCAL_TOKEN)
        .request(StandinRequest(telegram))
        .get_updates_request(StandinRequest(telegram))
        .concurrent_updates(PerUserOrder(concurrency))
        .build()
    )

    async def pressed(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text("✅")

    async def command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "ok")

    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.TEXT, command))
    return app


def reset_peak_memory() -> bool:
    """Reset this process's peak RSS (Linux: clear_refs 5), so the next reading is the
    peak of what follows. Freed memory is handed back to the system first: what
    building the data or an earlier burst left in the allocator is not the bot's."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def memory_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB."""
    values = {"VmRSS": 0.0, "VmHWM": 0.0}
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            key = line.split(":")[0]
            if key in values:
                values[key] = int(line.split()[1]) / 1024
    return values["VmRSS"], values["VmHWM"]


class Answers:
    """The stand-in's listener: when each presser's chat got its answer (the first
    message or edit to it), and what the dispatch delivered to whom."""

    def __init__(self, asked: dict[int, float], dispatch: set[int]) -> None:
        self.asked = asked
        self.dispatch = dispatch
        self.at: dict[int, float] = {}
        self.limited = 0
        self.reminders: Counter[int] = Counter()
        self.done = asyncio.Event()

    def __call__(self, method: str, params: dict[str, Any], result: Any) -> None:
        if method not in LIMITED:
            return
        chat = int(params.get("chat_id", 0))
        if chat in self.dispatch:
            self.reminders[chat] += 1
        elif chat in self.asked:
            self.limited += 1
            if chat not in self.at:
                self.at[chat] = time.monotonic()
                if len(self.at) == len(self.asked):
                    self.done.set()


def updates_for(kind: str, telegram: FakeTelegram, who: list[Presser]) -> list[dict[str, Any]]:
    """One update per presser: pressing Utført under this morning's reminder, or /neste."""
    updates = []
    for p in who:
        user = FakeUser(telegram, p.chat_id)
        if kind == "neste":
            updates.append(user.message("/neste"))
            continue
        data = callbacks.make("u", p.deadline_id)
        reminder = telegram.bot_message(
            p.chat_id,
            "⏰ Påminnelse",
            [[{"text": "✅ Utført", "callback_data": data}]],
        )
        updates.append(user.press(reminder, data))
    return updates


async def press_within_a_second(
    app: AnyApp, updates: list[dict[str, Any]], who: list[Presser], asked: dict[int, float]
) -> float:
    """Put the updates on the application's queue, spread over one second; returns
    when the first went in."""
    first = time.monotonic()
    slices = 20
    per_slice = max(1, -(-len(updates) // slices))
    for i in range(0, len(updates), per_slice):
        for update_json, p in zip(updates[i : i + per_slice], who[i : i + per_slice], strict=True):
            asked[p.chat_id] = time.monotonic()
            await app.update_queue.put(Update.de_json(update_json, app.bot))
        await asyncio.sleep(max(0.0, first + (i // per_slice + 1) / slices - time.monotonic()))
    return first


async def wait_for_answers(answers: Answers, app: AnyApp, seconds: float) -> None:
    try:
        await asyncio.wait_for(answers.done.wait(), seconds)
    except TimeoutError:
        pass
    try:
        await asyncio.wait_for(app.update_queue.join(), 30)
    except TimeoutError:
        pass


async def cpu_floor(kind: str, who: list[Presser], concurrency: int) -> float:
    """Seconds from the first update to the last answer without limits or work."""
    telegram = FakeTelegram()
    app = noop_application(telegram, concurrency)
    asked: dict[int, float] = {}
    answers = Answers(asked, set())
    telegram.listeners.append(answers)
    updates = updates_for(kind, telegram, who)
    await app.initialize()
    await app.start()
    try:
        first = await press_within_a_second(app, updates, who, asked)
        await wait_for_answers(answers, app, 120)
    finally:
        await app.stop()
        await app.shutdown()
    return max(answers.at.values(), default=first) - first


async def one_burst(
    target: Target, kind: str, who: list[Presser], dispatch_count: int, tally: LogTally
) -> Outcome:
    """One burst of `kind` while `dispatch_count` reminders go out."""
    db = Database(target.url, cipher())
    try:
        due = await reset_dispatch(db, dispatch_count)
    finally:
        await db.dispose()
    to_restore = await undo_presses(target.url, who) if kind == "done" else ([], [])
    dispatch_to = set(await dispatch_chats(target.url, dispatch_count))
    telegram = FakeTelegram(enforce_limits=True)
    asked: dict[int, float] = {}
    answers = Answers(asked, dispatch_to)
    updates = updates_for(kind, telegram, who)
    tally.reset()
    try:
        async with running_bot(target.url, telegram, jobs=False) as app:
            telegram.listeners.append(answers)
            await app.start()
            try:
                reset_peak_memory()
                before, _ = memory_mb()
                dispatch = asyncio.create_task(Sweep(services_of(app)).send_due())
                await asyncio.sleep(1.0)  # the dispatch is under way
                first = await press_within_a_second(app, updates, who, asked)
                await wait_for_answers(answers, app, max(600.0, 10 * len(who) / TELEGRAM_RATE))
                await dispatch
            finally:
                await app.stop()
        _, peak = memory_mb()
        print(f"    memory: {before:.0f} MB when the burst began, peak {peak:.0f} MB")
    finally:
        if kind == "done":
            await restore(target.url, *to_restore)
    waits = [answers.at[c] - asked[c] for c in asked if c in answers.at]
    once = sum(1 for c in dispatch_to if answers.reminders[c] == 1)
    return Outcome(
        presses=len(who),
        last_s=max(answers.at.values(), default=first) - first,
        waits=waits,
        unanswered=len(asked) - len(answers.at),
        limited_calls=answers.limited,
        too_many=telegram.too_many_requests,
        errors=tally.errors(),
        due=due,
        delivered_once=once,
        twice=sum(max(0, n - 1) for n in answers.reminders.values()),
        rows_sent=await sent_count(target.url, dispatch_count),
        peak_mb=peak,
    )


def figures_of(kind: str, out: Outcome, cpu_s: float) -> list[Figure]:
    name = f"burst {KINDS[kind]}"
    clean = out.errors == 0 and out.unanswered == 0
    p50 = percentile(out.waits, 50) if out.waits else float("nan")
    p99 = percentile(out.waits, 99) if out.waits else float("nan")
    within = sum(1 for w in out.waits if w <= WITHIN_S)
    return [
        Figure(
            f"{name}: {out.presses:,} presses, last answer",
            out.last_s,
            "s",
            out.floor_s,
            f"floor {out.limited_calls:,} calls/30 s",
            f"<= {TARGET_RATIO}x floor, no error, all answered",
            out.last_s <= TARGET_RATIO * out.floor_s and clean,
        ),
        Figure(f"{name}: CPU floor (no limits, no-op handler)", cpu_s, "s"),
        Figure(f"{name}: p50 per answer", p50, "s"),
        Figure(f"{name}: p99 per answer", p99, "s"),
        Figure(
            f"{name}: answered within {WITHIN_S:.0f} s", within, "", float(out.presses), "presses"
        ),
        Figure(
            f"{name}: errors logged + presses unanswered",
            out.errors + out.unanswered,
            "",
            target="0",
            ok=clean,
        ),
        Figure(f"{name}: 429 answers", out.too_many, "", target="0", ok=out.too_many == 0),
        Figure(
            f"{name}: dispatch delivered exactly once",
            out.delivered_once,
            "",
            float(out.due),
            "due",
            f"{out.due:,}, none twice",
            out.delivered_once == out.due == out.rows_sent and out.twice == 0,
        ),
        Figure(
            f"{name}: peak memory, burst + sweep",
            out.peak_mb,
            "MB",
            target=f"< {MEMORY_MB:.0f} MB",
            ok=out.peak_mb < MEMORY_MB,
        ),
    ]


async def run(
    target: Target, presses: int, dispatch_count: int, tally: LogTally, kinds: tuple[str, ...]
) -> tuple[list[Figure], dict[str, float]]:
    """Both bursts on one backend: the figures, and the last answer of each (for the
    comparison of SQLite with PostgreSQL)."""
    who = await pressers(target.url, dispatch_count, presses)
    if len(who) < presses:
        print(f"  burst: only {len(who):,} koordinatorer available for {presses:,} presses")
    concurrency = 32
    figures: list[Figure] = []
    last: dict[str, float] = {}
    for kind in kinds:
        cpu_s = await cpu_floor(kind, who, concurrency)
        rss, _ = memory_mb()
        print(
            f"  burst {KINDS[kind]}: {len(who):,} presses within 1 s while {dispatch_count:,} "
            f"reminders go out (CPU floor {cpu_s:.2f} s; {rss:.0f} MB before) ..."
        )
        out = await one_burst(target, kind, who, dispatch_count, tally)
        last[kind] = out.last_s
        print(
            f"    last answer after {out.last_s:.1f} s; floor {out.floor_s:.1f} s for "
            f"{out.limited_calls:,} limited calls; {out.unanswered} unanswered, "
            f"{out.errors} errors, {out.too_many} x 429; dispatch {out.delivered_once:,}/"
            f"{out.due:,} once, {out.twice} twice, {out.rows_sent:,} rows sent"
        )
        for line in tally.summary()[:6]:
            print(f"    log: {line}")
        figures += figures_of(kind, out, cpu_s)
    return figures, last


def compare(sqlite: dict[str, float], postgresql: dict[str, float]) -> list[Figure]:
    """SQLite's last answer against PostgreSQL's, per burst."""
    pg = postgresql
    return [
        Figure(
            f"burst {KINDS[kind]}: SQLite last answer",
            sqlite[kind],
            "s",
            pg[kind],
            "PostgreSQL",
            f"<= {SQLITE_VS_PG:.0f}x PostgreSQL",
            sqlite[kind] <= SQLITE_VS_PG * pg[kind],
        )
        for kind in KINDS
        if kind in sqlite and kind in pg
    ]
