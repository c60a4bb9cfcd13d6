"""Settings errors stop the program with one clear line; the CLI's commands work."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings
from storage.crypto import Cipher

ROOT = Path(__file__).resolve().parents[1]


def run_cli(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdin: str | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KOORDBOT_", "TELEGRAM_"))}
    return subprocess.run(
        [sys.executable, "-m", "koordbot.cli", *args],
        env={**base, **(env or {})},
        cwd=cwd or ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"KOORDBOT_ADMIN_IDS": "12,abc"}, "KOORDBOT_ADMIN_IDS is not valid: 'abc'"),
        (
            {"KOORDBOT_TIMEZONE": "Mars/Olympus"},
            "KOORDBOT_TIMEZONE is not valid: unknown time zone",
        ),
        ({"KOORDBOT_DATABASE_URL": "mysql://x"}, "KOORDBOT_DATABASE_URL is not valid"),
        ({"KOORDBOT_BOT_API_URL": "localhost:8081"}, "KOORDBOT_BOT_API_URL is not valid"),
        ({"KOORDBOT_WEBHOOK_PORT": "99999"}, "KOORDBOT_WEBHOOK_PORT is not valid"),
    ],
)
def test_malformed_settings_name_the_variable(env, expected, monkeypatch):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert expected in str(error.value)
    assert "\n" not in str(error.value)


def test_run_without_token_stops_with_one_line(tmp_path):
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_with_token_but_no_key_or_admins(tmp_path):
    result = run_cli("run", cwd=tmp_path, env={"TELEGRAM_BOT_TOKEN": "123:abc"})
    assert result.returncode == 2 and "KOORDBOT_ENCRYPTION_KEY is not set" in result.stderr
    result = run_cli(
        "run",
        cwd=tmp_path,
        env={"TELEGRAM_BOT_TOKEN": "123:abc", "KOORDBOT_ENCRYPTION_KEY": Cipher.generate_key()},
    )
    assert result.returncode == 2 and "KOORDBOT_ADMIN_IDS is not set" in result.stderr
    result = run_cli("run", cwd=tmp_path, env={"TELEGRAM_BOT_TOKEN": "nocolon"})
    assert result.returncode == 2 and "TELEGRAM_BOT_TOKEN looks malformed" in result.stderr


def test_malformed_setting_from_dotenv_file(tmp_path):
    (tmp_path / ".env").write_text("KOORDBOT_ADMIN_IDS=one,two\n", encoding="utf-8")
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "KOORDBOT_ADMIN_IDS is not valid" in result.stderr


def test_bad_encryption_key(tmp_path):
    result = run_cli(
        "run",
        cwd=tmp_path,
        env={
            "TELEGRAM_BOT_TOKEN": "123:abc",
            "KOORDBOT_ENCRYPTION_KEY": "short",
            "KOORDBOT_ADMIN_IDS": "1",
            "KOORDBOT_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
        },
    )
    assert result.returncode == 2
    assert "KOORDBOT_ENCRYPTION_KEY is not valid" in result.stderr


def test_keys_generate_gives_a_usable_key():
    result = run_cli("keys", "generate")
    Cipher(result.stdout.strip())


def test_db_upgrade_from_empty(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/fresh.sqlite3"
    result = run_cli("db", "upgrade", env={"KOORDBOT_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1][:4].isdigit()


def test_local_mode_chat_in_the_terminal(tmp_path):
    script = (
        "\n".join(
            [
                "/start",
                "/ny",
                "AB",
                "2",  # button 2: Barnekoordinator
                "4",  # Individuell plan (IP)
                "03.2016",
                "2",  # Gutt / mann
                "2",  # Barneskole
                "1",  # I dag
                "/saker",
                "!bruker 2",
                "/start",
            ]
        )
        + "\n"
    )
    result = run_cli("local", cwd=tmp_path, stdin=script, timeout=90)
    out = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Lokal modus" in out
    assert re.search(r"bot \d+ › Koordinatorbot", out)
    assert "[1] Koordinator   [2] Barnekoordinator" in out
    assert "Saken AB er registrert" in out
    assert "Født: mars 2016" in out
    assert "Mine saker (1)" in out
    assert "registrerte koordinatorer" in out  # testbruker 2 is not invited
    assert (tmp_path / "koordbot-local.sqlite3").exists()
    assert (tmp_path / ".koordbot" / "local.key").exists()


def test_bot_api_url_must_end_with_bot(monkeypatch):
    monkeypatch.setenv("KOORDBOT_BOT_API_URL", "http://127.0.0.1:8081")
    with pytest.raises(SettingsError, match="must end with /bot"):
        load_settings(_env_file=None)


def test_webhook_listens_on_the_urls_own_path():
    from koordbot.telegram_mode import webhook_options

    options = webhook_options(
        load_settings(
            _env_file=None, webhook_url="https://bot.kommune.no/telegram/hook", webhook_port=8443
        ),
        "x" * 32,
    )
    assert options["url_path"] == "telegram/hook"
    assert options["listen"] == "127.0.0.1"
    root = webhook_options(
        load_settings(_env_file=None, webhook_url="https://bot.kommune.no"), "x" * 32
    )
    assert root["url_path"] == ""


def test_a_broken_questionnaire_stops_start_up_with_file_and_step(tmp_path):
    folder = tmp_path / "skjema"
    folder.mkdir()
    (folder / "oppstart.yaml").write_text(
        "id: oppstart\ntitle: Oppstart\nintro: x\noutro: y\nsteps:\n"
        "  - id: kontakt\n    kind: choice\n    text: Hvordan?\n    options: []\n",
        encoding="utf-8",
    )
    result = run_cli(
        "local", cwd=tmp_path, stdin="", env={"KOORDBOT_QUESTIONNAIRE_DIR": str(folder)}
    )
    assert result.returncode == 2
    assert "oppstart.yaml, step 'kontakt'" in result.stderr
    assert "Traceback" not in result.stderr


OWN_MOTE = """id: mote
title: Vårt møte
intro: Lokalt
outro: Takk
steps:
  - id: lokal
    kind: text
    text: Vårt eget lokale spørsmål?
  - id: slags
    kind: choice
    role: meeting_kind
    text: Hvilket møte?
    options:
      - {value: ansvarsgruppemote, label: Ansvarsgruppe}
      - {value: arbeidsmote, label: Arbeid}
  - id: naar
    kind: datetime
    role: meeting_time
    text: Når møtes dere?
