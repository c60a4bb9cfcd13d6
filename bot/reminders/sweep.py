"""The reminder jobs, each one function the composition root schedules:

- `send_due`: claim every due reminder and send it through the notifier;
- `send_digests`: the Monday digest, once a week per koordinator who wants it;
- `notify_long_overdue`: tell the KE about deadlines overdue for a long time, once each;
- `purge_expired`: delete closed cases past the retention period.

The database is the plan; these only act on it, so any process may run them and a
restart loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta

from bot import deadlines, notices, retention
from bot.notify import DigestView, NoticeKind, Outcome
from bot.reminders import outbox
from bot.services import Services

log = logging.getLogger(__name__)
BATCH = 500


class Sweep:
    """The reminder jobs of one process, sharing its worker name and database gate."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.worker = outbox.worker_id()
        # SQLite takes one writer at a time: queue the sweep's small transactions here
        # instead of letting them wait on the database lock. PostgreSQL gets a wide gate.
        self.gate = asyncio.Semaphore(1 if services.db.is_sqlite else 20)

    async def send_due(self) -> int:
        """Claim and send every due reminder; returns how many were claimed."""
        services = self.services
        handled = 0
        while True:
            # A fresh claim token per batch: two sweeps in one process never share rows.
            token = f"{self.worker}-{uuid.uuid4().hex[:8]}"
            async with services.db.session() as session:
                ids = await outbox.claim(
                    session,
                    now=services.now(),
                    worker=token,
                    limit=BATCH,
                    postgres=not services.db.is_sqlite,
                )
            if not ids:
                break
            await asyncio.gather(*(self._deliver(reminder_id, token) for reminder_id in ids))
            handled += len(ids)
            if len(ids) < BATCH:
                break
        # `koordbot health` reads how long ago the last sweep completed.
        await services.db.mark_sweep_completed(services.now())
        return handled

    async def _deliver(self, reminder_id: int, worker: str) -> None:
        """Send one claimed reminder (claimed under `worker`) and record the outcome."""
        services = self.services
        try:
            async with self.gate, services.db.session() as session:
                out = await outbox.prepare(
                    session, reminder_id, worker, services.now(), today=services.today()
                )
            if out is None:
                return
            delivery = await services.notifier.send_reminder(out.chat_id, out.view)
            newly_unreachable = failed = False
            async with self.gate, services.db.session() as session:
                if delivery.message_id is not None:
                    await outbox.mark_sent(
                        session, reminder_id, delivery.message_id, services.now()
                    )
                elif delivery.outcome == Outcome.BLOCKED:
                    newly_unreachable = (
                        await outbox.mark_unreachable(
                            session, reminder_id, out.chat_id, services.now()
                        )
                        is not None
                    )
                else:
                    log.warning("reminder %s not sent: %s", reminder_id, delivery.reason)
                    failed = await outbox.release(
                        session, reminder_id, services.now(), delivery.reason or "unknown"
                    )
            if newly_unreachable:
                await notices.notify_ke(
                    services,
                    NoticeKind.UNREACHABLE,
                    exclude_user=out.chat_id,
                    name=out.koordinator_name,
                )
            if failed:
                log.error("reminder %s failed for good: %s", reminder_id, delivery.reason)
                await notices.notify_ke(
                    services,
                    NoticeKind.REMINDER_FAILED,
                    alias=out.view.alias,
                    kind=out.view.deadline_kind,
                    due=out.view.due,
                    name=out.koordinator_name,
                )
        except Exception:
            # One broken reminder must not stop the others; its lease runs out and it is
            # tried again by a later sweep.
            log.exception("reminder %s failed", reminder_id)

    async def send_digests(self) -> None:
        """Monday from the reminder hour: this week's and overdue deadlines, once a week."""
        services = self.services
        local = services.local_now()
        if local.weekday() != 0 or local.hour < services.settings.reminder_hour:
            return
        week = f"{local.isocalendar().year}-W{local.isocalendar().week:02d}"
        async with services.db.session() as session:
            candidates = await outbox.digest_candidates(session)
        for koordinator in candidates:
            async with services.db.session() as session:
                if not await outbox.claim_digest(session, koordinator.id, week, services.now()):
                    continue
                items = await deadlines.upcoming(
                    session, koordinator.id, local.date() + timedelta(days=6)
                )
            delivery = await services.notifier.send_digest(
                koordinator.telegram_user_id, DigestView(today=local.date(), items=items)
            )
            if delivery.outcome != Outcome.SENT:
                log.warning("digest to %s not sent: %s", koordinator.id, delivery.reason)

    async def notify_long_overdue(self) -> None:
        """One KE notice listing the deadlines overdue by more than the KE setting (30
        days) that it has not been told about yet."""
        services = self.services
        days = services.settings.ke_overdue_days
        async with services.db.session() as session:
            found = await outbox.claim_long_overdue(
                session, before=services.today() - timedelta(days=days), now=services.now()
            )
        if found:
            # One message listing them: a notice per deadline would hold the job for
            # minutes (one message a second to the same chat).
            await notices.notify_ke(services, NoticeKind.LONG_OVERDUE, items=found, days=days)

    async def purge_expired(self) -> None:
        """Closed cases past the retention period are deleted for good (audited); what to
        purge is decided by the database, so any process may run it."""
        services = self.services
        async with services.db.session() as session:
            purged = await retention.purge_closed(
                session, now=services.now(), retention_days=services.settings.retention_days
            )
        if purged:
            log.info("purged %d closed cases past retention", len(purged))
        await retention.scrub(services.db)
