"""Safe defaults: webhook mode always has a secret, start-up failures are one line
naming the setting (exit code 2, no secret), secrets stay out of reprs and logs."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from bot.keys import make_cipher
from bot.settings import SettingsError, load_settings
from koordbot import cli
from koordbot.app import build_application, start_app, stop_app
from koordbot.standin import FakeTelegram, FakeUser
from koordbot.standin.http import BotApiServer
from koordbot.startup import webhook_secret
from koordbot.telegram_mode import webhook_options
from storage.crypto import Cipher
from storage.db import Database
from tests.conftest import ADMIN_ID, TEST_KEY
from tests.ops_live import clean_env, koordbot, live_standin

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "7000000001:AAH-very-secret-token-part-0123456789"
MARKER = "Blåbærsyltetøy"
FNR = "15076500565"  # a fødselsnummer with valid check digits


def run(*args: str, env: dict[str, str], cwd: Path, timeout: float = 60):
    return subprocess.run(
        [sys.executable, "-m", "koordbot.cli", *args],
        env=clean_env(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def one_clear_line(result: subprocess.CompletedProcess[str], *secrets: str) -> str:
    """The failure is exit code 2 and one line on stderr without any secret."""
    err = result.stderr.strip()
    assert result.returncode == 2, (result.returncode, err[-2000:])
    assert "\n" not in err, err[-2000:]
    assert "Traceback" not in err
    for secret in secrets:
        assert secret not in err and secret not in result.stdout
    return err


# ---- the webhook secret --------------------------------------------------------------


def test_webhook_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    settings = load_settings(
        _env_file=None,
        webhook_url="https://bot.kommune.no/hook",
        webhook_secret_file=tmp_path / "state" / "webhook-secret",
    )
    first = webhook_secret(settings)
    assert len(first) >= 32
    assert webhook_secret(settings) == first  # a restart reads the same file
    assert (tmp_path / "state" / "webhook-secret").stat().st_mode & 0o077 == 0
    assert webhook_options(settings, first)["secret_token"] == first
    assert settings.webhook_listen == "127.0.0.1"


@pytest.mark.parametrize("secret", ["s3cret", "x" * 31, "has spaces " * 4, "æøå" * 12])
def test_a_weak_webhook_secret_is_refused(secret: str, monkeypatch) -> None:
    monkeypatch.setenv("KOORDBOT_WEBHOOK_SECRET", secret)
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None)
    assert str(error.value).startswith("KOORDBOT_WEBHOOK_SECRET is not valid")
    assert secret not in str(error.value)


def test_a_weak_stored_webhook_secret_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "webhook-secret"
    path.write_text("short\n", encoding="utf-8")
    settings = load_settings(_env_file=None, webhook_secret_file=path)
    with pytest.raises(SettingsError, match="KOORDBOT_WEBHOOK_SECRET_FILE is not valid"):
        webhook_secret(settings)


async def test_webhook_without_configured_secret_still_refuses_forged_updates(
    sqlite_url: str, tmp_path: Path
) -> None:
    server = BotApiServer(FakeTelegram())
    await server.start()
    port = free_port()
    hook = f"http://127.0.0.1:{port}/hook"
    settings = load_settings(
        _env_file=None,
        database_url=sqlite_url,
        admin_ids=str(ADMIN_ID),
        encryption_key=TEST_KEY,
        bot_api_url=server.url,
        webhook_url=hook,
        webhook_port=port,
        webhook_secret_file=tmp_path / "webhook-secret",
    )
    app = build_application(settings)
    assert app.updater is not None
    await start_app(app)
    await app.start()
    await app.updater.start_webhook(**webhook_options(settings, webhook_secret(settings)))
    try:
        [registered] = [c.params for c in server.telegram.calls if c.method == "setWebhook"]
        secret = registered["secret_token"]
        assert secret == (tmp_path / "webhook-secret").read_text().strip()
        forger = FakeUser(server.telegram, ADMIN_ID, "Mallory")
        async with httpx.AsyncClient(timeout=5) as client:
            bare = await client.post(hook, json=forger.message("/start"))
        assert bare.status_code == 403
    finally:
        await app.updater.stop()
        await app.stop()
        await stop_app(app)
        await server.stop()


# ---- one line for every start-up failure -----------------------------------------------


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "KOORDBOT_ENCRYPTION_KEY": TEST_KEY,
        "KOORDBOT_ADMIN_IDS": str(ADMIN_ID),
        "KOORDBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.sqlite3",
        **extra,
    }


def test_a_token_telegram_refuses_is_one_line_without_the_token(tmp_path: Path) -> None:
    with live_standin() as standin:
        standin.telegram.fail("unauthorized", "getMe", times=10)
        result = run("run", env=base_env(tmp_path, KOORDBOT_BOT_API_URL=standin.url), cwd=tmp_path)
    err = one_clear_line(result, TOKEN, TOKEN.split(":")[1])
    assert "TELEGRAM_BOT_TOKEN was refused by Telegram" in err


def test_an_unreachable_bot_api_is_one_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/bot"
    result = run("run", env=base_env(tmp_path, KOORDBOT_BOT_API_URL=url), cwd=tmp_path)
    err = one_clear_line(result, TOKEN.split(":")[1])
    assert err.startswith("koordbot: KOORDBOT_BOT_API_URL: the Bot API at") and url in err


def _pg_server() -> str | None:
    with socket.socket() as probe:
        probe.settimeout(1)
        try:
            probe.connect(("127.0.0.1", 5432))
        except OSError:
            return None
    return "127.0.0.1:5432"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql+asyncpg://kb:pw-secret-123@127.0.0.1:{closed}/kb", "no PostgreSQL server"),
        ("postgresql+asyncpg://kb:pw-secret-123@no-such-host.invalid/kb", "is unknown"),
        ("postgresql+asyncpg://postgres:pw-secret-123@127.0.0.1:5432/no_such_db", "does not exist"),
        ("postgresql+asyncpg://no_such_user:pw-secret-123@127.0.0.1:5432/postgres", "refused user"),
        ("sqlite+aiosqlite:///{tmp}/missing-folder/bot.sqlite3", "does not exist"),
        ("sqlite+aiosqlite:///{tmp}/not-a-database.sqlite3", "is not a SQLite database"),
    ],
)
def test_database_failures_are_one_line(
    url: str, expected: str, tmp_path: Path, monkeypatch, capsys
) -> None:
    if "@127.0.0.1:5432" in url and _pg_server() is None:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    (tmp_path / "not-a-database.sqlite3").write_bytes(b"this is not a database\n" * 200)
    url = url.format(closed=free_port(), tmp=tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "configure_logging", lambda *a, **k: None)
    for name, value in base_env(tmp_path, KOORDBOT_DATABASE_URL=url).items():
        monkeypatch.setenv(name, value)
    for command in (["db", "upgrade"], ["run"]):
        code = cli.main(command)
        out, err = capsys.readouterr()
        result = subprocess.CompletedProcess(command, code, out, err)
        err = one_clear_line(result, "pw-secret-123", TOKEN.split(":")[1])
        assert err.startswith("koordbot: KOORDBOT_DATABASE_URL: "), err
        assert expected in err


def test_a_database_failure_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/missing-folder/bot.sqlite3"
    result = run("run", env=base_env(tmp_path, KOORDBOT_DATABASE_URL=url), cwd=tmp_path)
    assert "KOORDBOT_DATABASE_URL: the folder" in one_clear_line(result, TOKEN)


def test_a_malformed_old_key_is_reported_under_its_own_name() -> None:
    settings = load_settings(
        _env_file=None,
        encryption_key=TEST_KEY,
        old_encryption_keys=f"{Cipher.generate_key()},not-a-key",
    )
    with pytest.raises(SettingsError) as error:
        make_cipher(settings)
    assert str(error.value).startswith("KOORDBOT_OLD_ENCRYPTION_KEYS is not valid: key 2 of 2")
    assert "not-a-key" not in str(error.value)


# ---- secrets never shown ------------------------------------------------------------


def test_secrets_are_not_in_the_settings_repr() -> None:
    key = Cipher.generate_key()
    settings = load_settings(
        _env_file=None,
        telegram_bot_token=TOKEN,
        encryption_key=key,
        old_encryption_keys=Cipher.generate_key(),
        webhook_secret="w" * 40,
        database_url="postgresql+asyncpg://kb:pw-secret-123@db/kb",
    )
    shown = repr(settings) + str(settings) + str(settings.model_dump(exclude={"database_url"}))
    for secret in (TOKEN, key, "w" * 40, "pw-secret-123"):
        assert secret not in shown


async def test_a_failing_statement_does_not_carry_its_parameters(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/x.sqlite3", Cipher(TEST_KEY))
    try:
        async with db.engine.connect() as conn:
            with pytest.raises(Exception) as error:
                await conn.execute(text("SELECT * FROM no_such_table WHERE x = :x"), {"x": MARKER})
        assert MARKER not in str(error.value)
        assert "hidden" in str(error.value)
    finally:
        await db.dispose()


def test_every_engine_hides_its_parameters() -> None:
    """No engine is made without hide_parameters (bench/ builds its own, for figures)."""
    for path in (ROOT / "storage").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for call in re.findall(r"create_async_engine\(([^)]*)\)", source):
            if call.strip() and "hide_parameters" not in call and "**engine_kwargs" not in call:
                raise AssertionError(f"{path}: create_async_engine({call}) shows parameters")
    assert Database("sqlite+aiosqlite://", Cipher(TEST_KEY)).engine.sync_engine.hide_parameters


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_the_whole_log_holds_no_answer_no_fnr_and_no_token(tmp_path: Path, log_format: str) -> None:
    """A real `koordbot run` process, a conversation with a marker word and a
    fødselsnummer, faults on the way; then every line it logged is searched."""
    with live_standin() as standin:
        env = base_env(tmp_path, KOORDBOT_BOT_API_URL=standin.url, KOORDBOT_LOG_FORMAT=log_format)
        process = koordbot("run", env=env, cwd=tmp_path)
        try:
            standin.wait_for(lambda: standin.calls("getUpdates"), timeout=30)
            anne = FakeUser(standin.telegram, ADMIN_ID, "Anne")
            standin.feed(anne.message("/start"))
            standin.wait_for(lambda: "Hva heter du" in standin.transcript(ADMIN_ID))
            standin.feed(anne.message(FNR))  # refused and deleted
            standin.wait_for(lambda: standin.calls("deleteMessage"))
            # A fault while the marker answer is handled: a traceback gets logged.
            standin.telegram.fail("bad_request", "sendMessage", times=1)
            standin.feed(anne.message(f"Anne {MARKER}"))
            time.sleep(1.0)
            standin.feed(anne.message(f"Anne {MARKER}"))
            standin.wait_for(lambda: any(m.keyboard for m in standin.bot_messages(ADMIN_ID)))
            standin.feed(anne.message(f"/ny {FNR}"))
            time.sleep(1.5)
        finally:
            process.terminate()
            out, err = process.communicate(timeout=30)
    log = out + err
    assert "error while handling an update" in log  # the fault was logged, with traceback
    assert "Traceback" in log
    for needle in (MARKER, FNR, TOKEN, TOKEN.split(":")[1], TEST_KEY):
        assert needle not in log, f"{needle!r} leaked into the log"
    if log_format == "json":
        for line in err.strip().splitlines():
            json.loads(line)
