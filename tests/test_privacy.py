"""Privacy at rest (SPEC 3.7), on SQLite and PostgreSQL: free text is encrypted in the
database file and dump, `koordbot keys rotate` moves every field to a new key, and
deleted or expired cases leave nothing behind but an audit line."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Text, event, func, select, text, type_coerce, update
from sqlalchemy.engine import make_url

from bot import audit
from bot.keys import (
    KeyRotationError,
    encrypted_columns,
    key_fingerprint,
    rotate_all,
    rotate_configured,
)
from bot.retention import delete_case, purge_closed, scrub
from bot.settings import load_settings
from storage.crypto import Cipher
from storage.db import Database
from storage.models import (
    Answer,
    AuditEntry,
    Base,
    Case,
    ConversationRun,
    Deadline,
    DialogState,
    Koordinator,
    Meeting,
    Reminder,
)
from tests.conftest import TEST_KEY

MARKER = "Markørord-Blåbær"
NOW = datetime(2027, 6, 1, 7, 0, tzinfo=UTC)
# Aliases are stored in plain text: seeing one proves a raw check can see plain text.
PLAIN_ALIAS = "SynligAlias"
KEY_A = TEST_KEY
KEY_B = Cipher.generate_key()


@asynccontextmanager
async def opened(url: str, cipher: Cipher) -> AsyncIterator[Database]:
    db = Database(url, cipher)
    try:
        yield db
    finally:
        await db.dispose()


async def add_koordinator(db: Database, telegram_user_id: int, name: str) -> int:
    async with db.session() as s:
        k = Koordinator(
            telegram_user_id=telegram_user_id, name=name, tjenestested="skole", created_at=NOW
        )
        s.add(k)
        await s.flush()
        return k.id


async def add_case(
    db: Database,
    koordinator_id: int,
    *,
    alias: str,
    words: str = MARKER,
    status: str = "active",
    closed_at: datetime | None = None,
    dialog_user: int | None = None,
    dialog_points_at: str = "run_id",
) -> int:
    """A case with one of everything hanging on it, `words` in every free-text field,
    and (optionally) a user's open dialogue pointing at it."""
    async with db.session() as s:
        case = Case(
            koordinator_id=koordinator_id,
            alias=alias,
            alias_key=alias.casefold(),
            role="koordinator",
            level="ip",
            appointed_on=date(2026, 1, 5),
            status=status,
            created_at=NOW,
            updated_at=NOW,
            closed_at=closed_at,
        )
        s.add(case)
        await s.flush()
        run = ConversationRun(
            case_id=case.id,
            kind="kartlegging",
            cursor={"half": f"{words} i cursor"},
            started_by_id=koordinator_id,
            started_at=NOW,
            updated_at=NOW,
        )
        deadline = Deadline(
            case_id=case.id,
            kind="evaluering",
            due=date(2027, 9, 1),
            source="hand",
            source_ref=f"ref-{alias}",
            title=f"{words} i fristen",
            created_at=NOW,
        )
        s.add_all([run, deadline])
        await s.flush()
        s.add_all(
            [
                Answer(
                    run_id=run.id,
                    path=f"p.{alias}",
                    step_id="s1",
                    value={"fri": f"{words} svar"},
                    note=f"{words} i notatet",
                    answered_by_id=koordinator_id,
                    answered_at=NOW,
                ),
                Reminder(deadline_id=deadline.id, case_id=case.id, send_at=NOW, kind="lead"),
                Meeting(
                    case_id=case.id,
                    run_id=run.id,
                    kind="ansvarsgruppe",
                    starts_at=NOW,
                    place=f"{words} møterom",
                    minutes_by=f"{words} referent",
                    created_at=NOW,
                    updated_at=NOW,
                ),
            ]
        )
        if dialog_user is not None:
            pointer = {"run_id": run.id, "case_id": case.id, "deadline_id": deadline.id}
            s.add(
                DialogState(
                    telegram_user_id=dialog_user,
                    flow="conversation",
                    step="run",
                    data={dialog_points_at: pointer[dialog_points_at], "draft": words},
                    updated_at=NOW,
                )
            )
        await audit.record(s, at=NOW, action="case.created", case_id=case.id)
        return case.id


