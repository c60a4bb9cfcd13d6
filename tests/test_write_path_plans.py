"""Every statement on the morning's write paths (Utført, Utsett, a picked snooze date,
dismissing, moving and confirming a proposal, completing a kind, closing a case, and
the reminder job's listing, claim and record; and the lean reads /neste and /frister)
is planned through an index on both databases: an index that disappears fails here.

The statements are captured from the real bot (chat and sweep) with their parameters,
then each is explained. SQLite keeps no statistics (the bot never runs ANALYZE), so its
planner decides by the schema alone, as in production. PostgreSQL decides by row counts:
before explaining, the big tables get a municipality's worth of rows (2,000
koordinatorer, 20,000 cases, 60,000 deadlines, 120,000 reminders, 2,000 case
requests) and ANALYZE, so a
sequential scan would be its honest choice if no index fitted.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, text

from bench.sqlplan import Plan, Statement, StatementLog, judge, pg_nodes
from bot import deadlines
from bot.reminders import outbox
from storage.models import Case, Deadline, Reminder
from tests.conftest import OSLO
from tests.harness import TestBot, rows
from tests.test_e2e_cases import create_case

# Sizes of the PostgreSQL filler: enough that reading a table whole costs far more
# than an index search (ids far above the test's own rows).
KOORDINATORER, CASES, DEADLINES, REMINDERS = 2_000, 20_000, 60_000, 120_000  # + 2,000 requests
BASE = 1_000_000

_FILLER = [
    # A few koordinatorer have blocked the bot (their reminders are held).
    f"""INSERT INTO koordinator (id, telegram_user_id, is_admin, active, created_at,
        weekly_digest, tidy_mode, unreachable_since)
        SELECT {BASE} + g, {BASE} + g, false, true, now(), false, true,
        CASE WHEN g % 64 = 0 THEN now() END
        FROM generate_series(1, {KOORDINATORER}) g""",
    f"""INSERT INTO "case" (id, koordinator_id, alias, alias_key, role, level, appointed_on,
        school_shift_years, status, created_at, updated_at)
        SELECT {BASE} + g, {BASE} + 1 + g % {KOORDINATORER}, 'X' || g, 'x' || g,
        'barnekoordinator', 'ip', DATE '2024-01-01', 0,
        CASE WHEN g % 10 = 0 THEN 'closed' ELSE 'active' END, now(), now()
        FROM generate_series(1, {CASES}) g""",
    # Long-overdue deadlines have been told to the KE once already (a daily job).
    f"""INSERT INTO deadline (id, case_id, kind, due, source, source_ref, status, created_at,
        pinned, ke_notified_at)
        SELECT {BASE} + g, {BASE} + 1 + g % {CASES}, 'evaluering',
        DATE '2026-01-01' + g % 700, 'cadence', 'cadence:evaluering',
        CASE WHEN g % 3 = 0 THEN 'open' ELSE 'done' END, now(), false,
        CASE WHEN g % 700 < 320 THEN now() END
        FROM generate_series(1, {DEADLINES}) g""",
    f"""INSERT INTO reminder (id, deadline_id, case_id, send_at, kind, status, attempts)
        SELECT {BASE} + g, {BASE} + 1 + g % {DEADLINES}, {BASE} + 1 + (g % {DEADLINES}) % {CASES},
        TIMESTAMPTZ '2026-01-01 07:00+00' + (g / {DEADLINES}) * INTERVAL '30 days'
            + (g % 700) * INTERVAL '1 day',
        'lead', CASE WHEN g % 4 = 0 THEN 'pending' ELSE 'sent' END, 0
        FROM generate_series(1, {REMINDERS}) g""",
    f"""INSERT INTO case_request (id, case_id, kind, status, requested_by_id, created_at)
        SELECT {BASE} + g, {BASE} + 1 + g % {CASES}, 'close', 'decided', {BASE} + 1, now()
        FROM generate_series(1, {CASES // 10}) g""",
]


async def _national_statistics(bot: TestBot) -> None:
    """PostgreSQL: fill the big tables and ANALYZE (SQLite plans without statistics)."""
    engine = bot.services.db.engine
    if engine.dialect.name == "sqlite":
        return
    async with engine.begin() as conn:
        for statement in _FILLER:
            await conn.execute(text(statement))
    async with engine.connect() as conn:
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("ANALYZE"))


async def _send_due(bot: TestBot) -> None:
    """The reminder job alone (the digest, KE and purge jobs are no morning wave)."""
    assert bot.app is not None and bot.app.job_queue is not None
    [job] = bot.app.job_queue.get_jobs_by_name("reminders-due")
    await job.run(bot.app)


def _at(clock, y, m, d, hh=8):  # type: ignore[no-untyped-def]
    clock.set(datetime(y, m, d, hh, 0, tzinfo=OSLO))


