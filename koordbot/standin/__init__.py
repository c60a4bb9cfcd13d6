"""An in-process stand-in for the Telegram Bot API (local mode, tests, benchmarks),
also served over HTTP for real `koordbot run` processes."""

from koordbot.standin.api import ChatMessage, FakeTelegram, FakeUser, StandinRequest

__all__ = ["ChatMessage", "FakeTelegram", "FakeUser", "StandinRequest"]
