"""Cadence deadlines (oppstartsamtale, meetings, evaluation) and reminder days.

A `Cadence` holds the settings a municipality or a single case may change; the
defaults follow SPEC 3.4 and the Vestre Toten handbook (ansvarsgruppe at least twice
a year: a local recommendation, not law). Deadlines themselves stay on the calendar
day they fall on; only the days reminders go out are moved to working days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from bot.rules.workdays import add_working_days, next_working_day, previous_working_day

KIND_OPPSTARTSAMTALE = "oppstartsamtale"
KIND_EVALUERING = "evaluering"
KIND_ANSVARSGRUPPEMOTE = "ansvarsgruppemote"
KIND_INNKALLING = "innkalling"
KIND_MOTE = "mote"
KIND_REFERAT = "referat"
# The date of the next meeting, agreed at the end of the møte conversation.
KIND_NESTE_MOTE = "neste_mote"

# Vedtak that run out (Ringerike lists the services the tildelingskontor decides:
# «Avlastning/støttekontakt/BPA/hjemmetjenester/fysio/ergo/omsorgstønad/bolig»; Folldal
# asks the koordinator to «Holde orden på vedtak»). The deadline is the expiry date; a
# renewal needs a new application, so the reminders come 90 and 30 days ahead.
KIND_VEDTAK_BPA = "vedtak_bpa"
KIND_VEDTAK_AVLASTNING = "vedtak_avlastning"
KIND_VEDTAK_OMSORGSSTONAD = "vedtak_omsorgsstonad"
KIND_VEDTAK_STOTTEKONTAKT = "vedtak_stottekontakt"
KIND_VEDTAK_HJELPEMIDLER = "vedtak_hjelpemidler"
KIND_VEDTAK_ANNET = "vedtak_annet"
VEDTAK_KINDS: tuple[str, ...] = (
    KIND_VEDTAK_BPA,
    KIND_VEDTAK_AVLASTNING,
    KIND_VEDTAK_OMSORGSSTONAD,
    KIND_VEDTAK_STOTTEKONTAKT,
    KIND_VEDTAK_HJELPEMIDLER,
    KIND_VEDTAK_ANNET,
)
VEDTAK_LEAD_DAYS: Mapping[str, tuple[int, ...]] = dict.fromkeys(VEDTAK_KINDS, (90, 30))

# Every kind whose reminder lead days the `Cadence` knows.
CADENCE_KINDS: tuple[str, ...] = (
    KIND_OPPSTARTSAMTALE,
    KIND_EVALUERING,
    KIND_ANSVARSGRUPPEMOTE,
    KIND_INNKALLING,
    KIND_MOTE,
    KIND_REFERAT,
    KIND_NESTE_MOTE,
    *VEDTAK_KINDS,
)


@dataclass(frozen=True, slots=True)
class Cadence:
    """Cadence settings; every field has the SPEC default.

    Lead days per kind are settings too, so reminders for cadence deadlines and for
    transitions are computed the same way (`reminder_days`):
    - oppstartsamtale: a week's notice to book it inside the 14 days;
    - a due ansvarsgruppe meeting: 30 days, room to find a date and still invite
      14 days ahead;
    - evaluation: 14 days to prepare;
    - a scheduled meeting: the day before (SPEC 3.3);
    - invitation and minutes are tasks on their own day: no lead;
    - the agreed date of the next meeting: 21 days, a week to find the room and people
      before the invitation goes out 14 days ahead;
    - a vedtak that runs out: 90 and 30 days, time to apply again before it ends
      (the lead days of each vedtak kind, in `VEDTAK_LEAD_DAYS`).
    """

    oppstart_within_days: int = 14
    meeting_interval_months: int = 6
    evaluation_interval_months: int = 6
    invitation_days_before: int = 14
    minutes_working_days_after: int = 2
    overdue_days: tuple[int, ...] = (1, 7)
    oppstart_lead_days: tuple[int, ...] = (7,)
    meeting_due_lead_days: tuple[int, ...] = (30,)
    evaluation_lead_days: tuple[int, ...] = (14,)
    meeting_lead_days: tuple[int, ...] = (1,)
    next_meeting_lead_days: tuple[int, ...] = (21,)

    def lead_days_for(self, kind: str) -> tuple[int, ...]:
        """Reminder lead days for one of `CADENCE_KINDS`."""
        leads = {
            KIND_OPPSTARTSAMTALE: self.oppstart_lead_days,
            KIND_EVALUERING: self.evaluation_lead_days,
            KIND_ANSVARSGRUPPEMOTE: self.meeting_due_lead_days,
            KIND_INNKALLING: (),
            KIND_MOTE: self.meeting_lead_days,
            KIND_REFERAT: (),
            KIND_NESTE_MOTE: self.next_meeting_lead_days,
        }
        try:
            return leads[kind] if kind in leads else VEDTAK_LEAD_DAYS[kind]
        except KeyError:
            raise ValueError(f"not a cadence kind: {kind!r}") from None


DEFAULT_CADENCE = Cadence()


def oppstart_due(appointed: date, c: Cadence = DEFAULT_CADENCE) -> date:
    """Last day for the oppstartsamtale: `oppstart_within_days` calendar days after appointment."""
    return appointed + timedelta(days=c.oppstart_within_days)


def next_evaluation(last: date, c: Cadence = DEFAULT_CADENCE) -> date:
    """Next evaluation: `evaluation_interval_months` calendar months after the last one.

    Month ends clamp (31 August + 6 months = 28/29 February).
    """
    due: date = last + relativedelta(months=c.evaluation_interval_months)
    return due


def next_meeting_due(
    last_meeting: date | None, appointed: date, c: Cadence = DEFAULT_CADENCE
) -> date:
    """Latest day for the next ansvarsgruppe meeting.

    Counted from the last meeting held, or from the appointment when none has been
    held yet (a group that never met is due one interval after the koordinator
    started, not at once: the oppstartsamtale decides whether a group is wanted).
    """
    start = last_meeting if last_meeting is not None else appointed
    due: date = start + relativedelta(months=c.meeting_interval_months)
    return due


def meeting_deadlines(meeting_day: date, c: Cadence = DEFAULT_CADENCE) -> dict[str, date]:
    """Deadlines around a scheduled meeting, keyed by kind code.

    - `innkalling`: send the invitation `invitation_days_before` days ahead, moved back
      to a working day so it is never later than the notice promised;
    - `mote`: the meeting day itself;
    - `referat`: file the minutes `minutes_working_days_after` working days after.
    """
    invitation = previous_working_day(meeting_day - timedelta(days=c.invitation_days_before))
    return {
        KIND_INNKALLING: invitation,
        KIND_MOTE: meeting_day,
        KIND_REFERAT: add_working_days(meeting_day, c.minutes_working_days_after),
    }


def reminder_days(
    due: date,
    lead_days: Iterable[int] = (),
    overdue_days: Iterable[int] = DEFAULT_CADENCE.overdue_days,
) -> list[date]:
    """Days a reminder for `due` goes out, sorted and without duplicates.

    - each lead day before `due`, and `due` itself: moved to the previous working day,
      so the reminder still comes ahead of time;
    - each overdue day after `due`: moved to the *next* working day, because moving it
      back could land on or before `due` and lose the overdue notice.
    Every returned day is a working day. Lead days must be >= 0, overdue days > 0.
    """
    leads = tuple(lead_days)
    overdue = tuple(overdue_days)
    if any(n < 0 for n in leads):
        raise ValueError(f"lead days must be >= 0, got {leads}")
    if any(n <= 0 for n in overdue):
        raise ValueError(f"overdue days must be > 0, got {overdue}")
    days = {previous_working_day(due - timedelta(days=n)) for n in (*leads, 0)}
    days |= {next_working_day(due + timedelta(days=n)) for n in overdue}
    return sorted(days)
