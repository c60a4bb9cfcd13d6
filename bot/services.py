"""The application's services, built once and shared by every update."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.clock import Clock, local_now
from bot.conversations.model import Questionnaire
from bot.settings import Settings
from messages import Texts
from storage.db import Database


@dataclass
class Services:
    """Settings, clock, database and texts: what every handler needs."""

    settings: Settings
    clock: Clock
    db: Database
    texts: Texts
    questionnaires: dict[str, Questionnaire]
    forms: dict[str, Questionnaire]

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
