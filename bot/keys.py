"""Encryption key rotation: re-encrypt every encrypted field under a new key.

Operator flow (`koordbot keys rotate`):

1. Create a new key with `koordbot keys generate`.
2. Put the new key in KOORDBOT_ENCRYPTION_KEY and the old one in
   KOORDBOT_OLD_ENCRYPTION_KEYS (several old keys: comma-separated), then restart the
   bot, so that it reads both and writes with the new one from now on.
3. Run `koordbot keys rotate`. It re-encrypts every encrypted field under the new key
   in one transaction: either everything is rotated or, on any error, nothing is.
   It is safe to run again, and safe while the bot runs (see `rotate_all`).
4. Remove KOORDBOT_OLD_ENCRYPTION_KEYS and restart the bot. The old key is no longer
   needed; destroy it together with any backups made before the rotation.

Keys are never logged; `key_fingerprint` gives a short, one-way label to tell them apart.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from cryptography.fernet import InvalidToken
from sqlalchemy import Column, Table, Text, bindparam, select, tuple_, type_coerce
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.settings import Settings, SettingsError
from storage.crypto import Cipher, InvalidKeyError
from storage.db import Database
from storage.models import Base
from storage.types import EncryptedJSON, EncryptedText, _cipher

log = logging.getLogger(__name__)


class KeyRotationError(RuntimeError):
    """A stored value cannot be read with any configured key; nothing was changed."""


def key_fingerprint(key: str) -> str:
    """A short label for a key (sha256 prefix), for logs; reveals nothing of the key."""
    return hashlib.sha256(key.strip().encode("utf-8")).hexdigest()[:8]


def encrypted_columns() -> list[tuple[Table, Column[Any]]]:
    """Every encrypted column of the schema, found from the models (so new ones count)."""
    return [
        (table, column)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText | EncryptedJSON)
    ]


async def rotate_all(db: Database, *, batch: int = 500) -> dict[str, int]:
    """Re-encrypt every encrypted field with the first key of the database's cipher.

    Works on the ciphertext (Fernet token to Fernet token), in batches of `batch` rows
    keyed by primary key, all in one transaction. Returns how many values were
    re-encrypted per `table.column` (NULLs are skipped). A value changed by the bot
    while this runs is left as the bot wrote it (already under the new key). Raises
    `KeyRotationError`, naming table, column and row, when a value cannot be decrypted
    with any configured key; the transaction is then rolled back.
    """
    cipher = _cipher(db.engine.sync_engine.dialect)
    counts: dict[str, int] = {}
    async with db.engine.begin() as conn:
        for table, column in encrypted_columns():
            name = f"{table.name}.{column.name}"
            counts[name] = await _rotate_column(conn, table, column, cipher.rotate, batch)
            log.info("re-encrypted %d values in %s", counts[name], name)
    return counts


async def _rotate_column(
    conn: AsyncConnection, table: Table, column: Column[Any], rotate: Any, batch: int
) -> int:
    keys = list(table.primary_key.columns)
    key_expr = keys[0] if len(keys) == 1 else tuple_(*keys)
    # type_coerce to Text bypasses the TypeDecorator: we see and write the raw token.
    raw = type_coerce(column, Text)
    # Compare-and-set on the old token, so a value the bot rewrote meanwhile is kept.
    update = (
        table.update()
        .where(*(k == bindparam(f"k_{k.name}") for k in keys))
        .where(raw == bindparam("old_token", type_=Text))
        .values({column.name: bindparam("new_token", type_=Text)})
    )
    done = 0
    last: Any = None
    while True:
        stmt = select(*keys, raw).where(column.is_not(None)).order_by(*keys).limit(batch)
        if last is not None:
            stmt = stmt.where(key_expr > (last if len(keys) > 1 else last[0]))
        rows = (await conn.execute(stmt)).all()
        if not rows:
            return done
        params = []
        for row in rows:
            *pk, token = row
            try:
                new = rotate(token)
            except (InvalidToken, ValueError) as exc:
                where = ", ".join(f"{k.name}={v}" for k, v in zip(keys, pk, strict=True))
                raise KeyRotationError(
                    f"{table.name}.{column.name} ({where}) cannot be decrypted with "
                    "KOORDBOT_ENCRYPTION_KEY or any of KOORDBOT_OLD_ENCRYPTION_KEYS; "
                    "add the key it was written with to KOORDBOT_OLD_ENCRYPTION_KEYS. "
                    "Nothing was changed."
                ) from exc
            params.append(
                {
                    **{f"k_{k.name}": v for k, v in zip(keys, pk, strict=True)},
                    "old_token": token,
                    "new_token": new,
                }
            )
        await conn.execute(update, params)
        done += len(rows)
        last = tuple(rows[-1][: len(keys)])


async def rotate_configured(settings: Settings) -> dict[str, int]:
    """`koordbot keys rotate`: rotate the configured database to KOORDBOT_ENCRYPTION_KEY."""
    cipher = make_cipher(settings)  # a missing or bad key stops here, before connecting
    old = old_keys(settings)
    log.info(
        "rotating to key %s from %s",
        key_fingerprint(settings.encryption_key.get_secret_value()),
        ", ".join(key_fingerprint(k) for k in old) or "no old keys (re-encrypting in place)",
    )
    db = Database(settings.database_url, cipher)
    try:
        return await rotate_all(db)
    finally:
        await db.dispose()


def make_cipher(settings: Settings, *, local: bool = False) -> Cipher:
    """The cipher from KOORDBOT_ENCRYPTION_KEY; local mode keeps a key file of its own."""
    key = settings.encryption_key.get_secret_value().strip()
    if not key and local:
        key = _local_key(settings.local_key_file)
    if not key:
        raise SettingsError(
            "KOORDBOT_ENCRYPTION_KEY is not set: create one with `koordbot keys generate`."
        )
    try:
        Cipher(key)
    except InvalidKeyError as exc:
        raise SettingsError(f"KOORDBOT_ENCRYPTION_KEY is not valid: {exc}") from None
    old = old_keys(settings)
    for number, old_key in enumerate(old, start=1):
        try:
            Cipher(old_key)
        except InvalidKeyError as exc:
            raise SettingsError(
                f"KOORDBOT_OLD_ENCRYPTION_KEYS is not valid: key {number} of {len(old)} is {exc}"
            ) from None
    return Cipher(key, old)


def old_keys(settings: Settings) -> tuple[str, ...]:
    """The earlier keys from KOORDBOT_OLD_ENCRYPTION_KEYS (comma-separated)."""
    raw = settings.old_encryption_keys.get_secret_value()
    return tuple(k.strip() for k in raw.split(",") if k.strip())


def _local_key(path: Path) -> str:
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Cipher.generate_key()
    path.write_text(key + "\n", encoding="utf-8")
    path.chmod(0o600)
    return key
