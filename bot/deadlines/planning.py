"""Which reminders a deadline gets: pure functions of the deadline, the case's cadence
and the settings. Nothing here reads or writes the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.rules.cadences import CADENCE_KINDS, Cadence, reminder_days
from bot.rules.workdays import delivery_instant, next_working_day, previous_working_day
from bot.settings import Settings
from storage.enums import DeadlineStatus, ReminderKind
from storage.models import Case, Deadline

# Deadlines that still want reminders (and show in the lookups).
ACTIVE: tuple[DeadlineStatus, ...] = (DeadlineStatus.OPEN, DeadlineStatus.PROPOSED)
TILTAK_LEAD = (7,)
DEFAULT_LEAD = (7,)


def lead_days_of(deadline: Deadline, cadence: Cadence) -> tuple[int, ...]:
    """How many days ahead reminders go out for this deadline."""
    if deadline.lead_days:
        return tuple(int(x) for x in deadline.lead_days.split(",") if x.strip().isdigit())
    if deadline.kind in CADENCE_KINDS:
        return cadence.lead_days_for(deadline.kind)
    return TILTAK_LEAD if deadline.kind == "tiltak" else DEFAULT_LEAD


def case_cadence(case: Case, settings: Settings) -> Cadence:
    """The municipality's cadence with this case's overrides."""
    base = settings.cadence
    return Cadence(
        oppstart_within_days=base.oppstart_within_days,
        meeting_interval_months=case.meeting_interval_months or base.meeting_interval_months,
        evaluation_interval_months=case.evaluation_months or base.evaluation_interval_months,
        invitation_days_before=base.invitation_days_before,
        minutes_working_days_after=base.minutes_working_days_after,
        overdue_days=base.overdue_days,
    )


def local_day(instant: datetime, settings: Settings) -> date:
    """The calendar day of `instant` in the municipality's time zone."""
    return instant.astimezone(settings.zone).date()


@dataclass(frozen=True)
class Planned:
    """One reminder instant for a deadline."""

    day: date
    send_at: datetime
    kind: ReminderKind


def plan(deadline: Deadline, cadence: Cadence, settings: Settings) -> list[Planned]:
    """When reminders for `deadline` go out (working days, at the configured hour)."""
    due = deadline.due
    days = set(reminder_days(due, lead_days_of(deadline, cadence), cadence.overdue_days))
    snooze = next_working_day(deadline.snoozed_until) if deadline.snoozed_until else None
    if snooze is not None:
        # A snooze never lands on a weekend or holiday: the next working day instead.
        days = {d for d in days if d > snooze} | {snooze}
    on_day = previous_working_day(due)
    planned = []
    for day in sorted(days):
        kind = _kind_of(day, on_day, due, snoozed=day == snooze)
        instant = delivery_instant(day, settings.reminder_hour, tz=settings.timezone)
        planned.append(Planned(day, instant, kind))
    return planned


def _kind_of(day: date, on_day: date, due: date, *, snoozed: bool) -> ReminderKind:
    # The snoozed-to day says "due" (or "overdue"), never "ahead of time".
    if day < on_day and not snoozed:
        return ReminderKind.LEAD
    return ReminderKind.DUE if day <= due else ReminderKind.OVERDUE
