"""The bot over a real network: PTB's own HTTP client talks to the stand-in served on
127.0.0.1 (KOORDBOT_BOT_API_URL), and in webhook mode Telegram's POSTs arrive at PTB's
own webhook server."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import Update

from bot.settings import Settings, SettingsError, load_settings
from koordbot.app import App, build_application, start_app, stop_app
from koordbot.standin import ChatMessage, FakeTelegram, FakeUser
from koordbot.standin.http import BotApiServer, decode_value
from koordbot.startup import webhook_secret
from koordbot.telegram_mode import webhook_options
from tests.conftest import ADMIN_ID, TEST_KEY

WAIT_SECONDS = 5.0
SECRET = "s3cret-" + "x" * 30


@pytest.fixture
async def bot_api() -> AsyncIterator[BotApiServer]:
    """The Telegram stand-in served on 127.0.0.1."""
    server = BotApiServer(FakeTelegram())
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def network_settings(bot_api: BotApiServer, sqlite_url: str, **extra: Any) -> Settings:
    return load_settings(
        database_url=sqlite_url,
        admin_ids=str(ADMIN_ID),
        encryption_key=TEST_KEY,
        bot_api_url=bot_api.url,
        **extra,
    )


def params_of(telegram: FakeTelegram, method: str) -> list[dict[str, Any]]:
    return [c.params for c in telegram.calls if c.method == method]


def bot_messages(telegram: FakeTelegram, chat_id: int) -> list[ChatMessage]:
    return [m for m in telegram.messages(chat_id) if m.from_bot]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_admin_starts_the_bot_over_http(bot_api: BotApiServer, sqlite_url: str) -> None:
    telegram = bot_api.telegram
    app: App = build_application(network_settings(bot_api, sqlite_url))
    await start_app(app)
    try:
        assert params_of(telegram, "getMe")
        commands = params_of(telegram, "setMyCommands")
        assert commands and isinstance(commands[0]["commands"], list)
        assert telegram.commands, "the stand-in accepted the command list"

        anne = FakeUser(telegram, ADMIN_ID, "Anne")
        await app.process_update(Update.de_json(anne.message("/start"), app.bot))

        sent = params_of(telegram, "sendMessage")
        assert sent and all(p["chat_id"] == ADMIN_ID for p in sent)
        assert "Hva heter du" in bot_messages(telegram, ADMIN_ID)[-1].text
    finally:
        await stop_app(app)


async def test_webhook_mode_end_to_end(bot_api: BotApiServer, sqlite_url: str) -> None:
    telegram = bot_api.telegram
    port = free_port()
    hook = f"http://127.0.0.1:{port}/hook"
    settings = network_settings(
        bot_api,
        sqlite_url,
        webhook_url=hook,
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_secret=SECRET,
    )
    app: App = build_application(settings)
    assert app.updater is not None
    await start_app(app)
    await app.start()
    await app.updater.start_webhook(**webhook_options(settings, webhook_secret(settings)))
    try:
        registered = params_of(telegram, "setWebhook")
        assert registered and registered[-1]["url"] == hook
        assert registered[-1]["secret_token"] == SECRET

        stranger = FakeUser(telegram, 900_002, "Ola")
        anne = FakeUser(telegram, ADMIN_ID, "Anne")
        async with httpx.AsyncClient(timeout=WAIT_SECONDS) as client:
            forged = await client.post(
                hook,
                json=stranger.message("/start"),
                headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
            )
            real = await client.post(
                hook,
                json=anne.message("/start"),
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
        assert forged.status_code == 403
        assert real.status_code == 200

        async with asyncio.timeout(WAIT_SECONDS):
            while not any("Hva heter du" in m.text for m in bot_messages(telegram, ADMIN_ID)):
                await asyncio.sleep(0.02)
        assert bot_messages(telegram, 900_002) == []
    finally:
        await app.updater.stop()
        await app.stop()
        await stop_app(app)


def test_bot_api_url_must_be_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOORDBOT_BOT_API_URL", "ftp://x")
    with pytest.raises(SettingsError, match="KOORDBOT_BOT_API_URL"):
        load_settings(_env_file=None)


@pytest.mark.parametrize(
    ("key", "raw", "value"),
    [
        ("chat_id", "-100123", -100123),
        ("chat_id", "@kanal", "@kanal"),
        ("offset", "7", 7),
        ("reply_markup", '{"inline_keyboard": []}', {"inline_keyboard": []}),
        ("allowed_updates", '["message"]', ["message"]),
        ("disable_notification", "true", True),
        ("text", "true", "true"),
        ("text", "[1] ikke JSON", "[1] ikke JSON"),
        ("parse_mode", "HTML", "HTML"),
        ("file_id", "AgAD{x", "AgAD{x"),
    ],
)
def test_form_values_decode_like_ptb_encoded_them(key: str, raw: str, value: Any) -> None:
    assert decode_value(key, raw) == value
