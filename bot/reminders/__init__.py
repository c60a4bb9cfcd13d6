"""Reminders going out.

- `outbox`: the reminder rows as a queue: claim due ones (a lease), prepare one for
  sending, record it sent, released for a retry, failed, or held for an unreachable
  koordinator; the weekly digest's and the KE overdue notice's claims;
- `sweep`: the jobs the composition root schedules (due reminders, weekly digests,
  long-overdue KE notices, retention purge), sending through the notifier;
- `pacing`: Telegram's sending limits, for the notifier that sends.
"""
