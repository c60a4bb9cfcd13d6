"""Deadlines on a case and the reminders they produce.

Deadlines come from cadences (oppstartsamtale, evaluation, ansvarsgruppe meetings),
from transitions computed from the birth year (proposals until confirmed), from
answers (tiltak, next evaluation, meetings) and by hand.

- `planning`: which reminders a deadline gets (pure);
- `refresh`: every change to a deadline, each replanning its reminders itself;
- `lookups`: reading them (/neste, /saker, /frister, the digest);
- `calendar`: the .ics export.
"""

from bot.deadlines.calendar import CalendarFile, export_calendar
from bot.deadlines.lookups import (
    AGENDA_DAYS,
    Agenda,
    CaseLine,
    Due,
    active_of,
    agenda,
    asked_agenda,
    asked_next,
    cases_with_next,
    transitions_of,
    upcoming,
)
from bot.deadlines.planning import ACTIVE, Planned, case_cadence, lead_days_of, local_day, plan
from bot.deadlines.refresh import (
    add_manual,
    complete_kind,
    confirm,
    move,
    refresh_case,
    refresh_meeting_cadence,
    refresh_transitions,
    reschedule_case,
    restore_transitions,
    schedule,
    set_status,
    shift_school,
    snooze,
    snooze_for,
    upsert,
)

__all__ = [
    "ACTIVE",
    "AGENDA_DAYS",
    "Agenda",
    "CalendarFile",
    "CaseLine",
    "Due",
    "Planned",
    "active_of",
    "add_manual",
    "agenda",
    "asked_agenda",
    "asked_next",
    "case_cadence",
    "cases_with_next",
    "complete_kind",
    "confirm",
    "export_calendar",
    "lead_days_of",
    "local_day",
    "move",
    "plan",
    "refresh_case",
    "refresh_meeting_cadence",
    "refresh_transitions",
    "reschedule_case",
    "restore_transitions",
    "schedule",
    "set_status",
    "shift_school",
    "snooze",
    "snooze_for",
    "transitions_of",
    "upcoming",
    "upsert",
]
