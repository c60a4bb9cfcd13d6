"""Reminders going out: the sweep job, sending within Telegram's limits, and what
happens when Telegram says no (429, timeouts, a blocked bot)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot import deadlines, reminders
from bot.ratelimit import SendLimiter
from handlers import callbacks
from handlers.common import markup_of
from handlers.context import KContext, services_of

log = logging.getLogger(__name__)
BATCH = 500
JOB_NAME = "reminder-sweep"


@dataclass(frozen=True)
class Sent:
    message_id: int | None = None
    blocked: bool = False
    error: str | None = None


async def send_guarded(
    bot: Any, chat_id: int, text: str, markup: InlineKeyboardMarkup | None, attempts: int = 4
) -> Sent:
    """Send once, retrying flood control and network trouble a bounded number of times."""
    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            message = await bot.send_message(
                chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
            )
            return Sent(message_id=message.message_id)
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
            if attempt == attempts:
                return Sent(error=f"flood control: retry after {seconds}s")
            await asyncio.sleep(min(seconds, 60.0))
        except Forbidden as exc:
            return Sent(blocked=True, error=str(exc))
        except BadRequest as exc:
            return Sent(error=f"rejected: {exc}")
        except (TimedOut, NetworkError) as exc:
            if attempt == attempts:
                return Sent(error=f"network: {exc}")
            await asyncio.sleep(delay)
            delay *= 2
    return Sent(error="gave up")


def limiter_of(app: Any) -> SendLimiter:
    services = services_of(app)
    limiter = app.bot_data.get("send_limiter")
    if limiter is None:
        limiter = SendLimiter(
            services.settings.send_per_second, services.settings.send_per_chat_seconds
        )
        app.bot_data["send_limiter"] = limiter
    return limiter


def db_gate(app: Any) -> asyncio.Semaphore:
    """SQLite takes one writer at a time: queue the sweep's small transactions here
    instead of letting them wait on the database lock. PostgreSQL gets a wide gate."""
    gate = app.bot_data.get("db_gate")
    if gate is None:
        gate = asyncio.Semaphore(1 if services_of(app).db.is_sqlite else 20)
        app.bot_data["db_gate"] = gate
    return gate  # type: ignore[no-any-return]


def worker_of(app: Any) -> str:
    return app.bot_data.setdefault("worker_id", reminders.worker_id())  # type: ignore[no-any-return]


async def sweep_job(context: KContext) -> None:
    """The repeating job: send what is due. The database is the plan; this only acts."""
    await sweep(context.application)


async def sweep(app: Any) -> int:
    """Claim and send every due reminder; returns how many were handled."""
    services = services_of(app)
    handled = 0
    while True:
        now = services.now()
        # A fresh claim token per batch: two sweeps in one process never share rows.
        token = f"{worker_of(app)}-{uuid.uuid4().hex[:8]}"
        async with services.db.session() as session:
            ids = await reminders.claim(
                session, now=now, worker=token, limit=BATCH, postgres=not services.db.is_sqlite
            )
        if not ids:
            break
        await asyncio.gather(*(deliver(app, reminder_id, token) for reminder_id in ids))
        handled += len(ids)
        if len(ids) < BATCH:
            break
    await send_digests(app)
    from handlers.notices import long_overdue

    await long_overdue(app)
    await purge_expired(app)
    await services.db.mark_sweep_completed(services.now())
    return handled


async def purge_expired(app: Any) -> None:
    """Closed cases past the retention period are deleted for good (audited). Runs at
    most hourly; what to purge is decided by the database, so any process may do it."""
    from bot.retention import purge_closed

    services = services_of(app)
    last = app.bot_data.get("last_purge")
    if last is not None and services.now() - last < timedelta(hours=1):
        return
    app.bot_data["last_purge"] = services.now()
    async with services.db.session() as session:
        purged = await purge_closed(
            session, now=services.now(), retention_days=services.settings.retention_days
        )
    if purged:
        log.info("purged %d closed cases past retention", len(purged))
    from bot.retention import scrub

    await scrub(services.db)


async def deliver(app: Any, reminder_id: int, worker: str) -> None:
    """Send one claimed reminder (claimed under `worker`) and record the outcome."""
    services = services_of(app)
    try:
        async with db_gate(app), services.db.session() as session:
            out = await reminders.prepare(session, reminder_id, worker, services.now())
        if out is None:
            return
        texts = services.texts
        text = texts.render("reminders/reminder", r=out, today=services.today())
        keyboard = [
            [
                (texts.button("done_deadline"), callbacks.make("u", out.deadline_id)),
                (texts.button("open_case"), callbacks.make("c", out.case_id)),
            ],
            [
                (texts.button("snooze_1d"), callbacks.make("sn", out.deadline_id, "1d")),
                (texts.button("snooze_1w"), callbacks.make("sn", out.deadline_id, "1w")),
                (texts.button("snooze_pick"), callbacks.make("sn", out.deadline_id, "pick")),
            ],
        ]
        async with limiter_of(app).slot(out.chat_id):
            result = await send_guarded(app.bot, out.chat_id, text, markup_of(keyboard))
        newly_unreachable = None
        async with db_gate(app), services.db.session() as session:
            if result.message_id is not None:
                await reminders.mark_sent(session, reminder_id, result.message_id, services.now())
            elif result.blocked:
                koordinator = await reminders.mark_unreachable(
                    session, reminder_id, out.chat_id, services.now()
                )
                if koordinator is not None:
                    newly_unreachable = (koordinator.telegram_user_id, koordinator.name or "")
            else:
                log.warning("reminder %s not sent: %s", reminder_id, result.error)
                await reminders.release(
                    session, reminder_id, services.now(), result.error or "unknown"
                )
        if newly_unreachable is not None:
            from handlers.notices import notify_ke

            await notify_ke(
                app,
                "notices/unreachable",
                exclude_user=newly_unreachable[0],
                name=newly_unreachable[1],
            )
    except Exception:
        # One broken reminder must not stop the others; its lease runs out and it is
        # tried again by a later sweep.
        log.exception("reminder %s failed", reminder_id)


async def send_digests(app: Any) -> None:
    """Monday from the reminder hour: this week's and overdue deadlines, once a week."""
    services = services_of(app)
    local = services.local_now()
    if local.weekday() != 0 or local.hour < services.settings.reminder_hour:
        return
    week = f"{local.isocalendar().year}-W{local.isocalendar().week:02d}"
    async with services.db.session() as session:
        candidates = await reminders.digest_candidates(session)
    for koordinator in candidates:
        async with services.db.session() as session:
            if not await reminders.claim_digest(session, koordinator.id, week, services.now()):
                continue
            items = await deadlines.upcoming(
                session, koordinator.id, local.date() + timedelta(days=6)
            )
        text = services.texts.render("reminders/digest", items=items, today=local.date())
        async with limiter_of(app).slot(koordinator.telegram_user_id):
            await send_guarded(app.bot, koordinator.telegram_user_id, text, None)
