"""Local mode: the real bot against the in-process Telegram stand-in, in a terminal.

Bot messages are printed with their number; buttons are numbered and pressed by typing
the number (the newest message's buttons) or `message.button` (`3.2`). Lines starting
with `!` talk to local mode itself (`!hjelp`): `!tid` moves the clock and runs the
reminder sweep, so reminders, digests and KE notices arrive as they would in time.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from telegram import Update

from bot import access
from bot.clock import SystemClock
from bot.settings import Settings
from handlers.context import services_of
from koordbot.app import App, build_application, run_sweep_once, start_app, stop_app
from koordbot.standin import ChatMessage, FakeTelegram, FakeUser
from koordbot.telegram_mode import warn_about_free_text
from koordbot.webserver import WebServer, browser_link, local_form, web_app
from storage.enums import Tjenestested

LOCAL_ADMIN_ID = 1001
FILES = Path("local-files")

HELP = """Lokal modus: du chatter med den ekte boten, uten Telegram.
  Skriv som på mobilen: /start, /ny, /saker, et kortnavn ...
  Et tall trykker knappen med det nummeret under siste melding med knapper;
  3.2 trykker knapp 2 under melding 3 (meldingsnummeret står etter «bot»).
  Start linjen med et mellomrom for å sende et tall som tekst.
  @bot AB     slå opp saken AB som i inline-modus
  !tid +3d    flytt klokka (d dager, t timer, u uker, m minutter) og send det som
              forfaller: påminnelser, ukeoversikt, varsler til KE
  !tid 2027-03-01 08:00   hopp til et tidspunkt (uten klokkeslett: påminnelsestimen)
  !tid        vis klokka og send det som forfaller nå
  !bruker N   bytt til testbruker N (1 er admin; andre må inviteres med /invitasjon)
  !hjelp      denne hjelpen
  !slutt      avslutt (Ctrl-D virker også)
