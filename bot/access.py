"""Who may use the bot: koordinatorer, admins from configuration, invitations."""

from __future__ import annotations

import hashlib
import secrets
from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from storage.enums import AuditAction
from storage.models import DialogState, Invitation, Koordinator


class Redeem(StrEnum):
    """Outcome of opening an invitation link."""

    OK = "ok"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    ALREADY_REGISTERED = "already_registered"
    THROTTLED = "throttled"


GUESS_WINDOW = timedelta(minutes=10)


class GuessThrottle:
    """Wrong invitation codes per Telegram user: at most `limit` in `window`, then the
    user waits and further guesses cost no database work at all.

    Kept in the process, not the database: a refused guess must not cost a write (the
    point is to stop a flood of lookups and audit rows), and codes have 96 random bits,
    so a restart that forgets the counts, or a second process counting on its own,
    helps no guesser. Bounded: at most `max_users` users are remembered, oldest first
    forgotten."""

    def __init__(self, limit: int, window: timedelta = GUESS_WINDOW, max_users: int = 10_000):
        self.limit = limit
        self.window = window
        self.max_users = max_users
        self._failures: OrderedDict[int, deque[datetime]] = OrderedDict()

    def blocked(self, user_id: int, now: datetime) -> bool:
        """Whether `user_id` has used up their guesses for now."""
        failures = self._failures.get(user_id)
        if failures is None:
            return False
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[user_id]
            return False
        return len(failures) >= self.limit

    def failed(self, user_id: int, now: datetime) -> None:
        """Count one wrong code."""
        failures = self._failures.pop(user_id, None) or deque(maxlen=max(self.limit, 1))
        failures.append(now)
        self._failures[user_id] = failures  # most recent last
        while len(self._failures) > self.max_users:
            self._failures.popitem(last=False)

    def succeeded(self, user_id: int) -> None:
        """A right code: start afresh."""
        self._failures.pop(user_id, None)


@dataclass(frozen=True)
class NewInvitation:
    code: str
    expires_at: datetime


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode("utf-8")).hexdigest()


# Every update runs this lookup: the statement is built once.
_BY_TELEGRAM_ID = select(Koordinator).where(Koordinator.telegram_user_id == bindparam("user_id"))


async def koordinator_by_telegram_id(session: AsyncSession, user_id: int) -> Koordinator | None:
    """The koordinator with this Telegram user id, active or not."""
    return await session.scalar(_BY_TELEGRAM_ID, {"user_id": user_id})


@dataclass(frozen=True)
class Asker:
    """Who sent an update, as the lean reads see it: read by the same statement as the
    answer (`ASKER_COLUMNS`), so no access decision rests on anything cached."""

    active: bool
    registered: bool
    is_admin: bool
    unreachable: bool
    in_dialogue: bool

    def plain(self, user_id: int, admin_ids: frozenset[int]) -> bool:
        """True when a lean read may answer at once: an active, registered koordinator
        the bot can reach, with no dialogue to interrupt and no admin rights to grant.
        Anyone else takes the full way (`identify` and the edge's access check), which
        refuses, clears or grants as it always does."""
        return (
            self.active
            and self.registered
            and not self.unreachable
            and not self.in_dialogue
            and (self.is_admin or user_id not in admin_ids)
        )


# The asker's facts, first in every lean read (`asker_of` reads them back). Data joined
# to them carries `Koordinator.active` in its join condition: a deactivated koordinator
# gets no rows, from the very statement that says so.
ASKER_COLUMNS = (
    Koordinator.active,
    Koordinator.name,
    Koordinator.tjenestested,
    Koordinator.is_admin,
    Koordinator.unreachable_since,
    exists().where(DialogState.telegram_user_id == Koordinator.telegram_user_id),
)


def asker_of(row: Sequence[Any] | None) -> Asker | None:
    """The asker from the first `ASKER_COLUMNS` of a lean read's row; None: a stranger."""
    if row is None:
        return None
    return Asker(
        active=bool(row[0]),
        registered=Koordinator.profile_complete(row[1], row[2]),
        is_admin=bool(row[3]),
        unreachable=row[4] is not None,
        in_dialogue=bool(row[5]),
    )


async def ensure_config_admin(
    session: AsyncSession, user_id: int, admin_ids: frozenset[int], now: datetime
) -> Koordinator | None:
    """Create or promote a configured admin on first contact; None for anyone else."""
    if user_id not in admin_ids:
        return None
    koordinator = await koordinator_by_telegram_id(session, user_id)
    if koordinator is None:
        koordinator = Koordinator(
            telegram_user_id=user_id, is_admin=True, active=True, created_at=now
        )
        session.add(koordinator)
        await session.flush()
        await audit.record(
            session,
            at=now,
            action=AuditAction.ADMIN_FROM_CONFIG,
            telegram_user_id=user_id,
            koordinator_id=koordinator.id,
        )
    elif not koordinator.is_admin:
        koordinator.is_admin = True
    return koordinator


