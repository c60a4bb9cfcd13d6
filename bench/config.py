"""Where the benchmark keeps its data, the fixed "today" of the synthetic
municipality, and the bot settings it runs with."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url

from bot.rules.workdays import delivery_instant
from bot.settings import Settings, load_settings
from storage.crypto import Cipher

OSLO = ZoneInfo("Europe/Oslo")
# A Tuesday and a working day: the sweep finds that morning's reminders, and the
# weekly digest (Mondays) stays out of the dispatch figure.
TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=OSLO)
DUE_TODAY = delivery_instant(TODAY)
# A fixed key, so cached databases stay readable between runs (synthetic data only).
BENCH_KEY = base64.urlsafe_b64encode(b"koordbot-bench-synthetic-32byte!").decode()
ADMIN_KOORDINATOR_ID = 1
TELEGRAM_ID_BASE = 100_000_000

DATA_DIR = Path(os.environ.get("KOORDBOT_BENCH_DIR", "/tmp/koordbot-bench"))
PG_URL = os.environ.get(
    "KOORDBOT_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/koordbot_bench"
)


def telegram_id(koordinator_id: int) -> int:
    """The Telegram user (and private chat) id of a synthetic koordinator."""
    return TELEGRAM_ID_BASE + koordinator_id


def cipher() -> Cipher:
    """The cipher the bot is given; the generator encrypts with the same one."""
    return Cipher(BENCH_KEY)


@dataclass(frozen=True)
class Target:
    """One database to benchmark."""

    backend: str  # sqlite | postgresql
    url: str

    @property
    def label(self) -> str:
        return "SQLite" if self.backend == "sqlite" else "PostgreSQL"


def sqlite_path(scale: float) -> Path:
    return DATA_DIR / f"municipality-x{scale:g}.sqlite3"


def target_for(backend: str, scale: float) -> Target:
    """The benchmark database of `backend` (one SQLite file per scale; one PG database)."""
    if backend == "sqlite":
        return Target("sqlite", f"sqlite+aiosqlite:///{sqlite_path(scale)}")
    return Target("postgresql", PG_URL)


def asyncpg_dsn(url: str, database: str | None = None) -> str:
    """A plain libpq DSN for asyncpg from a SQLAlchemy URL (optionally another database)."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def bench_settings(url: str) -> Settings:
    """The bot's settings against a benchmark database (koordinator 1 is the admin)."""
    return load_settings(
        database_url=url,
        admin_ids=str(telegram_id(ADMIN_KOORDINATOR_ID)),
        encryption_key=BENCH_KEY,
        local_key_file=DATA_DIR / "local.key",
    )