async def _morning_paths(bot: TestBot, clock, log: StatementLog) -> dict[str, list[Statement]]:  # type: ignore[no-untyped-def]
    """Run every write path through the real bot; the statements of each, by name."""
    captured: dict[str, list[Statement]] = {}

    async def capture(name: str, action) -> None:  # type: ignore[no-untyped-def]
        log.take()
        log.recording = True
        try:
            await action
        finally:
            log.recording = False
        captured[name] = log.take()

    kari = await bot.registered_user()
    await create_case(kari, "AB")
    _at(clock, 2026, 12, 1)
    await capture("reminder dispatch", _send_due(bot))
    [reminder] = bot.reminders_to(kari.user_id)
    await capture("Utsett 1 dag", kari.tap("Utsett 1 dag", reminder))
    _at(clock, 2026, 12, 2)
    await bot.sweep()
    second = bot.reminders_to(kari.user_id)[-1]
    await kari.tap("Velg dato", second)
    await capture("snooze to a picked date", kari.send("07.12.2026"))
    _at(clock, 2026, 12, 7)
    await bot.sweep()
    third = bot.reminders_to(kari.user_id)[-1]
    await capture("Utført", kari.tap("✅ Utført", third))

    # A case with transitions: confirm, dismiss and move proposals.
    await kari.send("/ny")
    await kari.send("EF")
    await kari.tap("Barnekoordinator")
    await kari.tap("Individuell plan (IP)")
    await kari.send("05.2011")
    await kari.tap("Hopp over")
    await kari.tap("Ungdomsskole")
    await kari.tap("I dag")
    proposals = sorted(
        await rows(bot, Deadline, Deadline.source == "transition", Deadline.status == "proposed"),
        key=lambda d: d.due,
    )
    await capture("confirm a proposal", kari.press(f"tc:{proposals[0].id}"))
    await capture("dismiss a proposal", kari.press(f"tx:{proposals[-1].id}"))
    await kari.press(f"tm:{proposals[1].id}")
    await capture("move a deadline", kari.send("20.06.2027"))

    services = bot.services
    async with services.db.session() as session:
        case = await session.scalar(select(Case).where(Case.alias == "EF"))
        assert case is not None
        # After an evaluation or oppstartsamtale the conversation completes its kind.
        await capture(
            "complete_kind",
            deadlines.complete_kind(session, case, "oppstartsamtale", services.now()),
        )

    # The lean reads of the same morning, with their access check.
    await capture("/neste", kari.send("/neste"))
    await capture("/neste alias", kari.send("/neste EF"))
    await capture("/frister", kari.send("/frister"))

    await kari.send("EF")
    await kari.tap("Avslutt sak")
    for _ in range(4):
        await kari.tap("Ja")
    await kari.tap("Nei")
    await capture("close a case", kari.tap(kari.buttons()[0]))
    assert "avsluttet" in kari.last_text
    return captured


def _explain_failure(name: str, plans: list[Plan]) -> str:
    lines = [f"{name}: a statement reads a big table whole"]
    for plan in plans:
        if plan.scans:
            lines.append(f"  {' '.join(plan.sql.split())[:300]}")
            lines.extend(f"    {line}" for line in plan.lines)
    return "\n".join(lines)


async def test_every_morning_write_path_is_planned_through_an_index(bot, clock):
    log = StatementLog().attach(bot.services.db.engine)
    captured = await _morning_paths(bot, clock, log)
    await _national_statistics(bot)
    assert {n: len(s) > 0 for n, s in captured.items()} == {n: True for n in captured}
    failures = []
    for name, statements in captured.items():
        plans = await judge(bot.services.db.engine, statements)
        if any(plan.scans for plan in plans):
            failures.append(_explain_failure(name, plans))
    assert not failures, "\n".join(failures)


async def test_a_sweep_batch_reads_only_its_own_rows(bot, clock):
    # 1,000 reminders are due; a batch of 100 must stop after its 100 rows instead of
    # collecting and sorting all 1,000 (which made a sweep O(N²/batch)).
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    services = bot.services
    now = services.now()
    async with services.db.session() as session:
        deadline = (await session.scalars(select(Deadline).limit(1))).one()
        session.add_all(
            Reminder(
                deadline_id=deadline.id,
                case_id=deadline.case_id,
                send_at=now - timedelta(minutes=n + 1),
                kind="lead",
                status="pending",
                attempts=0,
            )
            for n in range(1_000)
        )
    log = StatementLog(recording=True).attach(services.db.engine)
    async with services.db.session() as session:
        batch = await outbox.due(session, now=now, limit=100)
    assert len(batch) == 100
    [(sql, params, _)] = log.take()
    engine = services.db.engine
    async with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            plan = [
                row[3] for row in await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)
            ]
            assert not any("TEMP B-TREE" in line or "MULTI-INDEX" in line for line in plan), plan
        else:
            await conn.execute(text("ANALYZE reminder"))
            raw = (
                await conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            ).scalar()
            nodes = list(pg_nodes(raw[0]["Plan"]))
            read = [n["Actual Rows"] for n in nodes if n.get("Relation Name") == "reminder"]
            # The sort by (send_at, id) peeks one row past the batch, not 900.
            assert read and max(read) <= 101, nodes
