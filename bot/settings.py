"""Settings from environment variables or a `.env` file.

Every setting has one name a municipality's IT staff sets in the environment; a
missing or malformed one stops start-up with a single line saying which and how
to fix it (see `load_settings`).
"""

from __future__ import annotations

import os
import re
import zoneinfo
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

from bot.rules.cadences import Cadence

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///koordbot.sqlite3"
# Telegram accepts 1-256 of these characters; fewer than 32 is too easy to guess.
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{32,256}")
WEBHOOK_SECRET_RULE = "use 32 to 256 characters of A-Z, a-z, 0-9, _ and -"
# Docker secrets; systemd's LoadCredential= sets CREDENTIALS_DIRECTORY itself.
SECRETS_DIRS = ("KOORDBOT_SECRETS_DIR", "CREDENTIALS_DIRECTORY")
DOCKER_SECRETS = Path("/run/secrets")
FREE_TEXT_MODES = ("form", "off", "chat")


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line for the operator."""


# What KOORDBOT_VGS_COUNTY_NOTICE says when the county has no notice date.
NO_COUNTY_NOTICE = frozenset({"ingen", "-"})


class Settings(BaseSettings):
    """All runtime configuration. Field aliases are the environment variable names."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        # An empty line in .env (as in .env.example) means: the default.
        env_ignore_empty=True,
    )

    # Secrets are SecretStr: never in a repr, a log line or an error message.
    telegram_bot_token: SecretStr = Field(
        default=SecretStr(""), validation_alias="TELEGRAM_BOT_TOKEN"
    )
    # The URL may carry a database password: kept out of the repr as well.
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL, validation_alias="KOORDBOT_DATABASE_URL", repr=False
    )
    # The database password on its own (a Docker secret or systemd credential), used
    # when KOORDBOT_DATABASE_URL has none.
    database_password: SecretStr = Field(
        default=SecretStr(""), validation_alias="KOORDBOT_DATABASE_PASSWORD"
    )
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(), validation_alias="KOORDBOT_ADMIN_IDS"
    )
    bot_api_url: str = Field(default="", validation_alias="KOORDBOT_BOT_API_URL")
    timezone: str = Field(default="Europe/Oslo", validation_alias="KOORDBOT_TIMEZONE")
    encryption_key: SecretStr = Field(
        default=SecretStr(""), validation_alias="KOORDBOT_ENCRYPTION_KEY"
    )
    old_encryption_keys: SecretStr = Field(
        default=SecretStr(""), validation_alias="KOORDBOT_OLD_ENCRYPTION_KEYS"
    )
    webhook_url: str = Field(default="", validation_alias="KOORDBOT_WEBHOOK_URL")
    # The reverse proxy faces the internet; the bot listens on the loopback only.
    webhook_listen: str = Field(default="127.0.0.1", validation_alias="KOORDBOT_WEBHOOK_LISTEN")
    webhook_port: int = Field(
        default=8443, ge=1, le=65535, validation_alias="KOORDBOT_WEBHOOK_PORT"
    )
    webhook_secret: SecretStr = Field(
        default=SecretStr(""), validation_alias="KOORDBOT_WEBHOOK_SECRET"
    )
    # Where a generated webhook secret is kept, so it stays the same across restarts.
    webhook_secret_file: Path = Field(
        default=Path(".koordbot/webhook-secret"), validation_alias="KOORDBOT_WEBHOOK_SECRET_FILE"
    )
    log_format: Literal["text", "json"] = Field(
        default="text", validation_alias="KOORDBOT_LOG_FORMAT"
    )
    reminder_hour: int = Field(default=8, ge=0, le=23, validation_alias="KOORDBOT_REMINDER_HOUR")
    invitation_days: int = Field(
        default=7, ge=1, le=90, validation_alias="KOORDBOT_INVITATION_DAYS"
    )
    invitation_guesses: int = Field(
        default=5, ge=1, le=100, validation_alias="KOORDBOT_INVITATION_GUESSES"
    )
    questionnaire_dir: Path | None = Field(
        default=None, validation_alias="KOORDBOT_QUESTIONNAIRE_DIR"
    )
    oppstart_days: int = Field(default=14, ge=1, le=120, validation_alias="KOORDBOT_OPPSTART_DAYS")
    evaluation_months: int = Field(
        default=6, ge=1, le=36, validation_alias="KOORDBOT_EVALUATION_MONTHS"
    )
    meeting_interval_months: int = Field(
        default=6, ge=1, le=24, validation_alias="KOORDBOT_MEETING_INTERVAL_MONTHS"
    )
    invitation_days_before: int = Field(
        default=14, ge=0, le=90, validation_alias="KOORDBOT_INVITATION_DAYS_BEFORE"
    )
    minutes_working_days: int = Field(
        default=2, ge=0, le=30, validation_alias="KOORDBOT_MINUTES_WORKING_DAYS"
    )
    overdue_days: Annotated[tuple[int, ...], NoDecode] = Field(
        default=(1, 7), validation_alias="KOORDBOT_OVERDUE_DAYS"
    )
    send_per_second: float = Field(
        default=30.0, gt=0, le=1000, validation_alias="KOORDBOT_SEND_PER_SECOND"
    )
    send_per_chat_seconds: float = Field(
        default=1.0, ge=0, le=60, validation_alias="KOORDBOT_SEND_PER_CHAT_SECONDS"
    )
    sweep_seconds: int = Field(default=60, ge=5, le=3600, validation_alias="KOORDBOT_SWEEP_SECONDS")
    # Updates handled at once (one person's updates are always handled in order).
    concurrent_updates: int = Field(
        default=32, ge=1, le=1024, validation_alias="KOORDBOT_CONCURRENT_UPDATES"
    )
    ke_chat_id: int | None = Field(default=None, validation_alias="KOORDBOT_KE_CHAT_ID")
    ke_overdue_days: int = Field(
        default=30, ge=1, le=365, validation_alias="KOORDBOT_KE_OVERDUE_DAYS"
    )
    small_count: int = Field(default=5, ge=0, le=50, validation_alias="KOORDBOT_SMALL_COUNT")
    retention_days: int = Field(
        default=365, ge=1, le=3650, validation_alias="KOORDBOT_RETENTION_DAYS"
    )
    local_key_file: Path = Field(
        default=Path(".koordbot/local.key"), validation_alias="KOORDBOT_LOCAL_KEY_FILE"
    )
    # The county's notice date for 10th-graders applying with fortrinnsrett (local
    # inntaksforskrift), DD.MM; «ingen» when the county has none (an empty line in
    # .env means the default, as for every setting).
    vgs_county_notice: str = Field(default="01.10", validation_alias="KOORDBOT_VGS_COUNTY_NOTICE")
    # Days the outgoing koordinator can still read a case after a handover.
    handover_overlap_days: int = Field(
        default=14, ge=0, le=90, validation_alias="KOORDBOT_HANDOVER_OVERLAP_DAYS"
    )
    # What the municipality calls its koordinerende enhet, as used in every text.
    ke_name: str = Field(
        default="koordinerende enhet",
        min_length=2,
        max_length=60,
        validation_alias="KOORDBOT_KE_NAME",
    )

    @field_validator("vgs_county_notice")
    @classmethod
    def _day_month(cls, value: str) -> str:
        value = value.strip()
        if value.casefold() in NO_COUNTY_NOTICE:
            return ""
        if value and _day_month_of(value) is None:
            raise ValueError(f"'{value}' is not a day and month like 01.10 (or «ingen» for none)")
        return value

    @property
    def county_notice(self) -> tuple[int, int] | None:
        """The county notice date as (month, day), or None when there is none."""
        return _day_month_of(self.vgs_county_notice) if self.vgs_county_notice else None

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            ids = []
            for part in parts:
                if not part.lstrip("-").isdigit():
                    raise ValueError(
                        f"'{part}' is not a Telegram user id; use numbers separated by commas"
                    )
                ids.append(int(part))
            return frozenset(ids)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("overdue_days", mode="before")
    @classmethod
    def _split_days(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            if not all(p.isdigit() and 0 < int(p) <= 365 for p in parts):
                raise ValueError("use whole days between 1 and 365 separated by commas, e.g. 1,7")
            return tuple(sorted({int(p) for p in parts}))
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _strong_secret(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value().strip()
        if secret and not WEBHOOK_SECRET.fullmatch(secret):
            raise ValueError(f"too short or has characters Telegram refuses; {WEBHOOK_SECRET_RULE}")
        return SecretStr(secret)

    @field_validator("telegram_bot_token", "encryption_key", "old_encryption_keys")
    @classmethod
    def _strip_secret(cls, value: SecretStr) -> SecretStr:
        return SecretStr(value.get_secret_value().strip())

    @field_validator("questionnaire_dir")
    @classmethod
    def _existing_dir(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(f"'{value}' is not a folder")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone '{value}', e.g. Europe/Oslo") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        value = value.strip()
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        if value.startswith(("postgresql://", "postgres://")):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "use sqlite+aiosqlite:///path/to/file.sqlite3 or "
                "postgresql+asyncpg://user@host:5432/database"
            )
        return value

    @field_validator("bot_api_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"'{value}' must start with http:// or https://")
        return value

    @field_validator("bot_api_url")
    @classmethod
    def _bot_path(cls, value: str) -> str:
        value = value.rstrip("/")
        if value and not value.endswith("/bot"):
            raise ValueError(f"'{value}' must end with /bot, e.g. http://127.0.0.1:8081/bot")
        return value

    @model_validator(mode="after")
    def _password_into_url(self) -> Settings:
        password = self.database_password.get_secret_value().strip()
        if password and self.database_url.startswith("postgresql"):
            url = make_url(self.database_url)
            if not url.password:
                self.database_url = url.set(password=password).render_as_string(hide_password=False)
        return self

    @property
    def cadence(self) -> Cadence:
        """The municipality's cadences as the rules use them."""
        return Cadence(
            oppstart_within_days=self.oppstart_days,
            meeting_interval_months=self.meeting_interval_months,
            evaluation_interval_months=self.evaluation_months,
            invitation_days_before=self.invitation_days_before,
            minutes_working_days_after=self.minutes_working_days,
            overdue_days=self.overdue_days or (1, 7),
        )

    def secrets(self) -> list[str]:
        """Every secret value set, for masking them wherever text leaves the process."""
        values = [
            self.telegram_bot_token.get_secret_value(),
            self.encryption_key.get_secret_value(),
            self.webhook_secret.get_secret_value(),
            self.database_password.get_secret_value(),
            *self.old_encryption_keys.get_secret_value().split(","),
        ]
        token = self.telegram_bot_token.get_secret_value()
        if ":" in token:
            values.append(token.split(":", 1)[1])  # the part after the bot id
        password = _url_password(self.database_url)
        if password:
            values.append(password)
        return sorted({v.strip() for v in values if len(v.strip()) >= 6}, key=len, reverse=True)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The configured time zone as a tzinfo."""
        return zoneinfo.ZoneInfo(self.timezone)

    def require_telegram(self) -> None:
        """Check what Telegram mode needs beyond the defaults."""
        token = self.telegram_bot_token.get_secret_value()
        if not token:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and put it in the "
                "environment or in .env (or try `koordbot local`, which needs no token)."
            )
        if ":" not in token:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN looks malformed: a token from @BotFather looks like "
                "123456789:AA...; check for missing characters or quotes."
            )
        if not self.encryption_key.get_secret_value():
            raise SettingsError(
                "KOORDBOT_ENCRYPTION_KEY is not set: create one with `koordbot keys generate` "
                "and keep it secret (losing it makes stored answers unreadable)."
            )
        if not self.admin_ids:
            raise SettingsError(
                "KOORDBOT_ADMIN_IDS is not set: give the Telegram user id of at least one "
                "admin (comma-separated); without one nobody can invite koordinatorer."
            )

    # ---- where free text goes (README «Fritekst: skjema, av eller chat») --------------
    free_text: str = Field(default="", validation_alias="KOORDBOT_FREE_TEXT")
    public_url: str = Field(default="", validation_alias="KOORDBOT_PUBLIC_URL")
    web_listen: str = Field(default="127.0.0.1", validation_alias="KOORDBOT_WEB_LISTEN")
    web_port: int = Field(default=8080, ge=1, le=65535, validation_alias="KOORDBOT_WEB_PORT")
    init_data_max_age: int = Field(
        default=3600, ge=60, le=86400, validation_alias="KOORDBOT_INIT_DATA_MAX_AGE"
    )

    @field_validator("free_text")
    @classmethod
    def _free_text_mode(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in (*FREE_TEXT_MODES, ""):
            raise ValueError(f"'{value}' is not a mode; use form, off or chat")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        local = value.startswith(("http://127.0.0.1", "http://localhost"))
        if value and not (value.startswith("https://") or local):
            raise ValueError(f"'{value}' must start with https:// (Telegram opens only HTTPS)")
        return value

    @property
    def free_text_mode(self) -> str:
        """form, off or chat: unset means form with a public URL and off without one."""
        return self.free_text or ("form" if self.public_url else "off")

    def require_form(self) -> None:
        """The form needs a public URL for Telegram to open."""
        if self.free_text_mode == "form" and not self.public_url:
            raise SettingsError(
                "KOORDBOT_FREE_TEXT=form needs KOORDBOT_PUBLIC_URL, the https:// address "
                "where the reverse proxy serves the web form (or use KOORDBOT_FREE_TEXT=off)."
            )


def _day_month_of(text: str) -> tuple[int, int] | None:
    """'01.10' as (10, 1); None unless it is a day every year has (no 29 February)."""
    day, _, month = text.partition(".")
    if not (day.isdigit() and month.isdigit() and len(day) <= 2 and len(month) <= 2):
        return None
    try:
        date(2023, int(month), int(day))
    except ValueError:
        return None
    return int(month), int(day)


def load_settings(**overrides: Any) -> Settings:
    """Read settings, turning validation errors into one clear `SettingsError` line.

    Besides the environment and `.env`, secrets are read from files named like the
    variable in a secrets folder: KOORDBOT_SECRETS_DIR, systemd's credentials folder
    (CREDENTIALS_DIRECTORY, from LoadCredential=) or Docker's /run/secrets."""
    secrets_dir = secrets_folder()
    if secrets_dir is not None and "_secrets_dir" not in overrides:
        overrides["_secrets_dir"] = secrets_dir
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        env_name = _env_name(field)
        reason = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{env_name} is not valid: {reason}") from None


def secrets_folder() -> Path | None:
    """The folder secrets are read from as files, if there is one."""
    for name in SECRETS_DIRS:
        value = os.environ.get(name, "").strip()
        if value:
            folder = Path(value)
            if not folder.is_dir():
                raise SettingsError(f"{name} is not valid: '{value}' is not a folder")
            return folder
    return DOCKER_SECRETS if DOCKER_SECRETS.is_dir() else None


def _url_password(url: str) -> str:
    match = re.match(r"^[a-z+]+://[^:/@]*:([^@]*)@", url)
    return match.group(1) if match else ""


def _env_name(field: str) -> str:
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info else None
    if isinstance(alias, str):
        return alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return field
