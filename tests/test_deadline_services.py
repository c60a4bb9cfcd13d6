"""The case and deadline services keep the reminders in step by themselves: no caller
has a follow-up to remember, and calling a refresh again changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot import cases, deadlines
from bot.cases import CaseDraft
from storage.crypto import Cipher
from storage.db import Database
from storage.enums import CaseStatus, DeadlineStatus, ReminderStatus
from storage.models import Case, Deadline, Koordinator, Reminder
from tests.conftest import TEST_KEY

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # Tuesday, 09:00 in Oslo
TODAY = date(2026, 11, 24)


async def pending(session, case_id: int) -> list[tuple[int, datetime]]:
    rows = await session.execute(
        select(Reminder.deadline_id, Reminder.send_at)
        .where(Reminder.case_id == case_id, Reminder.status == ReminderStatus.PENDING)
        .order_by(Reminder.deadline_id, Reminder.send_at)
    )
    return [tuple(r) for r in rows.all()]


async def new_case(session, settings) -> tuple[Koordinator, Case]:
    kari = Koordinator(telegram_user_id=4242, name="Kari", tjenestested="skole", created_at=NOW)
    session.add(kari)
    await session.flush()
    draft = CaseDraft(
        alias="AB",
        role="barnekoordinator",
        level="ip",
        appointed_on=TODAY,
        birth_year=2016,
        birth_month=3,
        arena="barneskole",
    )
    return kari, await cases.create_case(session, kari, draft, settings, NOW)


async def test_case_services_plan_and_stop_reminders_themselves(settings):
    db = Database(settings.database_url, Cipher(TEST_KEY))
    try:
        async with db.session() as s:
            kari, case = await new_case(s, settings)
            planned = await pending(s, case.id)
            kinds = {d.kind for d in await deadlines.active_of(s, case.id)}
            assert {"oppstartsamtale", "evaluering", "ansvarsgruppemote"} <= kinds
            assert planned, "creating the case planned its reminders"

            await deadlines.refresh_case(s, case, settings, TODAY, NOW)
            assert await pending(s, case.id) == planned  # a second refresh changes nothing

            await cases.set_status(s, kari, case, CaseStatus.PAUSED, settings, NOW)
            assert await pending(s, case.id) == []
            await cases.set_status(s, kari, case, CaseStatus.ACTIVE, settings, NOW)
            assert await pending(s, case.id) == planned

            await cases.close_case(s, kari, case, "annet", NOW)
            assert await pending(s, case.id) == []
            await cases.set_status(s, kari, case, CaseStatus.ACTIVE, settings, NOW)
            assert case.closed_at is None
            oppstart = [
                d for d in await deadlines.active_of(s, case.id) if d.kind == "oppstartsamtale"
            ]
            assert oppstart and await pending(s, case.id), "a reopened case is reminded again"
    finally:
        await db.dispose()


async def test_editing_a_case_moves_its_deadlines_and_reminders(settings):
    db = Database(settings.database_url, Cipher(TEST_KEY))
    try:
        async with db.session() as s:
            kari, case = await new_case(s, settings)
            await cases.update_case(s, kari, case, {"evaluation_months": 3}, settings, NOW)
            [evaluation] = [
                d for d in await deadlines.active_of(s, case.id) if d.kind == "evaluering"
            ]
            assert evaluation.due == date(2027, 2, 24)
            sends = [
                at for deadline_id, at in await pending(s, case.id) if deadline_id == evaluation.id
            ]
            assert sends and max(sends).date() <= date(2027, 3, 10)
    finally:
        await db.dispose()


async def test_school_shift_and_confirming_a_proposal(settings):
    db = Database(settings.database_url, Cipher(TEST_KEY))
    try:
        async with db.session() as s:
            _kari, case = await new_case(s, settings)
            before = {d.kind: d.due for d in await deadlines.transitions_of(s, case.id)}
            await deadlines.shift_school(s, case, True, settings, NOW)
            after = {d.kind: d.due for d in await deadlines.transitions_of(s, case.id)}
            assert case.school_shift_years == 1
            moved = [k for k in before if k in after and after[k] != before[k]]
            assert moved, (before, after)
            proposal = (await deadlines.transitions_of(s, case.id))[0]
            assert proposal.status == DeadlineStatus.PROPOSED
            deadlines.confirm(proposal)
            assert proposal.status == DeadlineStatus.OPEN
            await deadlines.move(s, proposal, case, date(2030, 6, 3), settings, NOW)
            stored = await s.get(Deadline, proposal.id)
            assert stored is not None and stored.pinned and stored.due == date(2030, 6, 3)
    finally:
        await db.dispose()