"""


def test_a_municipality_questionnaire_without_a_needed_role_is_refused(tmp_path):
    folder = tmp_path / "skjema"
    folder.mkdir()
    (folder / "mote.yaml").write_text(OWN_MOTE.replace("    role: meeting_time\n", ""))
    result = run_cli(
        "local", cwd=tmp_path, stdin="", env={"KOORDBOT_QUESTIONNAIRE_DIR": str(folder)}
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "koordbot: questionnaire definition is broken: mote.yaml, step '-': "
        "missing role meeting_time"
    ]


def test_a_municipality_can_replace_a_questionnaire(tmp_path):
    # Renamed steps and its own wording: the roles carry the meaning.
    folder = tmp_path / "skjema"
    folder.mkdir()
    (folder / "mote.yaml").write_text(OWN_MOTE, encoding="utf-8")
    script = "/ny\nAB\n1\n1\n2\n3\n6\n1\n/mote AB\nSkolen\n1\n05.03.2027 kl 14:30\n"
    result = run_cli(
        "local",
        cwd=tmp_path,
        stdin=script,
        # The place is typed in the chat here; the web form has tests of its own.
        env={"KOORDBOT_QUESTIONNAIRE_DIR": str(folder), "KOORDBOT_FREE_TEXT": "chat"},
    )
    assert result.returncode == 0, result.stderr[-1500:]
    assert "Vårt eget lokale spørsmål?" in result.stdout
    # The renamed time step still plans the meeting and its deadlines.
    assert "Vårt møte for AB: svarene er lagret" in result.stdout
    assert "Frister som er lagt inn:\n• Møte: 5. mars 2027" in result.stdout


def test_keys_rotate_from_the_command_line(tmp_path):
    old, new = Cipher.generate_key(), Cipher.generate_key()
    url = f"sqlite+aiosqlite:///{tmp_path}/r.sqlite3"
    assert (
        run_cli(
            "db", "upgrade", env={"KOORDBOT_DATABASE_URL": url, "KOORDBOT_ENCRYPTION_KEY": old}
        ).returncode
        == 0
    )
    import asyncio
    from datetime import UTC, datetime

    from storage.db import Database
    from storage.models import Koordinator

    async def write() -> None:
        db = Database(url, Cipher(old))
        async with db.session() as s:
            s.add(
                Koordinator(
                    telegram_user_id=1,
                    name="Rotér meg",
                    is_admin=False,
                    active=True,
                    created_at=datetime.now(UTC),
                )
            )
        await db.dispose()

    asyncio.run(write())
    result = run_cli(
        "keys",
        "rotate",
        env={
            "KOORDBOT_DATABASE_URL": url,
            "KOORDBOT_ENCRYPTION_KEY": new,
            "KOORDBOT_OLD_ENCRYPTION_KEYS": old,
        },
    )
    assert result.returncode == 0, result.stderr
    assert "koordinator.name: 1" in result.stdout

    async def read() -> str | None:
        db = Database(url, Cipher(new))
        async with db.session() as s:
            row = await s.get(Koordinator, 1)
            name = row.name if row else None
        await db.dispose()
        return name

    assert asyncio.run(read()) == "Rotér meg"
