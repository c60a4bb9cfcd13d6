"""What the chaos suite counts, and the table it prints at the end of the pytest run."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.reminders.sweep import IN_FLIGHT
from koordbot.standin.model import ApiCall
from tests.chaos.fleet import Kill
from tests.chaos.users import Typed

# Every scenario played in this pytest run, for the table in the terminal summary.
RESULTS: list[Result] = []
REMINDER_MARK = "⏰"
PROBLEM_LINE = re.compile(r"Traceback|\b(ERROR|CRITICAL)\b")


@dataclass
class Result:
    """The figures of one scenario."""

    scenario: str
    seed: int
    runs: int = 0
    kills: int = 0
    faults: int = 0
    acked: int = 0
    lost: int = 0
    false_saved: int = 0
    due: int = 0
    delivered: int = 0
    lost_reminders: int = 0
    duplicates_in_window: int = 0
    duplicates_outside: int = 0
    exceptions: int = 0
    leaks: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return self.duplicates_in_window + self.duplicates_outside

    def failed(self) -> bool:
        return bool(
            self.lost
            or self.false_saved
            or self.lost_reminders
            or self.duplicates_outside
            or self.exceptions
            or self.leaks
        )


HEADER = (
    "scenario",
    "runs",
    "kills",
    "faults",
    "answers acked/lost",
    "false «lagret»",
    "reminders due/delivered/lost",
    "duplicates (in window/outside)",
    "exceptions",
    "leaks",
    "seconds",
)


def table(results: list[Result]) -> str:
    """The results as a Markdown table (also what the README quotes)."""
    rows = [
        (
            r.scenario,
            str(r.runs),
            str(r.kills),
            str(r.faults),
            f"{r.acked}/{r.lost}",
            str(r.false_saved),
            f"{r.due}/{r.delivered}/{r.lost_reminders}",
            f"{r.duplicates} ({r.duplicates_in_window}/{r.duplicates_outside})",
            str(r.exceptions),
            str(r.leaks),
            f"{r.seconds:.0f}",
        )
        for r in results
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(HEADER)]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    seeds = ", ".join(f"{r.scenario} {r.seed}" for r in results)
    return "\n".join([line(HEADER), rule, *(line(row) for row in rows), f"seeds: {seeds}"])


def count_answers(result: Result, typed: list[Typed], stored: set[str]) -> None:
    """Acknowledged answers and notes against what the database holds."""
    for item in typed:
        if not item.acked:
            continue  # the user saw nothing and will type it again: not a loss
        result.acked += 1
        if item.text not in stored:
            result.lost += 1
            if item.kind == "note":
                result.false_saved += 1
            result.problems.append(f"acknowledged but not stored: {item.kind} {item.text!r}")


def reminder_requests(calls: list[ApiCall]) -> list[ApiCall]:
    return [
        c
        for c in calls
        if c.method == "sendMessage" and str(c.params.get("text", "")).startswith(REMINDER_MARK)
    ]


def count_reminders(
    result: Result,
    due: dict[int, int],
    statuses: dict[int, str],
    deliveries: list[tuple[int, str, float]],
    calls: list[ApiCall],
    kills: list[Kill],
) -> None:
    """Due reminders (chat -> reminder id) against the messages the stand-in delivered.

    A duplicate is inside the README's window when the process that sent it first was
    killed afterwards and the reminder was among the last IN_FLIGHT reminders that
    process had asked Telegram to send before it died; any other is outside."""
    result.due += len(due)
    per_chat = Counter(chat for chat, _, _ in deliveries)
    for chat, reminder_id in due.items():
        if per_chat[chat] == 0 or statuses.get(reminder_id) != "sent":
            result.lost_reminders += 1
            result.problems.append(
                f"reminder {reminder_id} (chat {chat}): delivered {per_chat[chat]}x, "
                f"status {statuses.get(reminder_id)}"
            )
        else:
            result.delivered += 1
    requests = reminder_requests(calls)
    for chat, times in per_chat.items():
        if chat not in due or times < 2:
            continue
        first = next(c for c in requests if int(c.params["chat_id"]) == chat)
        if _in_window(chat, first, requests, kills):
            result.duplicates_in_window += times - 1
        else:
            result.duplicates_outside += times - 1
            result.problems.append(f"chat {chat}: reminder delivered {times}x outside the window")


def _in_window(chat: int, first: ApiCall, requests: list[ApiCall], kills: list[Kill]) -> bool:
    for kill in kills:
        if kill.token != first.caller or kill.at < first.at:
            continue
        before = [c for c in requests if c.caller == kill.token and c.at <= kill.at]
        in_flight = {int(c.params["chat_id"]) for c in before[-IN_FLIGHT:]}
        return chat in in_flight
    return False


def count_exceptions(result: Result, logs: dict[str, str]) -> None:
    """Tracebacks and ERROR lines in the processes' output (a kill leaves none)."""
    for name, text in logs.items():
        for line in text.splitlines():
            if PROBLEM_LINE.search(line):
                result.exceptions += 1
                result.problems.append(f"{name}: {line[:300]}")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text))


def _bot_texts(calls: list[ApiCall]) -> list[tuple[int | None, str]]:
    texts = []
    for call in calls:
        for key in ("text", "caption", "results", "description"):
            value: Any = call.params.get(key)
            if value:
                chat = call.params.get("chat_id")
                texts.append((int(chat) if chat is not None else None, str(value)))
    return texts


def count_leaks(
    result: Result,
    typed: list[Typed],
    typed_by: dict[str, int],
    fnrs: list[str],
    calls: list[ApiCall],
    logs: dict[str, str],
    stored: set[str],
) -> None:
    """No fødselsnummer anywhere the bot writes (messages, logs, database); no answer or
    note in a message to another chat, in a reminder, or in a log."""
    texts = _bot_texts(calls)
    digits_out = [_digits(t) for _, t in texts]
    digits_logs = {name: _digits(log) for name, log in logs.items()}
    digits_stored = [_digits(s) for s in stored]
    for fnr in fnrs:
        places = [
            *("a message" for d in digits_out if fnr in d),
            *(f"log {n}" for n, d in digits_logs.items() if fnr in d),
            *("the database" for d in digits_stored if fnr in d),
        ]
        for place in places:
            result.leaks += 1
            result.problems.append(f"fødselsnummer …{fnr[-3:]} found in {place}")
    for item in typed:
        owner = typed_by[item.text]
        for chat, text in texts:
            if item.text in text and (chat != owner or text.startswith(REMINDER_MARK)):
                result.leaks += 1
                result.problems.append(f"{item.text!r} sent to chat {chat}")
        for name, log in logs.items():
            if item.text in log:
                result.leaks += 1
                result.problems.append(f"{item.text!r} in log {name}")
