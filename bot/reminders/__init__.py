"""Reminders going out.

- `outbox`: the reminder rows as a queue: claim due ones (a lease), prepare one for
  sending, record it sent, released for a retry, failed, or held for an unreachable
  koordinator; the weekly digest's claims;
- `ke_notices`: the KE's notices about long-overdue deadlines and Vg1 cases;
- `sweep`: the jobs the composition root schedules (due reminders, weekly digests,
  long-overdue KE notices, retention purge), sending through the notifier;
- `pacing`: Telegram's sending limits, for the notifier that sends.
"""