async def seed(db: Database) -> int:
    """One koordinator with one case: the marker in every encrypted column."""
    k = await add_koordinator(db, 4242, f"{MARKER} Koordinatorsen")
    return await add_case(db, k, alias=PLAIN_ALIAS, dialog_user=4242)


async def read_back(db: Database) -> list[Any]:
    """Every encrypted value, decrypted through the ORM, in a stable order."""
    async with db.session() as s:
        values: list[Any] = []
        for model, fields in [
            (Koordinator, ["name"]),
            (ConversationRun, ["cursor"]),
            (Answer, ["value", "note"]),
            (Deadline, ["title"]),
            (Meeting, ["place", "minutes_by"]),
            (DialogState, ["data"]),
        ]:
            rows = await s.scalars(select(model).order_by(*model.__table__.primary_key))
            for row in rows.all():
                values.extend(getattr(row, f) for f in fields)
        return values


async def raw_tokens(db: Database) -> dict[str, list[str]]:
    """The stored ciphertext of every encrypted column, bypassing decryption."""
    out: dict[str, list[str]] = {}
    async with db.engine.connect() as conn:
        for table, column in encrypted_columns():
            stmt = select(type_coerce(column, Text)).where(column.is_not(None))
            out[f"{table.name}.{column.name}"] = list((await conn.scalars(stmt)).all())
    return out


def _absent(marker: str, blob: bytes, where: str) -> None:
    for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
        assert marker.encode(encoding) not in blob, f"{marker!r} ({encoding}) found in {where}"


def sqlite_bytes(url: str) -> bytes:
    path = Path(make_url(url).database or "")
    files = [path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))]
    return b"".join(p.read_bytes() for p in files if p.exists())


