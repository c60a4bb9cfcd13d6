"""What the stand-in keeps: messages, calls, faults, and the checks on message text."""

from __future__ import annotations

import html
from contextvars import ContextVar
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut

BOT_USER = {
    "id": 7_000_000_001,
    "is_bot": True,
    "first_name": "Koordinatorbot",
    "username": "koordinatorbot_local",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
_ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "blockquote",
    "span",
    "tg-emoji",
}


# Which bot made the call being answered: the token of its URL when served over HTTP
# (several processes may share one stand-in, each with a token of its own).
CALLER: ContextVar[str] = ContextVar("caller", default="")


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    at: float
    caller: str = ""


@dataclass
class ChatMessage:
    """A message in a chat as the user sees it."""

    message_id: int
    chat_id: int
    from_bot: bool
    text: str = ""
    html: str = ""
    keyboard: list[list[dict[str, Any]]] = field(default_factory=list)
    document: tuple[str, bytes] | None = None
    photo: bytes | None = None
    caption: str = ""
    deleted: bool = False
    edits: int = 0

    def buttons(self) -> list[str]:
        return [b["text"] for row in self.keyboard for b in row]


@dataclass
class Fault:
    method: str | None  # None = any method
    # retry_after | timeout | network | blocked | bad_request | slow | hang |
    # delivered_then_timeout | 500_after_delivery
    kind: str
    times: int = 1
    retry_after: int = 1
    chat_id: int | None = None
    skip: int = 0  # let this many matching calls through first
    seconds: float = 0.0  # how long a `slow` or `hang` call is held before it is done
    until: float | None = None  # time.monotonic() after which the fault is over
    sending: bool = False  # strikes only calls that send or edit a message


# Faults that let the call do its work first, then answer as if it had failed.
AFTER_DELIVERY = ("delivered_then_timeout", "500_after_delivery")
# Faults that hold the call, then let it do its work: `slow` answers within the client's
# timeout, `hang` long after the client gave up (an overloaded Telegram that delivers).
HELD = ("slow", "hang")


def fault_before(fault: Fault) -> tuple[int, dict[str, Any]]:
    """The answer of a fault that strikes before the call does anything."""
    if fault.kind == "retry_after":
        return 429, {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {fault.retry_after}",
            "parameters": {"retry_after": fault.retry_after},
        }
    # These two happen before the request reaches the stand-in: nothing was done.
    if fault.kind == "timeout":
        raise TimedOut("stand-in: timed out") from httpx.ConnectTimeout("stand-in")
    if fault.kind == "network":
        raise NetworkError("stand-in: connection reset") from httpx.ConnectError("stand-in")
    if fault.kind == "unauthorized":
        return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
    if fault.kind == "blocked":
        return 403, {
            "ok": False,
            "error_code": 403,
            "description": "Forbidden: bot was blocked by the user",
        }
    return 400, {"ok": False, "error_code": 400, "description": "Bad Request: injected"}


def fault_after(fault: Fault) -> tuple[int, dict[str, Any]]:
    """The answer of a call that was done (a message delivered) and then failed."""
    if fault.kind == "delivered_then_timeout":
        # Done, but the answer never came back: what a read timeout looks like.
        raise TimedOut("stand-in: timed out after delivering") from httpx.ReadTimeout(
            "stand-in: no answer"
        )
    return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}


class _Entities(HTMLParser):
    """Validate Telegram HTML and collect the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.stack: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            self.error = f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = f'Unmatched end tag "{tag}"'
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible_text(text: str, parse_mode: str | None) -> tuple[str, str | None]:
    """(plain text, error) for a message text in the given parse mode."""
    if parse_mode != "HTML":
        return text, None
    parser = _Entities()
    parser.feed(text)
    parser.close()
    if parser.stack and not parser.error:
        parser.error = f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"'
    return "".join(parser.text), parser.error


class TelegramError400(Exception):
    pass


class TelegramConflict(Exception):
    """A newer getUpdates request ended this one (two processes polling one token)."""


def escape(text: str) -> str:
    """HTML-escape for building expected texts in tests."""
    return html.escape(text)