async def identify(
    session: AsyncSession, user_id: int, admin_ids: frozenset[int], now: datetime
) -> Koordinator | None:
    """Who is writing, active or not; None for a stranger.

    A configured admin is created or promoted on first contact. Someone the bot could
    not reach is reachable again now that they wrote, so held reminders go out."""
    koordinator = await ensure_config_admin(
        session, user_id, admin_ids, now
    ) or await koordinator_by_telegram_id(session, user_id)
    if koordinator is not None and koordinator.unreachable_since is not None:
        koordinator.unreachable_since = None
    return koordinator


async def create_invitation(
    session: AsyncSession, admin: Koordinator, now: datetime, valid_days: int
) -> NewInvitation:
    """A fresh one-time code; only its hash is stored."""
    # 12 random bytes -> 16 url-safe characters, fits a t.me start parameter.
    code = secrets.token_urlsafe(12)
    expires = now + timedelta(days=valid_days)
    session.add(
        Invitation(
            code_hash=_hash(code), created_by_id=admin.id, created_at=now, expires_at=expires
        )
    )
    await audit.record(
        session,
        at=now,
        action=AuditAction.INVITATION_CREATED,
        actor=admin,
    )
    return NewInvitation(code=code, expires_at=expires)


async def redeem_invitation(
    session: AsyncSession, code: str, user_id: int, now: datetime, guesses: GuessThrottle
) -> tuple[Redeem, Koordinator | None]:
    """Use an invitation: creates the koordinator (profile still to fill in).

    Wrong codes count against `guesses`; past its limit the answer is THROTTLED,
    before any database work."""
    if guesses.blocked(user_id, now):
        return Redeem.THROTTLED, None
    outcome, koordinator = await _redeem(session, code, user_id, now)
    if outcome in (Redeem.UNKNOWN, Redeem.USED, Redeem.EXPIRED):
        guesses.failed(user_id, now)
    elif outcome is Redeem.OK:
        guesses.succeeded(user_id)
    return outcome, koordinator


async def _redeem(
    session: AsyncSession, code: str, user_id: int, now: datetime
) -> tuple[Redeem, Koordinator | None]:
    existing = await koordinator_by_telegram_id(session, user_id)
    if existing is not None and existing.active:
        return Redeem.ALREADY_REGISTERED, existing
    if not code or len(code) > 64:
        return Redeem.UNKNOWN, None
    # Row lock so two people racing for one code cannot both get it (PostgreSQL);
    # SQLite serialises writers anyway.
    invitation = await session.scalar(
        select(Invitation).where(Invitation.code_hash == _hash(code)).with_for_update()
    )
    if invitation is None:
        await audit.record(
            session, at=now, action=AuditAction.INVITATION_UNKNOWN, telegram_user_id=user_id
        )
        return Redeem.UNKNOWN, None
    if invitation.used_at is not None:
        await audit.record(
            session, at=now, action=AuditAction.INVITATION_REUSED, telegram_user_id=user_id
        )
        return Redeem.USED, None
    if invitation.expires_at <= now:
        await audit.record(
            session, at=now, action=AuditAction.INVITATION_EXPIRED, telegram_user_id=user_id
        )
        return Redeem.EXPIRED, None
    if existing is None:
        existing = Koordinator(
            telegram_user_id=user_id, is_admin=False, active=True, created_at=now
        )
        session.add(existing)
    else:
        # A deactivated koordinator invited back.
        existing.active = True
    await session.flush()
    invitation.used_at = now
    invitation.used_by_id = existing.id
    await audit.record(
        session,
        at=now,
        action=AuditAction.INVITATION_USED,
        telegram_user_id=user_id,
        koordinator_id=existing.id,
    )
    return Redeem.OK, existing


async def complete_profile(
    session: AsyncSession, koordinator: Koordinator, name: str, tjenestested: str, now: datetime
) -> None:
    """Store the name and tjenestested given at registration."""
    koordinator.name = name
    koordinator.tjenestested = tjenestested
    await audit.record(
        session,
        at=now,
        action=AuditAction.KOORDINATOR_REGISTERED,
        actor=koordinator,
    )


async def reachable_admins(session: AsyncSession) -> list[Koordinator]:
    """Active admins the bot can reach (they receive the KE's notices when no KE chat
    is configured)."""
    stmt = select(Koordinator).where(
        Koordinator.active.is_(True),
        Koordinator.unreachable_since.is_(None),
        Koordinator.is_admin.is_(True),
    )
    return list((await session.scalars(stmt)).all())
