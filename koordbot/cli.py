"""`koordbot`: run on Telegram, run locally, migrate the database, manage keys."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.conversations.definitions import QuestionnaireError
from bot.keys import KeyRotationError
from bot.settings import Settings, SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `koordbot` command."""
    parser = argparse.ArgumentParser(prog="koordbot", description="Koordinatorbot")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run on Telegram (long polling, or webhook when configured)")
    local = sub.add_parser("local", help="chat with the real bot in this terminal, no token")
    local.add_argument("--database", help="database URL (default: local SQLite file)")
    db = sub.add_parser("db", help="database commands")
    db.add_argument("action", choices=["upgrade", "current"])
    keys = sub.add_parser("keys", help="encryption keys")
    keys.add_argument("action", choices=["generate", "rotate"])
    args = parser.parse_args(argv)

    logging.basicConfig(
        level=logging.WARNING if args.command == "local" else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        if args.command == "keys":
            if args.action == "rotate":
                from bot.keys import rotate_configured

                counts = asyncio.run(rotate_configured(load_settings()))
                for column, n in counts.items():
                    print(f"{column}: {n}")
                print("done: remove KOORDBOT_OLD_ENCRYPTION_KEYS and restart the bot")
                return 0
            from storage.crypto import Cipher

            print(Cipher.generate_key())
            return 0
        if args.command == "local":
            from koordbot.local import run_local

            overrides = {"database_url": args.database} if args.database else {}
            settings = load_settings(**overrides)
            if (
                not args.database
                and settings.database_url == Settings.model_fields["database_url"].default
            ):
                settings = load_settings(database_url="sqlite+aiosqlite:///koordbot-local.sqlite3")
            return asyncio.run(run_local(settings))
        settings = load_settings()
        if args.command == "db":
            return asyncio.run(_db(settings, args.action))
        if args.command == "run":
            settings.require_telegram()
            from bot.keys import make_cipher
            from koordbot.telegram_mode import run_telegram

            make_cipher(settings)  # a bad key stops here, before anything connects
            run_telegram(settings)
            return 0
    except SettingsError as exc:
        print(f"koordbot: {exc}", file=sys.stderr)
        return 2
    except KeyRotationError as exc:
        print(f"koordbot: {exc}", file=sys.stderr)
        return 2
    except QuestionnaireError as exc:
        print(f"koordbot: questionnaire definition is broken: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 1


async def _db(settings: Settings, action: str) -> int:
    from bot.keys import make_cipher
    from storage.crypto import Cipher
    from storage.db import Database

    # Schema migrations encrypt nothing; a throwaway key serves when none is configured.
    cipher = make_cipher(settings) if settings.encryption_key else Cipher(Cipher.generate_key())
    database = Database(settings.database_url, cipher)
    try:
        if action == "upgrade":
            await database.upgrade()
        print(await database.current_revision() or "empty")
    finally:
        await database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
