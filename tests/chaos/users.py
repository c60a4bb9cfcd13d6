"""Koordinatorer in the middle of a conversation while the chaos suite kills the bot:
each answers whatever the bot asks (typed answers in /kartlegging, «Delvis» and a note
in /oppstart), now and then types a fødselsnummer, and writes down what the bot
acknowledged: the next question after a typed answer, «Notatet er lagret» after a note.
"""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from koordbot.standin import ChatMessage, FakeUser
from tests.chaos.fleet import Fleet
from tests.chaos.world import USER_ALIAS, random_fnr
from tests.ops_live import LiveStandin

ACK_SECONDS = 60.0  # the longest a user waits for the bot's reply to one update
NOT_OPTIONS = {"« Tilbake", "Hopp over", "⏸ Pause", "Ingen notat"}
ERROR_MARK = "noe gikk galt"
FNR_REFUSED = "ser ut som et fødselsnummer"
NOTE_SAVED = "Notatet er lagret"
NOTE_PROMPT = "Vil du legge til et kort notat"
TEXT_PROMPT = "Skriv svaret ditt"
FINISHED = "svarene er lagret"
STEP = re.compile(rf"· {USER_ALIAS} · (\d+)/")
# Ways people split a fødselsnummer; the bot must refuse every one.
SEPARATORS = (" ", "  ", "\t", "\u200b", "\u00ad", "\u2060", "-", "\u2013", ".", "\n")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass
class Typed:
    """Something the user typed that the bot should store, and whether it said so."""

    kind: str  # answer | note
    text: str
    acked: bool = False


