"""Build a benchmark database once and reuse it: schema from the migrations, rows from
`Municipality` in bulk (SQLite: Core `insert()` executemany in one transaction with
`synchronous=OFF`; PostgreSQL: `COPY` through asyncpg), and a small record of what
was generated so a later run knows the cache is still good."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

import asyncpg
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    column,
    func,
    insert,
    select,
    table,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from bench.config import DUE_TODAY, Target, asyncpg_dsn, cipher
from bench.municipality import Municipality, Row, Shape
from storage.db import Database, alembic_config
from storage.models import Base, Reminder
from storage.types import UTCDateTime

DATA_VERSION = 2
CHUNK = 50_000

# The benchmark's own two tables, next to the bot's schema in the benchmark database.
bench_metadata = MetaData()
bench_meta = Table(
    "bench_meta", bench_metadata, Column("key", String(32), primary_key=True), Column("value", Text)
)
bench_dispatch = Table(
    "bench_dispatch",
    bench_metadata,
    Column("n", Integer, primary_key=True),
    Column("reminder_id", Integer, nullable=False),
)


def head_revision() -> str:
    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


def wanted_meta(scale: float) -> dict[str, Any]:
    return {"version": DATA_VERSION, "scale": scale, "revision": head_revision()}


async def cached_meta(target: Target) -> dict[str, Any] | None:
    """What the benchmark database holds, or None when it is missing or incomplete."""
    if target.backend == "sqlite" and not sqlite_path_of(target).exists():
        return None
    if target.backend == "postgresql" and not await _pg_database_exists(target.url):
        return None
    engine = create_async_engine(target.url)
    try:
        async with engine.connect() as conn:
            has = await conn.run_sync(lambda c: c.dialect.has_table(c, "bench_meta"))
            if not has:
                return None
            value = await conn.scalar(select(bench_meta.c.value).where(bench_meta.c.key == "meta"))
            return json.loads(value) if value else None
    finally:
        await engine.dispose()


async def ensure(target: Target, scale: float, *, fresh: bool) -> dict[str, Any]:
    """The benchmark database for `scale`, generated unless a matching one is cached."""
    meta = None if fresh else await cached_meta(target)
    wanted = wanted_meta(scale)
    if meta is not None and all(meta.get(k) == v for k, v in wanted.items()):
        print(f"  using cached data ({_describe(meta)}), generated in {meta['load_s']:.0f} s")
        return meta
    print(f"  generating the municipality at scale {scale:g} ...", flush=True)
    started = time.perf_counter()
    muni = Municipality(Shape.at(scale), cipher())
    if target.backend == "sqlite":
        await _load_sqlite(target, muni, wanted, started)
    else:
        await _load_postgres(target, muni, wanted, started)
    meta = await cached_meta(target)
    assert meta is not None
    print(f"  generated {_describe(meta)} in {meta['load_s']:.0f} s")
    return meta


def _describe(meta: dict[str, Any]) -> str:
    counts = meta["counts"]
    return ", ".join(f"{counts[t]:,} {t}" for t in ("koordinator", "case", "deadline", "reminder"))


def _final_meta(wanted: dict[str, Any], muni: Municipality, started: float) -> str:
    return json.dumps(
        {
            **wanted,
            "counts": muni.counts,
            "dispatch": len(muni.dispatch_ids),
            "load_s": time.perf_counter() - started,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )


def chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Successive lists of up to `size` items (itertools.batched arrives in 3.12)."""
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


# ---- SQLite --------------------------------------------------------------------------
def sqlite_path_of(target: Target) -> Path:
    """The file behind a SQLite target."""
    return Path(target.url.removeprefix("sqlite+aiosqlite:///"))


async def _load_sqlite(
    target: Target, muni: Municipality, wanted: dict[str, Any], started: float
) -> None:
    final = sqlite_path_of(target)
    partial = final.with_suffix(".partial")
    _remove_sqlite(partial, final)
    url = f"sqlite+aiosqlite:///{partial}"
    db = Database(url, cipher())
    await db.upgrade()
    await db.dispose()
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            # The load only: no journal, no fsync, a large page cache. One transaction.
            for pragma in (
                "journal_mode=OFF",
                "synchronous=OFF",
                "cache_size=-1000000",
                "temp_store=MEMORY",
            ):
                await conn.exec_driver_sql(f"PRAGMA {pragma}")
            await conn.run_sync(lambda c: bench_metadata.create_all(c))
            for spec in muni.tables():
                await _insert_sqlite(conn, spec.name, spec.columns, spec.rows())
            await _record(conn, muni, wanted, started)
            await conn.commit()
            await conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    finally:
        await engine.dispose()
    partial.rename(final)


def _remove_sqlite(*paths: Path) -> None:
    paths[0].parent.mkdir(parents=True, exist_ok=True)
    for path in paths:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


async def _insert_sqlite(
    conn: AsyncConnection, name: str, columns: tuple[str, ...], rows: Iterable[Row]
) -> None:
    # An untyped table() so values go to the driver as given: the tokens are already
    # ciphertext (the model's EncryptedText would encrypt them again).
    stmt = insert(table(name, *(column(c) for c in columns)))
    convert = _sqlite_converter(name, columns)
    for chunk in chunks(rows, CHUNK):
        await conn.execute(stmt, [dict(zip(columns, convert(r), strict=True)) for r in chunk])


