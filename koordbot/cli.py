"""`koordbot`: run on Telegram, run locally, migrate, back up and restore the database,
check health, manage keys.

Every failure an operator can fix (a setting, an unreachable database or Bot API, a
refused token) ends the program with one line naming the setting and exit code 2;
no secret is ever printed."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot import health
from bot.clock import SystemClock
from bot.conversations.definitions import QuestionnaireError
from bot.keys import KeyRotationError, make_cipher, rotate_configured
from bot.settings import Settings, SettingsError, load_settings
from koordbot.local import run_local
from koordbot.logs import configure_logging
from koordbot.startup import check_database_path, explain_failure, preflight, redact
from koordbot.telegram_mode import Role, run_telegram
from storage.backup import BackupError, backup, restore
from storage.crypto import Cipher
from storage.db import Database, sqlite_missing

log = logging.getLogger("koordbot")
LOCAL_DATABASE = "sqlite+aiosqlite:///koordbot-local.sqlite3"


def parser() -> argparse.ArgumentParser:
    """The command line."""
    top = argparse.ArgumentParser(prog="koordbot", description="Koordinatorbot")
    sub = top.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run on Telegram (long polling, or webhook when configured)")
    run.add_argument(
        "--role",
        choices=[r.value for r in Role],
        default=Role.ALL.value,
        help="updates: answer users only; reminders: run the reminder jobs only; all: both",
    )
    local = sub.add_parser("local", help="chat with the real bot in this terminal, no token")
    local.add_argument("--database", help="database URL (default: local SQLite file)")
    db = sub.add_parser(
        "db",
        help="database: upgrade, current, backup PATH, restore PATH",
        description="backup PATH: a consistent copy while the bot runs (SQLite backup "
        "API, or pg_dump); restore PATH: into an empty database (or --replace), bot stopped",
    )
    db.add_argument("action", choices=["upgrade", "current", "backup", "restore"])
    db.add_argument("path", nargs="?", type=Path, help="backup file (backup, restore)")
    db.add_argument("--replace", action="store_true", help="restore over a database that has data")
    sub.add_parser(
        "health",
        help="one line: database, migrations, last reminder sweep, failed reminders, "
        "unreachable koordinatorer; exit code 0 healthy, 1 unhealthy",
    )
    keys = sub.add_parser("keys", help="encryption keys")
    keys.add_argument("action", choices=["generate", "rotate"])
    return top


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `koordbot` command."""
    args = parser().parse_args(argv)
    if args.command == "keys" and args.action == "generate":
        print(Cipher.generate_key())
        return 0
    settings: Settings | None = None
    try:
        settings = _settings(args)
        configure_logging(
            settings.log_format,
            settings.secrets(),
            logging.WARNING if args.command in ("local", "health") else logging.INFO,
        )
        return _dispatch(args, settings)
    except SettingsError as exc:
        return _fail(str(exc), settings)
    except KeyRotationError as exc:
        return _fail(str(exc), settings)
    except BackupError as exc:
        return _fail(f"{args.command} {getattr(args, 'action', '')} failed: {exc}", settings)
    except QuestionnaireError as exc:
        return _fail(f"questionnaire definition is broken: {exc}", settings)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        line = explain_failure(exc, settings) if settings is not None else None
        if line is not None:
            return _fail(line, settings)
        # Through the masking log formatter: a traceback never carries a secret out.
        log.critical("koordbot stopped on an unexpected error", exc_info=exc)
        return 1


def _fail(line: str, settings: Settings | None) -> int:
    print(f"koordbot: {redact(line, settings) if settings else line}", file=sys.stderr)
    return 2


def _settings(args: argparse.Namespace) -> Settings:
    if args.command != "local":
        return load_settings()
    if args.database:
        return load_settings(database_url=args.database)
    settings = load_settings()
    if settings.database_url == Settings.model_fields["database_url"].default:
        settings = load_settings(database_url=LOCAL_DATABASE)
    return settings


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "local":
        return asyncio.run(run_local(settings))
    if args.command == "keys":  # rotate
        counts = asyncio.run(rotate_configured(settings))
        for column, n in counts.items():
            print(f"{column}: {n}")
        print("done: remove KOORDBOT_OLD_ENCRYPTION_KEYS and restart the bot")
        return 0
    if args.command == "health":
        return asyncio.run(_health(settings))
    if args.command == "db" and args.action in ("backup", "restore"):
        return _backup_or_restore(settings, args)
    if args.command == "db":
        return asyncio.run(_db(settings, args.action))
    # run
    settings.require_telegram()
    make_cipher(settings)  # a bad key stops here, before anything connects
    asyncio.run(preflight(settings))
    run_telegram(settings, Role(args.role))
    return 0


def _database(settings: Settings) -> Database:
    check_database_path(settings)
    # Schema work encrypts nothing; a throwaway key serves when none is configured.
    configured = settings.encryption_key.get_secret_value()
    cipher = make_cipher(settings) if configured else Cipher(Cipher.generate_key())
    return Database(settings.database_url, cipher)


def _backup_or_restore(settings: Settings, args: argparse.Namespace) -> int:
    if args.path is None:
        raise SettingsError(f"koordbot db {args.action} needs a file name: db {args.action} PATH")
    check_database_path(settings)
    if args.action == "backup":
        written = backup(settings.database_url, args.path)
        print(f"{written} ({written.stat().st_size} bytes)")
        return 0
    restore(settings.database_url, args.path, replace=args.replace)
    print(f"restored {args.path}; `koordbot db upgrade` (or the next start) migrates it")
    return 0


async def _health(settings: Settings) -> int:
    check_database_path(settings)
    if sqlite_missing(settings.database_url):
        print("UNHEALTHY: database not reachable (the SQLite file does not exist)")
        return 1
    database = _database(settings)
    try:
        found = await health.check(database, SystemClock().now(), settings.sweep_seconds)
    finally:
        await database.dispose()
    print(found.line())
    return 0 if found.healthy else 1


async def _db(settings: Settings, action: str) -> int:
    database = _database(settings)
    try:
        if action == "upgrade":
            await database.upgrade()
        print(await database.current_revision() or "empty")
    finally:
        await database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
