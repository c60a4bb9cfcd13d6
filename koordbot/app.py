"""The Application factory: one place that wires settings, clock, database, texts and
handlers into a python-telegram-bot Application. Used by Telegram mode, local mode,
tests and benchmarks alike."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram.error import Conflict
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    ContextTypes,
)

import handlers
from bot.clock import Clock, SystemClock
from bot.conversations.definitions import DEFAULT_DIR, FORMS_DIR, Questionnaire, load_all
from bot.keys import make_cipher
from bot.reminders.pacing import SendBudget
from bot.reminders.sweep import Sweep
from bot.services import Services
from bot.settings import Settings
from handlers import menus
from handlers.context import KContext, services_of
from handlers.notifier import TelegramNotifier
from koordbot.sending import BudgetRateLimiter
from koordbot.standin import FakeTelegram, StandinRequest
from koordbot.updates import PerUserOrder
from messages import Texts
from storage.crypto import Cipher
from storage.db import Database

log = logging.getLogger(__name__)
LOCAL_TOKEN = "7000000001:local-stand-in-token"
# bot_data key of a fault that stopped the bot (run_telegram raises it after shutdown).
FATAL = "fatal_error"

App = Application[Any, KContext, Any, Any, Any, Any]


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    telegram: FakeTelegram | None = None,
    cipher: Cipher | None = None,
    local: bool = False,
    jobs: bool = True,
) -> App:
    """Build the bot. With `telegram` it talks to the stand-in instead of the network;
    without `jobs` it runs no reminder sweep (a process that only answers updates)."""
    texts = Texts()
    # A broken definition file stops start-up here, naming file, step and reason.
    questionnaires = load_questionnaires(settings, texts)
    token = settings.telegram_bot_token.get_secret_value() or LOCAL_TOKEN
    # One sending budget: replies to people first, reminders and notices fill the rest.
    budget = SendBudget(settings.send_per_second, settings.send_per_chat_seconds)
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(token)
        .context_types(ContextTypes(context=KContext))
        # Different people at once, one person's updates in order.
        .concurrent_updates(PerUserOrder(settings.concurrent_updates))
        .rate_limiter(BudgetRateLimiter(budget))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if telegram is not None:
        builder = builder.request(StandinRequest(telegram)).get_updates_request(
            StandinRequest(telegram)
        )
    if settings.bot_api_url:
        urls = api_urls(settings)
        builder = builder.base_url(urls["base_url"]).base_file_url(urls["base_file_url"])
    app: App = builder.build()
    services = Services(
        settings=settings,
        clock=clock or SystemClock(),
        db=Database(settings.database_url, cipher or make_cipher(settings, local=local)),
        texts=texts,
        questionnaires=questionnaires,
        forms=load_all(FORMS_DIR, env=texts.env, labels=texts.labels),
        notifier=TelegramNotifier(app.bot, texts, budget),
    )
    app.bot_data["services"] = services
    # First among the error handlers, so a 409 is not also logged as a handler fault.
    app.add_error_handler(_stop_on_conflict)
    handlers.register(app)
    sweep = Sweep(services)
    app.bot_data[SWEEP] = sweep
    if jobs:
        schedule_jobs(app, sweep)
    return app


async def _stop_on_conflict(update: object, context: KContext) -> None:
    """Another process polls with this token (409): stop instead of fighting over it."""
    if isinstance(context.error, Conflict):
        context.application.bot_data[FATAL] = context.error
        context.application.stop_running()
        raise ApplicationHandlerStop


def api_urls(settings: Settings) -> dict[str, str]:
    """`base_url` and `base_file_url` for a custom Bot API server (empty: Telegram's)."""
    if not settings.bot_api_url:
        return {}
    root = settings.bot_api_url.removesuffix("/bot")
    return {"base_url": settings.bot_api_url, "base_file_url": f"{root}/file/bot"}


SWEEP = "sweep"
# The reminder jobs (bot/reminders/sweep.py) in the order a test's `sweep()` runs them,
# and how often each runs (None: every KOORDBOT_SWEEP_SECONDS).
SweepJob = Callable[[Sweep], Awaitable[Any]]
SWEEP_JOBS: tuple[tuple[str, SweepJob, int | None], ...] = (
    ("reminders-due", Sweep.send_due, None),
    ("weekly-digests", Sweep.send_digests, None),
    ("ke-long-overdue", Sweep.notify_long_overdue, None),
    ("ke-vg1-cases", Sweep.bring_vg1_cases, None),
    ("retention-purge", Sweep.purge_expired, 3600),
)


def schedule_jobs(app: App, sweep: Sweep) -> None:
    """Run the reminder jobs on the application's job queue."""
    if app.job_queue is None:
        return
    every = sweep.services.settings.sweep_seconds
    for name, job, interval in SWEEP_JOBS:
        app.job_queue.run_repeating(
            _as_job(job, sweep), interval=interval or every, first=5, name=name
        )


def _as_job(job: SweepJob, sweep: Sweep) -> Callable[[KContext], Coroutine[Any, Any, None]]:
    async def run(_context: KContext) -> None:
        await job(sweep)

    return run


def load_questionnaires(settings: Settings, texts: Texts) -> dict[str, Questionnaire]:
    """The shipped conversations, with a municipality's own files (same file name)
    from KOORDBOT_QUESTIONNAIRE_DIR taking their place."""
    loaded = load_all(DEFAULT_DIR, env=texts.env, labels=texts.labels)
    if settings.questionnaire_dir is not None:
        loaded.update(load_all(settings.questionnaire_dir, env=texts.env, labels=texts.labels))
    return loaded


async def _post_init(app: App) -> None:
    services = services_of(app)
    await services.db.upgrade()
    await menus.publish(app)


async def _post_shutdown(app: App) -> None:
    await services_of(app).db.dispose()


async def run_sweep_once(app: App) -> None:
    """Every reminder job once, now, in order (local mode's `!tid`, the tests): the
    reminders, digests and KE notices that are due go out."""
    sweep: Sweep = app.bot_data[SWEEP]
    for _name, job, _interval in SWEEP_JOBS:
        await job(sweep)


async def start_app(app: App) -> None:
    """Initialise the bot and run its start-up work (as run_polling would)."""
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)


async def stop_app(app: App) -> None:
    """Shut the bot down and release the database (as run_polling would)."""
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
