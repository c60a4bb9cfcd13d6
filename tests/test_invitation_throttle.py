"""Guessing invitation codes is throttled per user (issue 10): after a few wrong codes
the user is told to try later, and further guesses cost no lookup and no audit row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event

from bot.access import GUESS_WINDOW, GuessThrottle
from storage.models import AuditEntry
from tests.harness import TestBot, rows

LIMIT = 5  # the default of KOORDBOT_INVITATION_GUESSES
WRONG = "Invitasjonskoden er ikke gyldig"
TOO_MANY = "For mange forsøk"


def invitation_statements(bot: TestBot) -> list[str]:
    """Lookups in the invitation table, from now on."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("SELECT") and "FROM invitation" in statement:
            seen.append(statement)

    event.listen(bot.services.db.engine.sync_engine, "before_cursor_execute", record)
    return seen


async def test_two_hundred_guesses_in_a_burst_leave_at_most_five_audit_rows(bot, clock):
    anne = await bot.registered_admin()
    await anne.send("/invitasjon")
    code = anne.last_text.split("/start ")[1].split()[0]
    eve = bot.chat(name="Eve")
    lookups = invitation_statements(bot)
    answers = [(await eve.send(f"/start gjett{i:03d}"))[0] for i in range(200)]

    assert all(WRONG in a for a in answers[:LIMIT])
    assert all(TOO_MANY in a for a in answers[LIMIT:])
    guesses = [e for e in await rows(bot, AuditEntry) if e.telegram_user_id == eve.user_id]
    assert len(guesses) == LIMIT and {e.action for e in guesses} == {"invitation.unknown"}
    assert len(lookups) == LIMIT

    # While throttled, even the right code waits (the bot cannot tell it from a guess) ...
    assert TOO_MANY in (await eve.send(f"/start {code}"))[0]
    # ... and another person is not held up by Eve.
    ola = bot.chat(name="Ola")
    assert WRONG in (await ola.send("/start feil"))[0]

    clock.advance(GUESS_WINDOW)
    replies = await eve.send(f"/start {code}")
    assert "Velkommen" in replies[0] or "navn" in replies[-1].lower()
    assert len(lookups) == LIMIT + 2


def test_the_throttle_forgets_old_guesses_and_stays_bounded():
    now = datetime(2026, 11, 24, 8, tzinfo=UTC)
    throttle = GuessThrottle(limit=2, window=timedelta(minutes=10), max_users=3)
    throttle.failed(1, now)
    assert not throttle.blocked(1, now)
    throttle.failed(1, now + timedelta(minutes=5))
    assert throttle.blocked(1, now + timedelta(minutes=9))
    assert not throttle.blocked(1, now + timedelta(minutes=10))  # the first guess aged out
    throttle.failed(1, now + timedelta(minutes=11))
    assert throttle.blocked(1, now + timedelta(minutes=12))
    throttle.succeeded(1)
    assert not throttle.blocked(1, now + timedelta(minutes=12))
    for user in range(100, 1100):
        throttle.failed(user, now)
        throttle.failed(user, now)
    assert len(throttle._failures) <= 3
    assert throttle.blocked(1099, now) and not throttle.blocked(100, now)
