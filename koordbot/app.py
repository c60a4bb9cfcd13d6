"""The Application factory: one place that wires settings, clock, database, texts and
handlers into a python-telegram-bot Application. Used by Telegram mode, local mode,
tests and benchmarks alike."""

from __future__ import annotations

import logging
from typing import Any

from telegram.error import Conflict
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    ContextTypes,
)

import handlers
from bot.clock import Clock, SystemClock
from bot.keys import make_cipher
from bot.questionnaires import DEFAULT_DIR, Questionnaire, load_all
from bot.services import Services
from bot.settings import Settings
from handlers import menus, reminders
from handlers.context import KContext, services_of
from koordbot.standin import FakeTelegram, StandinRequest
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
    services = Services(
        settings=settings,
        clock=clock or SystemClock(),
        db=Database(settings.database_url, cipher or make_cipher(settings, local=local)),
        texts=texts,
        # A broken definition file stops start-up here, naming file, step and reason.
        questionnaires=load_questionnaires(settings, texts),
    )
    token = settings.telegram_bot_token.get_secret_value() or LOCAL_TOKEN
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(token)
        .context_types(ContextTypes(context=KContext))
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.send_per_second, max_retries=3))
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
    app.bot_data["services"] = services
    # First among the error handlers, so a 409 is not also logged as a handler fault.
    app.add_error_handler(_stop_on_conflict)
    handlers.register(app)
    if not jobs and app.job_queue is not None:
        for job in app.job_queue.jobs():
            job.schedule_removal()
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


def load_questionnaires(settings: Settings, texts: Texts) -> dict[str, Questionnaire]:
    """The shipped conversations, with a municipality's own files (same file name)
    from KOORDBOT_QUESTIONNAIRE_DIR taking their place."""
    loaded = load_all(DEFAULT_DIR, env=texts.env)
    if settings.questionnaire_dir is not None:
        loaded.update(load_all(settings.questionnaire_dir, env=texts.env))
    return loaded


async def _post_init(app: App) -> None:
    services = services_of(app)
    await services.db.upgrade()
    await menus.publish(app)


async def _post_shutdown(app: App) -> None:
    await services_of(app).db.dispose()


async def run_sweep_once(app: App) -> int:
    """One reminder sweep now, as the repeating job does it (local mode's `!tid`):
    reminders, the Monday digest and KE notices that are due go out. Returns how many
    reminders were handled."""
    return await reminders.sweep(app)


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
