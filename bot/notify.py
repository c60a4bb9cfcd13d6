"""How the services reach a person: the notifier protocol the chat edge implements.

The services decide what to say to whom (a reminder, the weekly digest, a notice to the
koordinerende enhet) and hand over plain, content-free values; the edge renders them,
sends them within the channel's limits and answers with a `Delivery`. Nothing here
knows Telegram.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Protocol

from bot.deadlines import Due


class Outcome(StrEnum):
    """What became of one message."""

    SENT = "sent"
    BLOCKED = "blocked"  # the person blocked the bot or deleted the chat
    RETRY_LATER = "retry_later"  # flood control, or the request surely never left
    REJECTED = "rejected"  # the channel refused this message
    # The request was written but no answer came (a read timeout, the connection
    # dropped, a 5xx): Telegram may have delivered it. Never resent blindly.
    UNCERTAIN = "uncertain"


@dataclass(frozen=True)
class Delivery:
    """The answer of one send: sent (with the message id), or why not."""

    outcome: Outcome
    message_id: int | None = None
    reason: str | None = None

    @classmethod
    def sent(cls, message_id: int) -> Delivery:
        return cls(Outcome.SENT, message_id=message_id)

    @classmethod
    def blocked(cls, reason: str) -> Delivery:
        return cls(Outcome.BLOCKED, reason=reason)

    @classmethod
    def retry_later(cls, reason: str) -> Delivery:
        return cls(Outcome.RETRY_LATER, reason=reason)

    @classmethod
    def rejected(cls, reason: str) -> Delivery:
        return cls(Outcome.REJECTED, reason=reason)

    @classmethod
    def uncertain(cls, reason: str) -> Delivery:
        return cls(Outcome.UNCERTAIN, reason=reason)


@dataclass(frozen=True)
class ReminderView:
    """What one reminder shows and links to: alias, kinds, dates and item numbers only
    (and the short label the koordinator gave a deadline of their own)."""

    deadline_id: int
    case_id: int
    alias: str
    kind: str  # ReminderKind: lead, due, overdue
    deadline_kind: str
    due: date
    proposed: bool
    today: date
    numbers: tuple[int, ...] = ()  # goal and tiltak number of a tiltak
    label: str | None = None  # the short label of a deadline added by hand


@dataclass(frozen=True)
class DigestView:
    """The Monday digest: (alias, deadline) due this week or overdue."""

    today: date
    items: Sequence[tuple[str, Due]]


class NoticeKind(StrEnum):
    """Notices to the koordinerende enhet (each has a template of its own)."""

    NEW_CASE = "new_case"
    HANDED_OVER = "handed_over"
    CLOSED = "closed"
    UNREACHABLE = "unreachable"
    LONG_OVERDUE = "long_overdue"
    VG1_CASE = "vg1_case"
    REMINDER_FAILED = "reminder_failed"
    CLOSE_REQUEST = "close_request"
    HANDOVER_REQUEST = "handover_request"


# Rows of (label, callback data) the edge built: buttons an admin decides by.
NoticeButtons = Sequence[Sequence[tuple[str, str]]]


@dataclass(frozen=True)
class Notice:
    """A short, content-free notice: its kind, the values its template shows and the
    buttons (if any) it carries."""

    kind: NoticeKind
    values: Mapping[str, Any] = field(default_factory=dict)
    buttons: NoticeButtons = ()


class Notifier(Protocol):
    """Sends to one chat; never raises for a refused message, answers a `Delivery`."""

    def turn(self, chat_id: int) -> AbstractAsyncContextManager[None]:
        """Wait until the chat may be sent to (the channel's pace); the sweep claims a
        reminder only inside, so no claim waits out a chat's pace."""
        ...

    async def send_reminder(self, chat_id: int, view: ReminderView) -> Delivery:
        """A reminder with its buttons (done, snooze, open the case)."""
        ...

    async def send_digest(self, chat_id: int, view: DigestView) -> Delivery:
        """The weekly digest."""
        ...

    async def send_notice(self, chat_id: int, notice: Notice) -> Delivery:
        """A notice to the KE chat or an admin."""
        ...