async def pg_dump(url: str) -> bytes:
    u = make_url(url)
    proc = await asyncio.create_subprocess_exec(
        shutil.which("pg_dump") or "pg_dump",
        "-h",
        u.host or "127.0.0.1",
        "-p",
        str(u.port or 5432),
        "-U",
        u.username or "postgres",
        "-d",
        u.database or "",
        "--data-only",
        "--no-password",
        env={**os.environ, "PGPASSWORD": u.password or ""},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode(errors="replace")
    return out


async def sql_dump(db: Database) -> bytes:
    """Every row of every table as PostgreSQL renders it as text."""
    parts: list[str] = []
    async with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = await conn.scalars(text(f'SELECT t::text FROM "{table.name}" t'))
            parts.extend(rows.all())
    return "\n".join(parts).encode()


# --- encryption at rest ----------------------------------------------------------------


async def test_free_text_is_nowhere_in_the_raw_database(database_url):
    async with opened(database_url, Cipher(KEY_A)) as db:
        await seed(db)
        # The test can fail for the right reason: the ORM does read the marker back ...
        values = await read_back(db)
        assert len(values) == 8 and all(MARKER in str(v) for v in values)
        # ... every encrypted column of the schema holds a value here ...
        assert all(len(tokens) == 1 for tokens in (await raw_tokens(db)).values())
        # ... and the database itself never sees it (though it does see the plain alias).
        if db.is_sqlite:
            raw = {"the SQLite files (open)": sqlite_bytes(database_url)}
        else:
            raw = {"the rows rendered as text": await sql_dump(db)}
            if shutil.which("pg_dump"):
                raw["pg_dump --data-only"] = await pg_dump(database_url)
    if database_url.startswith("sqlite"):
        raw["the SQLite files (closed)"] = sqlite_bytes(database_url)
    for where, blob in raw.items():
        assert PLAIN_ALIAS.encode() in blob, f"{where}: the check sees no plain text at all"
        _absent(MARKER, blob, where)


# --- key rotation ----------------------------------------------------------------------


async def test_keys_rotate_moves_every_field_to_the_new_key(database_url):
    async with opened(database_url, Cipher(KEY_A)) as db:
        await seed(db)
        k2 = await add_koordinator(db, 4343, "Andre")
        await add_case(db, k2, alias="CD2", words="andre ord")
        async with db.session() as s:  # NULLs are skipped, not counted
            s.add(Koordinator(telegram_user_id=4444, name=None, created_at=NOW))
        before = await read_back(db)
        tokens_before = await raw_tokens(db)

    # The operator: new key first, the old one as KOORDBOT_OLD_ENCRYPTION_KEYS.
    async with opened(database_url, Cipher(KEY_B, (KEY_A,))) as db:
        counts = await rotate_all(db, batch=1)  # batch=1 exercises the paging
        assert counts == {name: len(tokens) for name, tokens in tokens_before.items()}
        assert counts["koordinator.name"] == 2 and counts["answer.note"] == 2
        tokens_after = await raw_tokens(db)
        assert all(set(tokens_after[n]).isdisjoint(tokens_before[n]) for n in tokens_before)
        assert await rotate_all(db) == counts  # a second run is harmless

    # The old key is removed from the settings: everything still reads.
    async with opened(database_url, Cipher(KEY_B)) as db:
        assert await read_back(db) == before
    # And the old key alone reads nothing any more.
    async with opened(database_url, Cipher(KEY_A)) as db:
        with pytest.raises(ValueError, match="cannot be decrypted"):
            await read_back(db)


async def test_keys_rotate_names_an_unreadable_value_and_changes_nothing(database_url):
    key_c = Cipher.generate_key()
    async with opened(database_url, Cipher(KEY_A)) as db:
        await seed(db)
    async with opened(database_url, Cipher(key_c)) as db:  # a key nobody configured
        async with db.session() as s:
            answer_id = (await s.scalars(select(Answer.id))).one()
            await s.execute(
                update(Answer).where(Answer.id == answer_id).values(note="ukjent nøkkel")
            )

    async with opened(database_url, Cipher(KEY_B, (KEY_A,))) as db:
        with pytest.raises(KeyRotationError, match=rf"answer\.note \(id={answer_id}\)"):
            await rotate_all(db)
    # koordinator.name was rotated before answer.note was reached, and rolled back.
    async with opened(database_url, Cipher(KEY_A)) as db:
        async with db.session() as s:
            assert (await s.scalars(select(Koordinator.name))).one().startswith(MARKER)


def test_key_fingerprint_tells_keys_apart_without_showing_them():
    assert key_fingerprint(KEY_A) == key_fingerprint(f" {KEY_A}\n")
    assert key_fingerprint(KEY_A) != key_fingerprint(KEY_B)
    assert len(key_fingerprint(KEY_A)) == 8 and key_fingerprint(KEY_A) not in KEY_A


# --- deleting cases --------------------------------------------------------------------


async def remains(db: Database, case_id: int) -> dict[str, int]:
    """How many rows of each kind still belong to the case."""
    async with db.session() as s:

        async def count(model: Any, *where: Any) -> int:
            return int(await s.scalar(select(func.count()).select_from(model).where(*where)))

        runs = select(ConversationRun.id).where(ConversationRun.case_id == case_id)
        deadlines = select(Deadline.id).where(Deadline.case_id == case_id)
        return {
            "case": await count(Case, Case.id == case_id),
            "run": await count(ConversationRun, ConversationRun.case_id == case_id),
            "answer": await count(Answer, Answer.run_id.in_(runs)),
            "deadline": await count(Deadline, Deadline.case_id == case_id),
            "reminder": await count(
                Reminder, (Reminder.case_id == case_id) | Reminder.deadline_id.in_(deadlines)
            ),
            "meeting": await count(Meeting, Meeting.case_id == case_id),
        }


ALL_GONE = dict.fromkeys(["case", "run", "answer", "deadline", "reminder", "meeting"], 0)
ALL_THERE = {**dict.fromkeys(ALL_GONE, 1)}


async def dialog_users(db: Database) -> set[int]:
    async with db.session() as s:
        return set((await s.scalars(select(DialogState.telegram_user_id))).all())


async def audit_actions(db: Database, case_id: int) -> list[str]:
    async with db.session() as s:
        return [e.action for e in await audit.entries(s, case_id=case_id)]


async def test_retention_purges_cases_closed_longer_ago_than_the_period(database_url):
    async with opened(database_url, Cipher(KEY_A)) as db:
        k = await add_koordinator(db, 5000, "Kari")
        old = await add_case(
            db,
            k,
            alias="Gammel",
            status="closed",
            closed_at=NOW - timedelta(days=395),
            dialog_user=5001,
        )
        recent = await add_case(
            db,
            k,
            alias="Nylig",
            status="closed",
            closed_at=NOW - timedelta(days=335),
            dialog_user=5002,
        )
        active = await add_case(db, k, alias="Aktiv", dialog_user=5003, dialog_points_at="case_id")

        async with db.session() as s:
            assert await purge_closed(s, now=NOW, retention_days=365) == [old]

        assert await remains(db, old) == ALL_GONE
        assert await remains(db, recent) == ALL_THERE
        assert await remains(db, active) == ALL_THERE
        assert await dialog_users(db) == {5002, 5003}
        assert await audit_actions(db, old) == ["case.created", "case.purged"]
        async with db.session() as s:
            assert await purge_closed(s, now=NOW, retention_days=365) == []
            # A day after the recent one's period runs out, it goes too.
            later = NOW + timedelta(days=31)
            assert await purge_closed(s, now=later, retention_days=365) == [recent]


async def test_a_koordinator_deletes_a_case_at_once_and_the_audit_log_keeps_it(database_url):
    async with opened(database_url, Cipher(KEY_A)) as db:
        k = await add_koordinator(db, 6000, "Kari")
        doomed = await add_case(
            db, k, alias="Slett", dialog_user=6001, dialog_points_at="deadline_id"
        )
        kept = await add_case(db, k, alias="Behold", dialog_user=6002)

        async with db.session() as s:
            case = await s.get(Case, doomed)  # the handler holds the case in its session
            assert case is not None
            assert await delete_case(
                s, doomed, actor_koordinator_id=k, actor_telegram_id=6000, reason="user", now=NOW
            )
            assert await s.get(Case, doomed) is None
        async with db.session() as s:
            assert not await delete_case(
                s, doomed, actor_koordinator_id=k, actor_telegram_id=6000, reason="user", now=NOW
            )

        assert await remains(db, doomed) == ALL_GONE
        assert await remains(db, kept) == ALL_THERE
        assert await dialog_users(db) == {6002}
        assert await audit_actions(db, doomed) == ["case.created", "case.deleted"]
        async with db.session() as s:
            entry = (
                await s.scalars(select(AuditEntry).where(AuditEntry.action == "case.deleted"))
            ).one()
            assert (entry.koordinator_id, entry.telegram_user_id, entry.detail) == (k, 6000, "user")


async def test_keys_rotate_from_the_settings_logs_fingerprints_not_keys(sqlite_url, caplog):
    async with opened(sqlite_url, Cipher(KEY_A)) as db:
        await seed(db)
    settings = load_settings(
        database_url=sqlite_url, encryption_key=KEY_B, old_encryption_keys=f"{KEY_A}"
    )
    with caplog.at_level(logging.INFO, logger="bot.keys"):
        counts = await rotate_configured(settings)
    assert counts["answer.note"] == 1 and sum(counts.values()) == 8
    assert key_fingerprint(KEY_A) in caplog.text and key_fingerprint(KEY_B) in caplog.text
    assert KEY_A not in caplog.text and KEY_B not in caplog.text
    async with opened(sqlite_url, Cipher(KEY_B)) as db:
        assert all(MARKER in str(v) for v in await read_back(db))


async def test_a_deleted_case_leaves_no_plain_text_in_the_sqlite_file(sqlite_url):
    """The alias is stored in plain text; after a delete and a checkpoint its bytes are
    gone from the file, not just unlinked."""
    plain = "Tyttebær7"
    db = Database(sqlite_url, Cipher(KEY_A))
    # Until storage/db.py sets it: builds without SQLITE_SECURE_DELETE leave freed
    # cells' bytes in the page.
    event.listen(db.engine.sync_engine, "connect", _secure_delete)
    try:
        k = await add_koordinator(db, 7000, "Kari")
        case_id = await add_case(db, k, alias=plain)
        await scrub(db)
        assert plain.encode() in sqlite_bytes(sqlite_url)  # the check can see it at all

        async with db.session() as s:
            await delete_case(
                s, case_id, actor_koordinator_id=k, actor_telegram_id=7000, reason="user", now=NOW
            )
        await scrub(db)
    finally:
        await db.dispose()
    _absent(plain, sqlite_bytes(sqlite_url), "the SQLite files after delete")


def _secure_delete(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
