"""What `koordbot` checks and explains at start-up: a failure to reach the database or
Telegram becomes one line naming the setting to fix, never a traceback with a secret;
webhook mode always has a secret."""

from __future__ import annotations

import secrets
from pathlib import Path

from telegram import Bot
from telegram.error import Conflict, InvalidToken, NetworkError

from bot.keys import make_cipher
from bot.settings import WEBHOOK_SECRET, WEBHOOK_SECRET_RULE, Settings, SettingsError
from koordbot.app import api_urls
from storage.db import Database, describe_connect_error, sqlite_file_problem

TELEGRAM_API = "https://api.telegram.org"


async def preflight(settings: Settings) -> None:
    """Open the database (migrating it) and ask Telegram who the bot is, before the bot
    starts: a failure here is raised for `explain_failure`, before anything is logged."""
    check_database_path(settings)
    database = Database(settings.database_url, make_cipher(settings))
    try:
        await database.upgrade()
    finally:
        await database.dispose()
    urls = api_urls(settings)
    token = settings.telegram_bot_token.get_secret_value()
    bot = (
        Bot(token, base_url=urls["base_url"], base_file_url=urls["base_file_url"])
        if urls
        else Bot(token)
    )
    async with bot:
        pass  # initialising calls getMe


def check_database_path(settings: Settings) -> None:
    """A SQLite file that cannot work stops here, before anything connects."""
    problem = sqlite_file_problem(settings.database_url)
    if problem is not None:
        raise SettingsError(f"KOORDBOT_DATABASE_URL: {problem}.")


def explain_failure(exc: BaseException, settings: Settings) -> str | None:
    """One line for an operator when `exc` is a known start-up failure, else None."""
    if isinstance(exc, InvalidToken):
        # PTB's own message repeats the token; never print it.
        return (
            "TELEGRAM_BOT_TOKEN was refused by Telegram (401 Unauthorized): copy the token "
            "again from @BotFather (/mybots, API Token); it may have been revoked."
        )
    if isinstance(exc, Conflict):
        return (
            "TELEGRAM_BOT_TOKEN is already used by another process polling for updates "
            "(Telegram answered 409 Conflict): run one `koordbot run --role updates` (or "
            "`all`) per token; further processes use `--role reminders`."
        )
    if isinstance(exc, NetworkError):
        where = settings.bot_api_url or TELEGRAM_API
        return (
            f"KOORDBOT_BOT_API_URL: the Bot API at {where} cannot be reached "
            f"({type(exc).__name__}); check the network, DNS, a proxy (HTTPS_PROXY) or "
            "the address."
        )
    reason = describe_connect_error(exc, settings.database_url)
    if reason is not None:
        return f"KOORDBOT_DATABASE_URL: {reason}."
    return None


def redact(text: str, settings: Settings) -> str:
    """`text` with every configured secret replaced by ***."""
    for secret in settings.secrets():
        text = text.replace(secret, "***")
    return text


def webhook_secret(settings: Settings) -> str:
    """The secret Telegram must send with every webhook call.

    KOORDBOT_WEBHOOK_SECRET when set; otherwise one generated once and kept in
    KOORDBOT_WEBHOOK_SECRET_FILE, so it stays the same across restarts (several webhook
    processes on different machines must set KOORDBOT_WEBHOOK_SECRET instead)."""
    configured = settings.webhook_secret.get_secret_value()
    if configured:
        return configured
    path: Path = settings.webhook_secret_file
    if path.exists():
        stored = path.read_text(encoding="utf-8").strip()
        if not WEBHOOK_SECRET.fullmatch(stored):
            raise SettingsError(
                f"KOORDBOT_WEBHOOK_SECRET_FILE is not valid: '{path}' holds a secret that is "
                f"too short or malformed; {WEBHOOK_SECRET_RULE}, or delete the file."
            )
        return stored
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        generated = secrets.token_urlsafe(32)
        path.write_text(generated + "\n", encoding="utf-8")
        path.chmod(0o600)
    except OSError as exc:
        raise SettingsError(
            f"KOORDBOT_WEBHOOK_SECRET_FILE is not valid: cannot write '{path}' "
            f"({exc.strerror}); set KOORDBOT_WEBHOOK_SECRET or a writable path."
        ) from None
    return generated
