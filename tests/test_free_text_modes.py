"""The three free-text modes: the setting, the warnings of chat mode, and the form
served in the bot's own event loop."""

from __future__ import annotations

import logging

import httpx
import pytest

from bot.settings import SettingsError, load_settings
from koordbot.telegram_mode import warn_about_free_text
from koordbot.webserver import WebServer, bind, local_form, web_app
from tests.test_settings_cli import run_cli


def test_the_mode_defaults_to_off_without_and_form_with_a_public_url():
    assert load_settings(_env_file=None).free_text_mode == "off"
    url = "https://skjema.kommune.no"
    assert load_settings(_env_file=None, public_url=url).free_text_mode == "form"
    assert load_settings(_env_file=None, public_url=url, free_text="chat").free_text_mode == "chat"
    with pytest.raises(SettingsError, match="KOORDBOT_FREE_TEXT"):
        load_settings(_env_file=None, free_text="mail")
    with pytest.raises(SettingsError, match="KOORDBOT_PUBLIC_URL"):
        load_settings(_env_file=None, public_url="http://skjema.kommune.no")
    with pytest.raises(SettingsError, match="KOORDBOT_PUBLIC_URL"):
        load_settings(_env_file=None, free_text="form").require_form()


def test_chat_mode_warns_at_start_up(caplog):
    with caplog.at_level(logging.WARNING):
        warn_about_free_text(load_settings(_env_file=None, free_text="off"))
        assert caplog.text == ""
        warn_about_free_text(load_settings(_env_file=None, free_text="chat"))
    assert "go through Telegram" in caplog.text


async def test_chat_mode_warns_in_mine_data(bot):
    kari = await bot.registered_user()
    replies = await kari.send("/mine_data")
    assert "Fritekst går gjennom Telegram" in replies[-1]


def test_local_mode_serves_the_form_on_the_loopback_address():
    settings, sock = local_form(load_settings(_env_file=None, web_port=1))
    assert sock is not None
    try:
        assert settings.free_text_mode == "form"
        assert settings.public_url.startswith("http://127.0.0.1:")
        assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()
    kept, none = local_form(load_settings(_env_file=None, free_text="off"))
    assert none is None and kept.free_text_mode == "off"


async def test_the_form_is_served_in_the_bots_event_loop(bot):
    server = WebServer(web_app(bot.app), bind("127.0.0.1", 0))
    await server.start()
    try:
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://127.0.0.1:{server.port}/skjema/nonsense")
        assert response.status_code == 404
        assert "Lenken er ugyldig" in response.text
        assert "frame-ancestors" in response.headers["content-security-policy"]
    finally:
        await server.stop()


def test_local_mode_prints_a_form_link_a_browser_can_open(tmp_path):
    script = "/ny\nAB\n1\n1\n2\n3\n6\n1\n/kartlegging AB\n"
    result = run_cli("local", cwd=tmp_path, stdin=script)
    assert result.returncode == 0, result.stderr[-1500:]
    assert "Skjemaet for fritekst: http://127.0.0.1:" in result.stdout
    line = next(x for x in result.stdout.splitlines() if "✍️ Skriv svaret: " in x)
    assert "/skjema/" in line and "#tgWebAppData=" in line
