"""The reminder jobs, each one function the composition root schedules:

- `send_due`: claim every due reminder and send it through the notifier;
- `send_digests`: the Monday digest, once a week per koordinator who wants it;
- `notify_long_overdue`: tell the KE about deadlines overdue for a long time, once each;
- `bring_vg1_cases`: bring a case to the KE when its Vg1 transition comes up, once;
- `purge_expired`: delete closed cases past the retention period.

The database is the plan; these only act on it, so any process may run them and a
restart loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot import deadlines, notices, retention
from bot.notify import Delivery, DigestView, NoticeKind, Outcome
from bot.reminders import ke_notices, outbox
from bot.services import Services

log = logging.getLogger(__name__)
BATCH = 500
# Reminders between their claim and the record of Telegram's answer, at most, in one
# process: the bound on what a process that dies can have sent without recording it.
# Eight round trips of up to a quarter second each still make Telegram's 30 a second.
IN_FLIGHT = 8


class Sweep:
    """The reminder jobs of one process, sharing its worker name and database gate."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.worker = outbox.worker_id()
        # SQLite takes one writer at a time: queue the sweep's small transactions here
        # instead of letting them wait on the database lock. PostgreSQL gets a wide gate.
        # The gate is only ever held for one short transaction, never across a send.
        self.gate = asyncio.Semaphore(1 if services.db.is_sqlite else 20)
        # How often (seconds) a claim is renewed while its send waits for Telegram
        # (flood control, a slow answer): well inside the lease.
        self.renew_every = outbox.LEASE.total_seconds() / 5
        self.in_flight = asyncio.Semaphore(IN_FLIGHT)

    async def send_due(self) -> int:
        """Send every due reminder, each chat at its pace; returns how many were sent
        (or may have been: an uncertain answer counts)."""
        services = self.services
        handled = 0
        while True:
            async with self.gate, services.db.session() as session:
                found = await outbox.due(session, now=services.now(), limit=BATCH)
            by_chat: dict[int, list[int]] = {}
            for item in found:
                by_chat.setdefault(item.chat_id, []).append(item.reminder_id)
            done = await asyncio.gather(
                *(self._send_chat(chat_id, ids) for chat_id, ids in by_chat.items())
            )
            handled += sum(done)
            # Rows another sweep holds are not listed again until their lease runs out;
            # a round that sent nothing stops here instead of spinning.
            if len(found) < BATCH or sum(done) == 0:
                break
        # `koordbot health` reads how long ago the last sweep completed.
        await services.db.mark_sweep_completed(services.now())
        return handled

    async def _send_chat(self, chat_id: int, reminder_ids: list[int]) -> int:
        """One chat's due reminders, one after the other; each is claimed only once the
        chat's turn has come, so no claim waits for pacing."""
        sent = 0
        for reminder_id in reminder_ids:
            try:
                async with self.services.notifier.turn(chat_id), self.in_flight:
                    sent += await self._deliver(reminder_id)
            except Exception:
                # One broken reminder must not stop the others; its lease runs out and it
                # is tried again by a later sweep.
                log.exception("reminder %s failed", reminder_id)
        return sent

    async def _deliver(self, reminder_id: int) -> int:
        """Claim, send and record one reminder (inside its chat's turn); 1 if sent."""
        services = self.services
        token = outbox.claim_token(self.worker)
        async with self.gate, services.db.session() as session:
            if not await outbox.claim(session, reminder_id, token, services.now()):
                return 0
            out = await outbox.prepare(
                session, reminder_id, token, services.now(), today=services.today()
            )
        if out is None:
            return 0
        renewing = asyncio.create_task(self._renew(reminder_id, token))
        try:
            delivery = await services.notifier.send_reminder(out.chat_id, out.view)
        finally:
            renewing.cancel()
        return await self._record(out, token, delivery)

    async def _renew(self, reminder_id: int, token: str) -> None:
        """Keep the claim while its send waits for Telegram (until cancelled)."""
        services = self.services
        while True:
            await asyncio.sleep(self.renew_every)
            async with self.gate, services.db.session() as session:
                if not await outbox.renew(session, reminder_id, token, services.now()):
                    log.warning("reminder %s: claim lost while sending", reminder_id)
                    return

    async def _record(self, out: outbox.Outgoing, token: str, delivery: Delivery) -> int:
        """Record what became of one send, in its own short transaction."""
        services = self.services
        reminder_id = out.reminder_id
        newly_unreachable = failed = False
        async with self.gate, services.db.session() as session:
            if delivery.outcome in (Outcome.SENT, Outcome.UNCERTAIN):
                if delivery.outcome == Outcome.UNCERTAIN:
                    # Telegram may have delivered it: counted as sent, never resent.
                    log.warning("reminder %s maybe delivered: %s", reminder_id, delivery.reason)
                if not await outbox.mark_sent(
                    session, reminder_id, token, delivery.message_id, services.now()
                ):
                    log.error("reminder %s sent, but its claim was lost", reminder_id)
            elif delivery.outcome == Outcome.BLOCKED:
                newly_unreachable = (
                    await outbox.mark_unreachable(
                        session, reminder_id, token, out.chat_id, services.now()
                    )
                    is not None
                )
            else:
                log.warning("reminder %s not sent: %s", reminder_id, delivery.reason)
                failed = await outbox.release(
                    session, reminder_id, token, services.now(), delivery.reason or "unknown"
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
        return 1 if delivery.outcome in (Outcome.SENT, Outcome.UNCERTAIN) else 0

    async def send_digests(self) -> None:
        """Monday from the reminder hour: this week's and overdue deadlines, once a week.
        A digest not sent for now (flood control, no connection) is tried again by a
        later sweep that Monday, like a reminder."""
        services = self.services
        local = services.local_now()
        if local.weekday() != 0 or local.hour < services.settings.reminder_hour:
            return
        week = f"{local.isocalendar().year}-W{local.isocalendar().week:02d}"
        async with services.db.session() as session:
            candidates = await outbox.digest_candidates(session)
        for koordinator in candidates:
            token = outbox.claim_token(self.worker)
            async with self.gate, services.db.session() as session:
                if not await outbox.claim_digest(
                    session, koordinator.id, week, token, services.now()
                ):
                    continue
                items = await deadlines.upcoming(
                    session, koordinator.id, local.date() + timedelta(days=6)
                )
            delivery = await services.notifier.send_digest(
                koordinator.telegram_user_id, DigestView(today=local.date(), items=items)
            )
            async with self.gate, services.db.session() as session:
                if delivery.outcome == Outcome.RETRY_LATER:
                    log.warning("digest to %s not sent now: %s", koordinator.id, delivery.reason)
                    await outbox.digest_retry(session, koordinator.id, week, token, services.now())
                    continue
                if delivery.outcome != Outcome.SENT:
                    log.warning("digest to %s: %s", koordinator.id, delivery.reason)
                await outbox.digest_done(session, koordinator.id, week, token, services.now())

    async def notify_long_overdue(self) -> None:
        """One KE notice listing the deadlines overdue by more than the KE setting (30
        days) that it has not been told about yet."""
        services = self.services
        days = services.settings.ke_overdue_days
        async with services.db.session() as session:
            found = await ke_notices.claim_long_overdue(
                session, before=services.today() - timedelta(days=days), now=services.now()
            )
        if found:
            # One message listing them: a notice per deadline would hold the job for
            # minutes (one message a second to the same chat).
            await notices.notify_ke(services, NoticeKind.LONG_OVERDUE, items=found, days=days)

    async def bring_vg1_cases(self) -> None:
        """One KE notice listing the cases whose Vg1 transition has come up (its KE day,
        `bot.rules.transitions.vg1_ke_day`): the KE agrees who follows each up from the
        municipality (Skaun). Alias, koordinator and date only."""
        services = self.services
        async with services.db.session() as session:
            found = await ke_notices.claim_vg1_cases(
                session, today=services.today(), now=services.now()
            )
        if found:
            await notices.notify_ke(services, NoticeKind.VG1_CASE, items=found)

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
