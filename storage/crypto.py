"""Encryption of free text at rest (Fernet, with several keys for rotation)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class InvalidKeyError(ValueError):
    """An encryption key is not a valid Fernet key."""


class Cipher:
    """Encrypts with the first key; decrypts with any of them (old keys during rotation)."""

    def __init__(self, key: str, old_keys: tuple[str, ...] = ()) -> None:
        fernets = []
        for k in (key, *old_keys):
            try:
                fernets.append(Fernet(k.strip().encode()))
            except (ValueError, TypeError) as exc:
                raise InvalidKeyError(
                    "not a valid key (32 url-safe base64-encoded bytes); "
                    "create one with `koordbot keys generate`"
                ) from exc
        self._multi = MultiFernet(fernets)

    @staticmethod
    def generate_key() -> str:
        """A new random key as text."""
        return Fernet.generate_key().decode()

    def encrypt(self, text: str) -> str:
        """Ciphertext (ASCII) for `text`."""
        return self._multi.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Plain text for a token made by any of the keys."""
        try:
            return self._multi.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise ValueError("stored text cannot be decrypted with the configured keys") from exc

    def rotate(self, token: str) -> str:
        """Re-encrypt a token under the first (newest) key."""
        return self._multi.rotate(token.encode("ascii")).decode("ascii")