def _sqlite_converter(name: str, columns: tuple[str, ...]) -> Callable[[Row], Row]:
    """Turn dates, instants and booleans into what SQLAlchemy stores in SQLite."""
    model_table = Base.metadata.tables[name]
    fns: list[Callable[[Any], Any] | None] = []
    for name_ in columns:
        col_type = model_table.c[name_].type
        if isinstance(col_type, UTCDateTime):
            fns.append(_sqlite_instant)
        elif isinstance(col_type, Date):
            fns.append(_sqlite_date)
        elif isinstance(col_type, Boolean):
            fns.append(int)
        else:
            fns.append(None)
    if not any(fns):
        return lambda row: row
    pairs = list(enumerate(fns))

    def convert(row: Row) -> Row:
        return tuple(
            v if fn is None or v is None else fn(v) for v, (_, fn) in zip(row, pairs, strict=True)
        )

    return convert


@lru_cache(maxsize=65_536)
def _sqlite_instant(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@lru_cache(maxsize=65_536)
def _sqlite_date(value: date) -> str:
    return value.isoformat()


async def _record(
    conn: AsyncConnection, muni: Municipality, wanted: dict[str, Any], started: float
) -> None:
    rows = [{"n": n, "reminder_id": rid} for n, rid in enumerate(muni.dispatch_ids)]
    for chunk in chunks(rows, CHUNK):
        await conn.execute(insert(bench_dispatch), chunk)
    await conn.execute(
        insert(bench_meta), {"key": "meta", "value": _final_meta(wanted, muni, started)}
    )


# ---- PostgreSQL ----------------------------------------------------------------------
async def _pg_database_exists(url: str) -> bool:
    name = make_url(url).database
    admin = await asyncpg.connect(asyncpg_dsn(url, "postgres"))
    try:
        return bool(await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await admin.close()


async def _load_postgres(
    target: Target, muni: Municipality, wanted: dict[str, Any], started: float
) -> None:
    name = make_url(target.url).database
    assert name and name != "test", "the benchmark never touches the test database"
    if not await _pg_database_exists(target.url):
        admin = await asyncpg.connect(asyncpg_dsn(target.url, "postgres"))
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
    conn = await asyncpg.connect(asyncpg_dsn(target.url))
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()
    db = Database(target.url, cipher())
    await db.upgrade()
    await db.dispose()
    conn = await asyncpg.connect(asyncpg_dsn(target.url))
    try:
        await conn.execute("SET synchronous_commit = off")
        async with conn.transaction():
            await conn.execute(
                "CREATE TABLE bench_meta (key varchar(32) PRIMARY KEY, value text);"
                "CREATE TABLE bench_dispatch (n integer PRIMARY KEY, reminder_id integer NOT NULL)"
            )
            for spec in muni.tables():
                for chunk in chunks(spec.rows(), CHUNK):
                    await conn.copy_records_to_table(spec.name, records=chunk, columns=spec.columns)
                # Ids were given explicitly: move the sequence past them for the bot's inserts.
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{spec.name}\"', 'id'), "
                    f'(SELECT coalesce(max(id), 0) + 1 FROM "{spec.name}"), false)'
                )
            await conn.copy_records_to_table(
                "bench_dispatch", records=list(enumerate(muni.dispatch_ids))
            )
        # What autovacuum would do soon after a load: statistics and the visibility map.
        await conn.execute("VACUUM ANALYZE")
        await conn.execute(
            "INSERT INTO bench_meta (key, value) VALUES ('meta', $1)",
            _final_meta(wanted, muni, started),
        )
    finally:
        await conn.close()


# ---- shared --------------------------------------------------------------------------
async def prewarm(target: Target) -> str:
    """Read the whole database once, so the timings see a warm cache: this VM's kernel
    reclaims page cache that sat unused for a while, and a server with enough memory
    would hold a database of this size in memory anyway. Returns what was read."""
    started = time.perf_counter()
    if target.backend == "sqlite":
        size = _read_file(sqlite_path_of(target))
    else:
        conn = await asyncpg.connect(asyncpg_dsn(target.url))
        try:
            await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            blocks = await conn.fetchval(
                "SELECT sum(pg_prewarm(c.oid::regclass, 'read')) FROM pg_class c "
                "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'i')"
            )
            size = int(blocks or 0) * 8192
        finally:
            await conn.close()
    return f"{size / 2**20:,.0f} MB in {time.perf_counter() - started:.1f} s"


def _read_file(path: Path) -> int:
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            size += len(chunk)
    return size


async def reset_dispatch(db: Database, pending: int | None = None) -> int:
    """Make the first `pending` of the dispatch set due this morning again (all when
    None); the rest count as sent. Returns how many are pending."""
    ids = select(bench_dispatch.c.reminder_id)
    first = ids if pending is None else ids.where(bench_dispatch.c.n < pending)
    async with db.session() as session:
        await session.execute(
            update(Reminder)
            .where(Reminder.id.in_(ids))
            .values(
                status="sent",
                send_at=DUE_TODAY,
                sent_at=DUE_TODAY,
                claimed_by=None,
                claimed_until=None,
                attempts=0,
                message_id=None,
                last_error=None,
            )
        )
        await session.execute(
            update(Reminder).where(Reminder.id.in_(first)).values(status="pending", sent_at=None)
        )
        count = await session.scalar(
            select(func.count())
            .select_from(Reminder)
            .where(Reminder.id.in_(first), Reminder.status == "pending")
        )
    return int(count or 0)
