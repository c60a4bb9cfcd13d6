"""What the chaos suite puts into the database before the bot starts, and what it
reads back afterwards: through the storage layer and the cipher, like the bot."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select, update

from bot.rules.fnr import check_digits
from bot.rules.text import alias_key
from storage.crypto import Cipher
from storage.db import Database
from storage.enums import (
    CaseStatus,
    DeadlineSource,
    Level,
    ReminderKind,
    ReminderStatus,
    Role,
    Tjenestested,
)
from storage.models import Answer, Case, Deadline, Koordinator, Reminder

T = TypeVar("T")
USER_ALIAS = "AB"


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run one storage coroutine from the (synchronous) test."""
    return asyncio.run(coroutine)


@dataclass
class World:
    """The database of one scenario, seen through the storage layer."""

    url: str
    key: str

    def _db(self) -> Database:
        return Database(self.url, Cipher(self.key))

    async def _koordinator(self, session: Any, chat_id: int, alias: str, now: datetime) -> Case:
        person = Koordinator(
            telegram_user_id=chat_id,
            name=f"Koordinator {chat_id % 1000}",
            tjenestested=Tjenestested.SKOLE.value,
            is_admin=False,
            active=True,
            created_at=now,
        )
        session.add(person)
        await session.flush()
        case = Case(
            koordinator_id=person.id,
            alias=alias,
            alias_key=alias_key(alias),
            role=Role.KOORDINATOR.value,
            level=Level.ANSVARSGRUPPE.value,
            birth_year=2012,
            birth_month=5,
            tjenestested=Tjenestested.SKOLE.value,
            appointed_on=now.date() - timedelta(days=30),
            status=CaseStatus.ACTIVE.value,
            created_at=now,
            updated_at=now,
        )
        session.add(case)
        await session.flush()
        return case

    def seed_users(self, chat_ids: list[int]) -> None:
        """Registered koordinatorer with one case each (alias AB), nothing due."""

        async def seed() -> None:
            db = self._db()
            try:
                async with db.session() as session:
                    now = datetime.now(UTC)
                    for chat_id in chat_ids:
                        await self._koordinator(session, chat_id, USER_ALIAS, now)
            finally:
                await db.dispose()

        run(seed())

    def seed_due(self, chat_ids: list[int], alias: str) -> list[int]:
        """One reminder due a minute ago for each chat (a koordinator with one case and
        one open deadline each, created when missing); returns the reminder ids."""

        async def seed() -> list[int]:
            db = self._db()
            ids: list[int] = []
            try:
                async with db.session() as session:
                    now = datetime.now(UTC)
                    for chat_id in chat_ids:
                        person = await session.scalar(
                            select(Koordinator).where(Koordinator.telegram_user_id == chat_id)
                        )
                        if person is None:
                            case = await self._koordinator(session, chat_id, alias, now)
                        else:
                            case = Case(
                                koordinator_id=person.id,
                                alias=alias,
                                alias_key=alias_key(alias),
                                role=Role.KOORDINATOR.value,
                                level=Level.ANSVARSGRUPPE.value,
                                appointed_on=now.date() - timedelta(days=30),
                                status=CaseStatus.ACTIVE.value,
                                created_at=now,
                                updated_at=now,
                            )
                            session.add(case)
                            await session.flush()
                        deadline = Deadline(
                            case_id=case.id,
                            kind="oppstartsamtale",
                            due=now.date() + timedelta(days=14),
                            source=DeadlineSource.CADENCE.value,
                            source_ref=f"chaos:{alias}:{chat_id}",
                            status="open",
                            created_at=now,
                        )
                        session.add(deadline)
                        await session.flush()
                        reminder = Reminder(
                            deadline_id=deadline.id,
                            case_id=case.id,
                            send_at=now - timedelta(minutes=1),
                            kind=ReminderKind.LEAD.value,
                            status=ReminderStatus.PENDING.value,
                            attempts=0,
                        )
                        session.add(reminder)
                        await session.flush()
                        ids.append(reminder.id)
            finally:
                await db.dispose()
            return ids

        return run(seed())

    def let_time_pass(self, ids: list[int]) -> int:
        """What ten minutes would do to the reminders `ids` while no process runs: every
        lease runs out and every one put back for a later try is due again. Returns the
        rows moved."""

        async def move() -> int:
            db = self._db()
            past = datetime.now(UTC) - timedelta(seconds=1)
            try:
                async with db.session() as session:
                    leased = await session.execute(
                        update(Reminder)
                        .where(
                            Reminder.id.in_(ids), Reminder.status == ReminderStatus.CLAIMED.value
                        )
                        .values(claimed_until=past)
                    )
                    later = await session.execute(
                        update(Reminder)
                        .where(
                            Reminder.id.in_(ids),
                            Reminder.status == ReminderStatus.PENDING.value,
                            Reminder.send_at > past,
                        )
                        .values(send_at=past)
                    )
                    return int(leased.rowcount) + int(later.rowcount)  # type: ignore[attr-defined]
            finally:
                await db.dispose()

        return run(move())

    def reminders(self, ids: list[int]) -> dict[int, tuple[str, str | None]]:
        """(status, last_error) of each reminder."""

        async def read() -> dict[int, tuple[str, str | None]]:
            db = self._db()
            try:
                async with db.session() as session:
                    rows = await session.execute(
                        select(Reminder.id, Reminder.status, Reminder.last_error).where(
                            Reminder.id.in_(ids)
                        )
                    )
                    return {rid: (status, error) for rid, status, error in rows.all()}
            finally:
                await db.dispose()

        return run(read())

    def due_now(self, ids: list[int]) -> list[int]:
        """The reminders among `ids` that are due and not claimed by anyone."""

        async def read() -> list[int]:
            db = self._db()
            try:
                async with db.session() as session:
                    found = await session.scalars(
                        select(Reminder.id).where(
                            Reminder.id.in_(ids),
                            Reminder.status == ReminderStatus.PENDING.value,
                            Reminder.send_at <= datetime.now(UTC),
                        )
                    )
                    return list(found.all())
            finally:
                await db.dispose()

        return run(read())

    def stored_texts(self) -> set[str]:
        """Every typed answer and note stored, decrypted (current and superseded)."""

        async def read() -> set[str]:
            db = self._db()
            try:
                async with db.session() as session:
                    texts: set[str] = set()
                    rows = await session.execute(select(Answer.value, Answer.note))
                    for value, note in rows.all():
                        if isinstance(value, str):
                            texts.add(value)
                        if note:
                            texts.add(note)
                    return texts
            finally:
                await db.dispose()

        return run(read())


def random_fnr(rng: random.Random) -> str:
    """A valid fødselsnummer (check digits right) of someone born 1950-2019."""
    while True:
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(70 * 365))
        individual = rng.randrange(0, 500) if born.year < 2000 else rng.randrange(500, 1000)
        nine = f"{born:%d%m}{born.year % 100:02d}{individual:03d}"
        digits = check_digits(nine)
        if digits is not None:
            return nine + digits
