"""Who is at the web form, and what they may do there.

The form is opened from the chat as a Telegram Mini App. Telegram hands the page a
signed `initData` (HMAC-SHA256 with a key derived from the bot token); `check_init_data`
tells who the user is and refuses forged or stale data. What the page may do comes from
the link the chat handed out: `Links` signs and reads those (a run's open step, a run's
answers, a case's PDF), each bound to one Telegram user and with an expiry. A link to a
step names the run's step token, which moves on with every answer, so it works once.
No cookies are used, so another site cannot make a browser act here (no CSRF).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

# How long a link from the chat may be opened (the step token makes a step's link
# single-use well before that).
LINK_LIFETIME = {
    "step": timedelta(hours=48),
    "run": timedelta(hours=48),
    "case": timedelta(hours=48),
    "file": timedelta(minutes=5),
}
# Telegram's clock and ours may differ a little.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class WebUser:
    """The Telegram user a valid initData names."""

    user_id: int
    auth_date: datetime


def check_init_data(
    init_data: str, bot_token: str, now: datetime, max_age_seconds: int
) -> WebUser | str:
    """The user of a Mini App's initData, or why it is refused: missing, forged,
    expired (older than `max_age_seconds`) or no_user."""
    if not init_data or not bot_token:
        return "missing"
    fields = dict(parse_qsl(init_data, keep_blank_values=True))
    given = fields.pop("hash", "")
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    expected = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    if not given or not hmac.compare_digest(expected, given):
        return "forged"
    try:
        signed_at = datetime.fromtimestamp(int(fields.get("auth_date", "")), tz=now.tzinfo)
        user_id = int(json.loads(fields.get("user", "{}")).get("id"))
    except (TypeError, ValueError):
        return "no_user"
    if now - signed_at > timedelta(seconds=max_age_seconds) or signed_at - now > CLOCK_SKEW:
        return "expired"
    return WebUser(user_id=user_id, auth_date=signed_at)


def sign_init_data(fields: dict[str, str], bot_token: str) -> str:
    """initData as Telegram signs it (local mode and tests open the form with this)."""
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    digest = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest})


class Links:
    """Signs and reads the links the chat hands out (HMAC-SHA256 over a small JSON)."""

    def __init__(self, bot_token: str) -> None:
        self._key = hmac.new(b"koordbot web links", bot_token.encode(), hashlib.sha256).digest()

    def sign(self, purpose: str, user_id: int, now: datetime, **fields: Any) -> str:
        """A link token for `purpose`, bound to `user_id`."""
        expires = int((now + LINK_LIFETIME[purpose]).timestamp())
        body = json.dumps({"p": purpose, "u": user_id, "x": expires, **fields}, sort_keys=True)
        raw = body.encode()
        return f"{_b64(raw)}.{_b64(self._mac(raw))}"

    def read(self, purpose: str, token: str, now: datetime) -> dict[str, Any] | None:
        """The fields of a valid, unexpired token for `purpose`; None otherwise."""
        body, _, mac = token.partition(".")
        try:
            raw, given = _unb64(body), _unb64(mac)
            fields = json.loads(raw)
        except ValueError:
            return None
        if not hmac.compare_digest(self._mac(raw), given) or not isinstance(fields, dict):
            return None
        if fields.get("p") != purpose or int(fields.get("x", 0)) < now.timestamp():
            return None
        return fields

    def _mac(self, raw: bytes) -> bytes:
        return hmac.new(self._key, raw, hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
