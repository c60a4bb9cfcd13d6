"""Local mode: the real bot against the in-process Telegram stand-in, in a terminal.

Bot messages are printed as text; buttons are numbered and pressed by typing the
number. Lines starting with `!` talk to local mode itself (`!hjelp`).
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import Any, TextIO

from telegram import Update

from bot import access
from bot.settings import Settings
from handlers.context import services_of
from koordbot.app import build_application, start_app, stop_app
from koordbot.standin import ChatMessage, FakeTelegram, FakeUser
from storage.enums import Tjenestested

LOCAL_ADMIN_ID = 1001
FILES = Path("local-files")

HELP = """Lokal modus: du chatter med den ekte boten, uten Telegram.
  Skriv som på mobilen: /start, /ny, /saker, et kortnavn ...
  Et tall trykker knappen med det nummeret under siste melding.
  Start linjen med et mellomrom for å sende et tall som tekst.
  !bruker N   bytt til testbruker N (1 er admin; andre må inviteres med /invitasjon)
  !hjelp      denne hjelpen
  !slutt      avslutt (Ctrl-D virker også)
"""


class Terminal:
    """Prints what the bot sends and turns typed lines into updates."""

    def __init__(self, telegram: FakeTelegram, out: TextIO) -> None:
        self.telegram = telegram
        self.out = out
        self.user = FakeUser(telegram, LOCAL_ADMIN_ID, "Lokal")
        self.buttons: list[tuple[ChatMessage, str]] = []
        telegram.listeners.append(self.on_call)

    def on_call(self, method: str, params: dict[str, Any], result: Any) -> None:
        if not isinstance(result, dict) or int(params.get("chat_id", 0)) != self.user.user_id:
            return
        message = self.telegram.find(self.user.user_id, int(result.get("message_id", 0)))
        if message is None:
            return
        if method == "sendMessage":
            self.show(message.text, message)
        elif method == "editMessageText":
            self.show(message.text, message, edited=True)
        elif method in ("sendDocument", "sendPhoto"):
            FILES.mkdir(exist_ok=True)
            name = message.document[0] if message.document else f"bilde-{message.message_id}.png"
            content = message.document[1] if message.document else (message.photo or b"")
            path = FILES / name
            path.write_bytes(content)
            self.show(f"[fil: {path}] {message.caption}", message)

    def show(self, text: str, message: ChatMessage, edited: bool = False) -> None:
        prefix = "bot (endret) ›" if edited else "bot ›"
        lines = [f"{prefix} {text}".rstrip()]
        if message.keyboard:
            self.buttons = []
            labels = []
            for row in message.keyboard:
                for button in row:
                    self.buttons.append((message, button.get("callback_data", "")))
                    labels.append(f"[{len(self.buttons)}] {button['text']}")
            lines.append("      " + "   ".join(labels))
        print("\n".join(lines), file=self.out, flush=True)

    def update_for(self, line: str) -> dict[str, Any] | None:
        if re.fullmatch(r"\d{1,2}", line) and self.buttons:
            index = int(line) - 1
            if 0 <= index < len(self.buttons):
                message, data = self.buttons[index]
                return self.user.press(message, data)
            print("(ingen knapp med det nummeret)", file=self.out, flush=True)
            return None
        return self.user.message(line.strip() if line.startswith(" ") else line)


async def run_local(settings: Settings, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    """Run local mode until end of input or `!slutt`."""
    settings = settings.model_copy(update={"admin_ids": settings.admin_ids | {LOCAL_ADMIN_ID}})
    telegram = FakeTelegram()
    telegram.updates = asyncio.Queue()
    app = build_application(settings, telegram=telegram, local=True)
    terminal = Terminal(telegram, out)
    print(HELP, file=out, flush=True)
    await start_app(app)
    try:
        await _seed_local_admin(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES
        )
        try:
            await _read_loop(app, terminal, telegram, stdin, out)
            await _settle(app, telegram)
        finally:
            await app.updater.stop()
            await app.stop()
    finally:
        await stop_app(app)
    return 0


async def _read_loop(
    app: Any, terminal: Terminal, telegram: FakeTelegram, stdin: TextIO, out: TextIO
) -> None:
    assert telegram.updates is not None
    while True:
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            return
        line = line.rstrip("\n")
        if not line.strip():
            continue
        if line.startswith("!"):
            command, _, arg = line[1:].partition(" ")
            if command in ("slutt", "quit", "exit"):
                return
            if command == "bruker" and arg.strip().isdigit():
                number = int(arg.strip())
                terminal.user = FakeUser(
                    telegram, LOCAL_ADMIN_ID + number - 1, f"Testbruker {number}"
                )
                terminal.buttons = []
                print(f"(du er nå testbruker {number})", file=out, flush=True)
            else:
                print(HELP, file=out, flush=True)
            continue
        update = terminal.update_for(line)
        if update is not None:
            await telegram.updates.put(update)
            await _settle(app, telegram)


async def _settle_queue(telegram: FakeTelegram) -> None:
    """Wait until the bot has picked up and answered the last update (for a tidy screen)."""
    assert telegram.updates is not None
    for _ in range(100):
        if telegram.updates.empty():
            break
        await asyncio.sleep(0.02)
    before = -1
    while before != len(telegram.calls):
        before = len(telegram.calls)
        await asyncio.sleep(0.15)


async def _settle(app: Any, telegram: FakeTelegram) -> None:
    await _settle_queue(telegram)
    # An update can work quietly for a while (a new case computes its deadlines) before
    # it answers: wait for the ones in flight, not just for a pause in the calls.
    while not app.update_queue.empty() or app.update_processor.current_concurrent_updates:
        await asyncio.sleep(0.05)
    await _settle_queue(telegram)


async def _seed_local_admin(app: Any) -> None:
    """The local user is a ready admin, so a newcomer can start with /ny at once."""
    services = services_of(app)
    async with services.db.session() as session:
        admin = await access.ensure_config_admin(
            session, LOCAL_ADMIN_ID, frozenset({LOCAL_ADMIN_ID}), services.now()
        )
        if admin is not None and not admin.registered:
            await access.complete_profile(
                session, admin, "Lokal administrator", Tjenestested.ANNET.value, services.now()
            )
