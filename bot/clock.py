"""The one source of time. Production reads the system clock; tests move a manual one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """Anything that tells the current instant as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """Current instant in UTC."""
        return datetime.now(UTC)


class ManualClock:
    """A clock tests set and move; it never moves by itself."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """The instant the test has set."""
        return self._now

    def set(self, instant: datetime) -> None:
        """Jump to an instant (aware)."""
        self._now = instant.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move forward by `delta`."""
        self._now += delta


def local_now(clock: Clock, zone: ZoneInfo) -> datetime:
    """The clock's instant in the configured zone."""
    return clock.now().astimezone(zone)
