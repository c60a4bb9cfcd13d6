"""An in-process stand-in for the Telegram Bot API (local mode, tests, benchmarks),
also served over HTTP for real `koordbot run` processes."""

from koordbot.standin.api import FakeTelegram
from koordbot.standin.clients import FakeUser, StandinRequest
from koordbot.standin.model import ChatMessage

__all__ = ["ChatMessage", "FakeTelegram", "FakeUser", "StandinRequest"]