"""

WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
_STEP = re.compile(r"(\d+)([dtmhuw])")
_UNITS = {"d": "days", "t": "hours", "h": "hours", "m": "minutes", "u": "weeks", "w": "weeks"}


class TravelClock:
    """The system clock, moved forward by `!tid`: time keeps running from where it is set."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        """The system time plus the jumps made so far."""
        return SystemClock().now() + self.offset

    def set(self, instant: datetime) -> None:
        """Jump to an instant (aware)."""
        self.offset = instant - SystemClock().now()


def parse_jump(arg: str, now: datetime, reminder_hour: int) -> datetime | None:
    """`+3d`, `+2t`, `+1u2d`, `2027-03-01 08:00`, `01.03.2027` (local time) or None."""
    arg = arg.strip()
    if arg.startswith("+"):
        steps = _STEP.findall(arg[1:].replace(" ", ""))
        if not steps or _STEP.sub("", arg[1:].replace(" ", "")):
            return None
        delta = timedelta()
        for amount, unit in steps:
            delta += timedelta(**{_UNITS[unit]: int(amount)})
        return now + delta
    for pattern in ("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            moment = datetime.strptime(arg, pattern)
        except ValueError:
            continue
        if "%H" not in pattern:
            moment = moment.replace(hour=reminder_hour)
        return moment.replace(tzinfo=now.tzinfo)
    return None


class Terminal:
    """Prints what the bot sends and turns typed lines into updates."""

    def __init__(self, telegram: FakeTelegram, out: TextIO) -> None:
        self.telegram = telegram
        self.out = out
        self.user = FakeUser(telegram, LOCAL_ADMIN_ID, "Lokal")
        self.buttons: list[tuple[ChatMessage, str]] = []
        self.bot_token = ""
        telegram.listeners.append(self.on_call)

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def form_link(self, button: dict[str, Any]) -> str:
        """A web form button as a link a plain browser can open (initData signed here)."""
        url = str(button["web_app"]["url"])
        return browser_link(url, self.user.user_id, "Lokal", self.bot_token, datetime.now(UTC))

    def on_call(self, method: str, params: dict[str, Any], result: Any) -> None:
        if method == "answerCallbackQuery" and params.get("text"):
            self.say(f"bot (melding) › {params['text']}")
            return
        if method == "answerInlineQuery":
            self.show_inline(params.get("results", []))
            return
        if not isinstance(result, dict) or "chat_id" not in params:
            return
        chat_id = int(params["chat_id"])
        message = self.telegram.find(chat_id, int(result.get("message_id", 0)))
        if message is None:
            return
        mine = chat_id == self.user.user_id
        to = "" if mine else f" → {user_label(chat_id)}"
        if method == "sendMessage":
            self.show(message, message.text, to, keys=mine)
        elif method == "editMessageText":
            self.show(message, message.text, to + " (endret)", keys=mine)
        elif method in ("sendDocument", "sendPhoto"):
            FILES.mkdir(exist_ok=True)
            name = message.document[0] if message.document else f"bilde-{message.message_id}.png"
            content = message.document[1] if message.document else (message.photo or b"")
            path = FILES / name
            path.write_bytes(content)
            self.show(message, f"[fil: {path}] {message.caption}", to, keys=mine)

    def show(self, message: ChatMessage, text: str, note: str, *, keys: bool) -> None:
        lines = [f"bot {message.message_id}{note} › {text}".rstrip()]
        if message.keyboard:
            labels = []
            links = []
            for number, button in enumerate(_flat(message), start=1):
                labels.append(f"[{number}] {button['text']}")
                if "web_app" in button:  # the web form: open it in a browser
                    links.append(f"      {button['text']}: {self.form_link(button)}")
            if keys:
                self.buttons = [(message, b.get("callback_data", "")) for b in _flat(message)]
            lines.append("      " + "   ".join(labels))
            lines.extend(links)
        elif keys and self.buttons and self.buttons[0][0] is message:
            self.buttons = []  # its buttons were taken away
        self.say("\n".join(lines))

    def show_inline(self, results: Any) -> None:
        if isinstance(results, str):
            results = json.loads(results)
        if not results:
            self.say("inline › (ingen treff)")
        for result in results:
            self.say(f"inline › {result.get('title', '')}: {result.get('description', '')}")

    def update_for(self, line: str) -> dict[str, Any] | None:
        pressed = re.fullmatch(r"(?:(\d{1,4})\.)?(\d{1,2})", line)
        if pressed and (pressed.group(1) or self.buttons):
            return self.press(pressed.group(1), int(pressed.group(2)))
        inline = re.fullmatch(r"@\w+\s*(.*)", line)
        if inline:
            return self.user.inline(inline.group(1).strip())
        return self.user.message(line.strip() if line.startswith(" ") else line)

    def press(self, message_number: str | None, button: int) -> dict[str, Any] | None:
        if message_number is None:
            choices = self.buttons
        else:
            message = self.telegram.find(self.user.user_id, int(message_number))
            visible = message is not None and message.from_bot and not message.deleted
            choices = (
                [(message, b.get("callback_data", "")) for b in _flat(message)]
                if (message is not None and visible)
                else []
            )
        if not 1 <= button <= len(choices):
            self.say("(ingen knapp med det nummeret)")
            return None
        message, data = choices[button - 1]
        return self.user.press(message, data)


def _flat(message: ChatMessage) -> list[dict[str, Any]]:
    return [button for row in message.keyboard for button in row]


def user_label(chat_id: int) -> str:
    number = chat_id - LOCAL_ADMIN_ID + 1
    return f"bruker {number}" if 1 <= number <= 999 else f"chat {chat_id}"


async def run_local(settings: Settings, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    """Run local mode until end of input or `!slutt`."""
    settings = settings.model_copy(
        update={"admin_ids": settings.admin_ids | {LOCAL_ADMIN_ID}, "send_per_chat_seconds": 0.0}
    )
    settings, sock = local_form(settings)
    warn_about_free_text(settings)
    telegram = FakeTelegram()
    clock = TravelClock()
    # The sweep runs when `!tid` moves the clock, not on a timer: what appears on the
    # screen follows what was typed.
    app = build_application(settings, telegram=telegram, clock=clock, local=True, jobs=False)
    terminal = Terminal(telegram, out)
    terminal.bot_token = app.bot.token
    terminal.say(HELP)
    server = WebServer(web_app(app), sock) if sock else None
    if server is not None:
        terminal.say(f"Skjemaet for fritekst: {settings.public_url}")
    await start_app(app)
    if server is not None:
        await server.start()
    try:
        await _seed_local_admin(app)
        await _read_loop(app, terminal, clock, stdin)
    finally:
        if server is not None:
            await server.stop()
        await stop_app(app)
    return 0


async def _read_loop(app: App, terminal: Terminal, clock: TravelClock, stdin: TextIO) -> None:
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
                    terminal.telegram, LOCAL_ADMIN_ID + number - 1, f"Testbruker {number}"
                )
                terminal.buttons = []
                terminal.say(f"(du er nå testbruker {number})")
            elif command == "tid":
                await _travel(app, terminal, clock, arg)
            else:
                terminal.say(HELP)
            continue
        update = terminal.update_for(line)
        if update is not None:
            await app.process_update(Update.de_json(update, app.bot))


async def _travel(app: App, terminal: Terminal, clock: TravelClock, arg: str) -> None:
    services = services_of(app)
    now = services.local_now()
    if arg.strip():
        target = parse_jump(arg, now, services.settings.reminder_hour)
        if target is None:
            terminal.say("(skriv for eksempel !tid +3d, !tid +2t eller !tid 2027-03-01 08:00)")
            return
        if target < now:
            terminal.say("(klokka kan bare flyttes fremover)")
            return
        clock.set(target)
    moment = services.local_now()
    terminal.say(f"(klokka er nå {WEEKDAYS[moment.weekday()]} {moment:%d.%m.%Y kl. %H:%M})")
    await run_sweep_once(app)


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
