"""The application's services, built once and shared by every update."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from bot.access import GuessThrottle
from bot.clock import Clock, local_now
from bot.conversations.model import Questionnaire
from bot.notify import Notifier
from bot.settings import Settings
from messages import Texts
from storage.db import Database


@dataclass
class Services:
    """Settings, clock, database, texts and the way to reach people: what every handler
    and job needs."""

    settings: Settings
    clock: Clock
    db: Database
    texts: Texts
    questionnaires: dict[str, Questionnaire]
    forms: dict[str, Questionnaire]
    # Reminders and notices go out through this (the chat edge implements it).
    notifier: Notifier

    @cached_property
    def invitation_guesses(self) -> GuessThrottle:
        """Wrong invitation codes per user, counted in this process."""
        return GuessThrottle(self.settings.invitation_guesses)

    def __post_init__(self) -> None:
        # Every text names the KE as the municipality does (KOORDBOT_KE_NAME).
        self.texts.set_ke_name(self.settings.ke_name)

    @property
    def zone(self) -> ZoneInfo:
        return self.settings.zone

    def now(self) -> datetime:
        """The current instant (UTC, from the injected clock)."""
        return self.clock.now()

    def local_now(self) -> datetime:
        """The current local time in the configured zone."""
        return local_now(self.clock, self.zone)

    def today(self) -> date:
        """Today's local date."""
        return self.local_now().date()
