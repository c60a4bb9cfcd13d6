"""The lookups' single statements (/neste, /saker, inline, /frister, the weekly digest)
against a plain Python reference, on random cases and deadlines of two koordinatorer,
on both databases."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from bot import deadlines
from storage.crypto import Cipher
from storage.db import Database
from storage.enums import CaseStatus
from storage.models import Case, Deadline, Koordinator
from tests.conftest import TEST_KEY

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)
CASE_STATUSES = ("active", "paused", "closed")
DEADLINE_STATUSES = ("open", "proposed", "done", "dismissed")

deadline_st = st.tuples(
    st.integers(-400, 400).map(lambda days: TODAY + timedelta(days=days)),
    st.sampled_from(DEADLINE_STATUSES),
    st.sampled_from(("oppstartsamtale", "evaluering", "tiltak", "vg1_soknad")),
)
case_st = st.tuples(
    st.integers(0, 1),  # which koordinator
    st.sampled_from(CASE_STATUSES),
    st.lists(deadline_st, max_size=6),
)
world_st = st.lists(case_st, max_size=8)


async def _load(db: Database, world: list) -> dict[int, tuple[int, str, str, list]]:
    """Store the world; returns case id -> (koordinator id, alias, status, deadlines)."""
    async with db.session() as s:
        for table in (Deadline, Case, Koordinator):
            await s.execute(delete(table))
        owners = [
            Koordinator(telegram_user_id=1000 + i, active=True, created_at=NOW) for i in range(2)
        ]
        s.add_all(owners)
        await s.flush()
        stored: dict[int, tuple[int, str, str, list]] = {}
        for n, (owner, status, items) in enumerate(world):
            alias = f"S{n:02d}"
            case = Case(
                koordinator_id=owners[owner].id,
                alias=alias,
                alias_key=alias.casefold(),
                role="barnekoordinator",
                level="ip",
                appointed_on=TODAY,
                status=status,
                created_at=NOW,
                updated_at=NOW,
            )
            s.add(case)
            await s.flush()
            rows = []
            for due, d_status, kind in items:
                row = Deadline(
                    case_id=case.id,
                    kind=kind,
                    due=due,
                    source="manual",
                    status=d_status,
                    created_at=NOW,
                )
                s.add(row)
                rows.append(row)
            await s.flush()
            stored[case.id] = (owners[owner].id, alias, status, rows)
    return stored


def _run(url: str, world: list) -> None:
    async def check() -> None:
        db = Database(url, Cipher(TEST_KEY))
        try:
            stored = await _load(db, world)
            owners = sorted({owner for owner, *_ in stored.values()}) or [1]
            until = TODAY + timedelta(days=30)
            async with db.session() as s:
                for owner in owners:
                    for statuses in ((CaseStatus.ACTIVE,), (CaseStatus.ACTIVE, CaseStatus.PAUSED)):
                        got = await deadlines.cases_with_next(s, owner, statuses)
                        want = []
                        for cid, (o, alias, status, rows) in sorted(
                            stored.items(), key=lambda kv: kv[1][1]
                        ):
                            if o != owner or status not in statuses:
                                continue
                            active = [r for r in rows if r.status in deadlines.ACTIVE]
                            first = min(active, key=lambda r: (r.due, r.id), default=None)
                            want.append((cid, alias, first.id if first else None))
                        assert [(c.id, c.alias, d.id if d else None) for c, d in got] == want
                        for c, d in got:
                            one = await deadlines.cases_with_next(s, owner, statuses, c.id)
                            assert [(x.id, y) for x, y in one] == [(c.id, d)]
                    got_upcoming = await deadlines.upcoming(s, owner, until)
                    want_upcoming = sorted(
                        (
                            (r.due, r.id, alias)
                            for o, alias, status, rows in stored.values()
                            if o == owner and status == "active"
                            for r in rows
                            if r.status in deadlines.ACTIVE and r.due <= until
                        ),
                    )
                    assert [(d.due, d.id, alias) for alias, d in got_upcoming] == want_upcoming
        finally:
            await db.dispose()

    asyncio.run(check())


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world_st)
def test_lookups_match_a_plain_reference(database_url, world):
    _run(database_url, world)