@dataclass
class Koordinator:
    """One user, driven from a thread of its own."""

    standin: LiveStandin
    fleet: Fleet
    user_id: int
    command: str
    rng: random.Random
    typed: list[Typed] = field(default_factory=list)
    fnrs: list[str] = field(default_factory=list)
    steps: int = 0
    _last_tap_stale: bool = False

    def __post_init__(self) -> None:
        self.user = FakeUser(self.standin.telegram, self.user_id)

    # ---- what the user sees ----------------------------------------------------------
    def seen(self) -> list[ChatMessage]:
        chat = list(self.standin.telegram.chats.get(self.user_id, []))
        return [m for m in chat if m.from_bot and not m.deleted]

    def _last_id(self) -> int:
        chat = list(self.standin.telegram.chats.get(self.user_id, []))
        return max((m.message_id for m in chat if m.from_bot), default=0)

    def snapshot(self) -> tuple[int, int]:
        seen = self.seen()
        return (max((m.message_id for m in seen), default=0), sum(m.edits for m in seen))

    # ---- one step --------------------------------------------------------------------
    def step(self) -> None:
        seen = self.seen()
        last = seen[-1] if seen else None
        text = last.text if last else ""
        buttons = last.buttons() if last else []
        if last is None or ERROR_MARK in text or FNR_REFUSED in text or self._last_tap_stale:
            self._last_tap_stale = False
            self.send(f"/{self.command} {USER_ALIAS}")
        elif NOTE_PROMPT in text and "Ingen notat" in buttons:
            self.type_text("note")
        elif TEXT_PROMPT in text:
            self.type_text("answer", STEP.search(text))
        elif any(b.startswith("Fortsett") for b in buttons):
            self.tap(last, next(b for b in buttons if b.startswith("Fortsett")))
        elif "Delvis" in buttons:
            self.tap(last, "Delvis")
        elif "Ferdig ✔" in buttons:  # a multi-choice step: tick one, then done
            ticked = any(b.startswith("✓") for b in buttons)
            self.tap(last, "Ferdig ✔" if ticked else buttons[0])
        elif options := [b for b in buttons if b not in NOT_OPTIONS]:
            self.tap(last, options[0])
        else:
            self.send(f"/{self.command} {USER_ALIAS}")
        self.steps += 1

    def type_text(self, kind: str, step: re.Match[str] | None = None) -> None:
        if self.rng.random() < 0.08:
            self.send(self.fnr_text())
            return
        label = "Notat" if kind == "note" else "Svar"
        text = f"{label} {self.user_id}-{len(self.typed)} {self.rng.getrandbits(40):x}"
        typed = Typed(kind, text)
        self.typed.append(typed)
        before = self._last_id()
        self.send(text)
        chat = list(self.standin.telegram.chats.get(self.user_id, []))
        replies = sorted(
            (m for m in chat if m.from_bot and m.message_id > before), key=lambda m: m.message_id
        )
        if not replies:
            return
        # The bot's first reply says whether the text was taken: «lagret» for a note, the
        # next question (another step than the one answered) or the end for an answer.
        # Anything else first (a refusal, «Velg et av alternativene» when the bot was at
        # another step than the user saw) means it was not, whatever follows.
        first = replies[0].text
        following = STEP.search(first)
        if kind == "note":
            typed.acked = NOTE_SAVED in first
        else:
            typed.acked = FINISHED in first or bool(
                following and (step is None or following[1] != step[1])
            )

    def fnr_text(self) -> str:
        fnr = random_fnr(self.rng)
        self.fnrs.append(fnr)
        split = self.rng.choice((6, 4, 2))
        body = f"{fnr[:split]}{self.rng.choice(SEPARATORS)}{fnr[split:]}"
        if self.rng.random() < 0.25:
            body = body.translate(FULL_WIDTH)
        return self.rng.choice(("Fnr {}", "{}", "født {} ok")).format(body)

    def send(self, text: str) -> None:
        self._feed(self.user.message(text))

    def tap(self, message: ChatMessage, label: str) -> None:
        data = next(b["callback_data"] for r in message.keyboard for b in r if b["text"] == label)
        update = self.user.press(message, data)
        query = update["callback_query"]["id"]
        before = self.snapshot()
        self._feed(update)
        if self.snapshot() == before and self._answered(query):
            self._last_tap_stale = True  # only a toast: the button was stale

    def _answered(self, query: str) -> bool:
        return any(
            c.method == "answerCallbackQuery" and c.params.get("callback_query_id") == query
            for c in list(self.standin.telegram.calls)
        )

    def _feed(self, update: dict[str, Any]) -> None:
        """Send one update and wait until the bot has finished with it: a probe (a press
        of a button with forged data, answered with a toast) follows it, and the bot
        handles one user's updates in order, so once the probe is answered every reply to
        the update has arrived. Or until the process that fetched the probe is dead
        (then nothing more comes, as with Telegram when a process dies after confirming
        its updates). Never two updates of this user in flight, so no reply is taken for
        the reply to another update."""
        seen = self.seen()
        anchor = seen[-1] if seen else ChatMessage(1, self.user_id, from_bot=True, text="-")
        probe = self.user.press(anchor, "x")
        probe_query = probe["callback_query"]["id"]
        self.standin.feed(update)
        self.standin.feed(probe)
        deadline = time.monotonic() + ACK_SECONDS
        while time.monotonic() < deadline:
            if self._answered(probe_query) or self.fleet.lost(probe["update_id"]):
                return
            time.sleep(0.03)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            # While the polling process is down, the user waits (the app shows nothing).
            if not self.fleet.polling.wait(0.2):
                continue
            self.step()


class Users:
    """The users of one scenario, each on a thread."""

    def __init__(self, standin: LiveStandin, fleet: Fleet, ids: list[int], seed: int) -> None:
        commands = ("kartlegging", "oppstart")
        self.people = [
            Koordinator(standin, fleet, uid, commands[n % 2], random.Random(seed * 1000 + n))
            for n, uid in enumerate(ids)
        ]
        self.stop_event = threading.Event()
        self.threads = [
            threading.Thread(target=p.run, args=(self.stop_event,), daemon=True)
            for p in self.people
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(ACK_SECONDS + 5)

    @property
    def typed(self) -> list[Typed]:
        return [t for p in self.people for t in p.typed]

    @property
    def fnrs(self) -> list[str]:
        return [f for p in self.people for f in p.fnrs]
