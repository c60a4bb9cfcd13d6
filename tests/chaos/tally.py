"""What the chaos suite counts, and the table it prints at the end of the pytest run."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.reminders.sweep import IN_FLIGHT
from koordbot.standin.model import ApiCall, ChatMessage
from tests.chaos.fleet import Kill
from tests.chaos.users import Typed

# Every scenario played in this pytest run, for the table in the terminal summary.
RESULTS: list[Result] = []
REMINDER_MARK = "⏰"
PROBLEM_LEVEL = re.compile(r"^\S+ \S+ (ERROR|CRITICAL) ")


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
    # The longest a resent reminder had been in flight (first asked for) before the kill.
    exposure: float = 0.0
    most_per_kill: int = 0  # the most reminders one kill made go out twice
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
    "most per kill",
    "longest in flight",
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
            str(r.most_per_kill),
            f"{r.exposure:.2f} s",
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


def count_answers(
    result: Result, typed: list[Typed], stored: set[str], chats: dict[int, list[ChatMessage]]
) -> None:
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
            result.problems.extend(_around(item.text, chats))


def _around(text: str, chats: dict[int, list[ChatMessage]]) -> list[str]:
    """The chat around a message the user typed (to see what the bot answered)."""
    for messages in chats.values():
        at = next((n for n, m in enumerate(messages) if m.text == text), None)
        if at is not None:
            return [
                f"    {'bot' if m.from_bot else 'user'} #{m.message_id}"
                f"{' deleted' if m.deleted else ''} edits {m.edits}: {m.text[:100]!r}"
                for m in messages[max(0, at - 10) : at + 6]
            ]
    return []


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

    A duplicate is inside the README's window when the process that asked for the first
    send was killed afterwards, and that kill accounts for at most IN_FLIGHT duplicates
    (a process has at most that many reminders between claim and record); any other
    duplicate is outside."""
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
    by_kill: Counter[int] = Counter()
    for chat, times in sorted(per_chat.items()):
        if chat not in due or times < 2:
            continue
        first = next(c for c in requests if int(c.params["chat_id"]) == chat)
        kill = _killed_after(first, kills)
        if kill is not None and by_kill[kill] + times - 1 <= IN_FLIGHT:
            by_kill[kill] += times - 1
            result.duplicates_in_window += times - 1
            result.exposure = max(result.exposure, kills[kill].at - first.at, 0.0)
            result.most_per_kill = max(result.most_per_kill, by_kill[kill])
        else:
            result.duplicates_outside += times - 1
            result.problems.append(f"chat {chat}: reminder delivered {times}x outside the window")
            result.problems.extend(_history(chat, requests, kills))


def _killed_after(first: ApiCall, kills: list[Kill]) -> int | None:
    """The kill (its index) of the process that asked for the first send: the reminder
    was in flight then, unless the process had recorded it (it would not have been sent
    again). A request can reach the stand-in a moment after the kill: it was written
    before the process died."""
    return next((n for n, k in enumerate(kills) if k.token == first.caller), None)


def _history(chat: int, requests: list[ApiCall], kills: list[Kill]) -> list[str]:
    """When each request for one chat was made, by whom, against the kills."""
    start = requests[0].at if requests else 0.0
    position: dict[str, int] = {}
    lines = []
    for call in requests:
        position[call.caller] = position.get(call.caller, 0) + 1
        if int(call.params["chat_id"]) == chat:
            lines.append(
                f"    requested at {call.at - start:.2f} s by …{call.caller[-6:]}"
                f" (its reminder request no. {position[call.caller]})"
            )
    lines.extend(
        f"    kill of …{k.token[-6:]} at {k.at - start:.2f} s ({k.during}), after "
        f"{sum(1 for c in requests if c.caller == k.token and c.at <= k.at)} requests"
        for k in kills
    )
    return lines


def count_exceptions(result: Result, logs: dict[str, str]) -> None:
    """ERROR and CRITICAL lines and tracebacks in the processes' output (a kill leaves
    none); a traceback right under its ERROR line is one event."""
    for name, text in logs.items():
        previous = ""
        for line in text.splitlines():
            if PROBLEM_LEVEL.search(line) or (
                line.startswith("Traceback") and not PROBLEM_LEVEL.search(previous)
            ):
                result.exceptions += 1
                result.problems.append(f"{name}: {line[:300]}")
            previous = line


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
