"""Column types shared by every model: encrypted text and UTC instants."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, Text
from sqlalchemy.types import TypeDecorator

from storage.crypto import Cipher

# The cipher travels on the engine's dialect, so there is no module-level key and
# two engines (e.g. during key rotation tests) can use different keys.
CIPHER_ATTR = "koordbot_cipher"


def attach_cipher(dialect: Dialect, cipher: Cipher) -> None:
    """Make `cipher` the one used by encrypted columns on this dialect."""
    setattr(dialect, CIPHER_ATTR, cipher)


def _cipher(dialect: Dialect) -> Cipher:
    cipher = getattr(dialect, CIPHER_ATTR, None)
    if cipher is None:
        raise RuntimeError("no cipher attached to this engine; use storage.db.Database")
    return cipher


class EncryptedText(TypeDecorator[str]):
    """Free text that may hold personal information: stored as Fernet ciphertext."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return _cipher(dialect).encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return _cipher(dialect).decrypt(value)


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON value stored encrypted (dialogue drafts, answers)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return _cipher(dialect).encrypt(json.dumps(value, ensure_ascii=False))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return json.loads(_cipher(dialect).decrypt(value))


class UTCDateTime(TypeDecorator[datetime]):
    """An instant stored in UTC and always read back as an aware UTC datetime."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware instants only")
        value = value.astimezone(UTC)
        # SQLite keeps no offset; store naive UTC there.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
