"""Transitions (overganger) computed from birth year and month.

These are norms from SPEC 3.4 and the handbooks, shown to the koordinator as
proposals to confirm, move or dismiss. Every item has a stable `kind` code; the
words a user sees live in the templates.

Two families:
- school-bound transitions follow the school track (school start, 8th grade, Vg1 and
  its deadlines, end of upper secondary) and move when a child starts school late or
  takes an extra year (`school_shift_years`);
- age-bound transitions follow birthdays (16, 17, 18) and never move.

`lead_days` say how long before `due` reminders go out (see
`bot.rules.cadences.reminder_days`). The choices:
- a change of school arena: 365/182/30 — the handbooks ask for planning about 12 and
  6 months ahead; the last one checks that tilrettelegging is in place;
- the 1 October report of pupils needing an expert assessment: 120/30/7 — 120 days
  reaches the school before the summer holiday, when the documents are gathered;
- the 1 February priority application: 90/30/7 — it needs expert statements, which
  take time;
- the 1 March ordinary application: 30/7;
- turning 16 (consent): 182/30 — "involve them well before";
- turning 17 (transition meeting): 60/14 — time to schedule and invite (14 days);
- turning 18 and leaving upper secondary: 365/182/30 — "prepare about a year before";
  adult services, VTA and housing have long lead times;
- the optional two-year school-start planning point: 14.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from storage.enums import Arena

KIND_SKOLESTART_PLANLEGGING = "skolestart_planlegging"
KIND_SKOLESTART = "skolestart"
KIND_UNGDOMSSKOLE_START = "ungdomsskole_start"
KIND_VGS_MELDEFRIST_SAKKYNDIG = "vgs_meldefrist_sakkyndig"
KIND_VGS_SOKNADSFRIST_FORTRINNSRETT = "vgs_soknadsfrist_fortrinnsrett"
KIND_VGS_SOKNADSFRIST_ORDINAER = "vgs_soknadsfrist_ordinaer"
KIND_VGS_START = "vgs_start"
KIND_FYLLER_16 = "fyller_16"
KIND_FYLLER_17 = "fyller_17"
KIND_FYLLER_18 = "fyller_18"
KIND_VGS_SLUTT = "vgs_slutt"

ALL_KINDS: tuple[str, ...] = (
    KIND_SKOLESTART_PLANLEGGING,
    KIND_SKOLESTART,
    KIND_UNGDOMSSKOLE_START,
    KIND_VGS_MELDEFRIST_SAKKYNDIG,
    KIND_VGS_SOKNADSFRIST_FORTRINNSRETT,
    KIND_VGS_SOKNADSFRIST_ORDINAER,
    KIND_VGS_START,
    KIND_FYLLER_16,
    KIND_FYLLER_17,
    KIND_FYLLER_18,
    KIND_VGS_SLUTT,
)


# School years start in the middle of August; the exact first day varies by county,
# so one fixed day keeps the proposal stable and the koordinator can move it.
SCHOOL_START_MONTH = 8
SCHOOL_START_DAY = 15
# The last school day is around 20 June everywhere in Norway.
SCHOOL_END_MONTH = 6
SCHOOL_END_DAY = 20

# Past transitions stay listed this long when `today` is given, so a case registered
# just after a deadline (e.g. 1 February) still shows it as overdue instead of hiding it.
RECENT_PAST_DAYS = 30

_LEAD_ARENA_CHANGE: tuple[int, ...] = (365, 182, 30)
_LEAD_PLANNING_POINT: tuple[int, ...] = (14,)
_LEAD_MELDEFRIST: tuple[int, ...] = (120, 30, 7)
_LEAD_FORTRINNSRETT: tuple[int, ...] = (90, 30, 7)
_LEAD_ORDINAER: tuple[int, ...] = (30, 7)
_LEAD_FYLLER_16: tuple[int, ...] = (182, 30)
_LEAD_FYLLER_17: tuple[int, ...] = (60, 14)
_LEAD_ADULTHOOD: tuple[int, ...] = (365, 182, 30)

# Kinds that no longer apply once the person is in a given arena. "annet" and an
# unknown arena (None) drop nothing: the person could be anywhere on the track.
_BEFORE_BARNESKOLE = frozenset({KIND_SKOLESTART_PLANLEGGING, KIND_SKOLESTART})
_BEFORE_UNGDOMSSKOLE = _BEFORE_BARNESKOLE | {KIND_UNGDOMSSKOLE_START}
_BEFORE_VIDEREGAENDE = _BEFORE_UNGDOMSSKOLE | {
    KIND_VGS_MELDEFRIST_SAKKYNDIG,
    KIND_VGS_SOKNADSFRIST_FORTRINNSRETT,
    KIND_VGS_SOKNADSFRIST_ORDINAER,
    KIND_VGS_START,
}
_IRRELEVANT_IN_ARENA: dict[Arena, frozenset[str]] = {
    Arena.BARNEHAGE: frozenset(),
    Arena.BARNESKOLE: _BEFORE_BARNESKOLE,
    Arena.UNGDOMSSKOLE: _BEFORE_UNGDOMSSKOLE,
    Arena.VIDEREGAENDE: _BEFORE_VIDEREGAENDE,
    Arena.ARBEID: _BEFORE_VIDEREGAENDE | {KIND_VGS_SLUTT},
    Arena.ANNET: frozenset(),
}


@dataclass(frozen=True, slots=True)
class Transition:
    """One proposed transition deadline.

    `lead_days`: days before `due` when reminders go out, largest first.
    `school_bound`: a late school start or an extra year moves it.
    `optional`: a planning point only some cases need (shown as a suggestion).
    """

    kind: str
    due: date
    lead_days: tuple[int, ...]
    school_bound: bool
    optional: bool = False


def birth_date(birth_year: int, birth_month: int | None) -> date:
    """The earliest possible birth date: day 1 of the month, 1 January if the month is unknown.

    Taking the earliest date makes birthday reminders come early rather than late.
    """
    if birth_month is not None and not 1 <= birth_month <= 12:
        raise ValueError(f"birth_month must be 1..12 or None, got {birth_month}")
    return date(birth_year, birth_month or 1, 1)


def priority_application_deadline(year: int) -> date:
    """1 February of `year`, moved to the following Monday when it is a Saturday or Sunday."""
    deadline = date(year, 2, 1)
    if deadline.weekday() >= 5:
        deadline += timedelta(days=7 - deadline.weekday())
    return deadline


def _school_start(year: int) -> date:
    return date(year, SCHOOL_START_MONTH, SCHOOL_START_DAY)


def _school_transitions(birth_year: int, shift: int) -> list[Transition]:
    """School-track items for a child on the normal track shifted by `shift` years."""

    def turning(age: int) -> int:
        return birth_year + age + shift

    def school(kind: str, due: date, lead: tuple[int, ...], optional: bool = False) -> Transition:
        return Transition(kind, due, lead, school_bound=True, optional=optional)

    return [
        # Children with great needs may need two years to prepare school start.
        school(
            KIND_SKOLESTART_PLANLEGGING,
            _school_start(turning(4)),
            _LEAD_PLANNING_POINT,
            optional=True,
        ),
        school(KIND_SKOLESTART, _school_start(turning(6)), _LEAD_ARENA_CHANGE),
        school(KIND_UNGDOMSSKOLE_START, _school_start(turning(13)), _LEAD_ARENA_CHANGE),
        school(KIND_VGS_MELDEFRIST_SAKKYNDIG, date(turning(15), 10, 1), _LEAD_MELDEFRIST),
        school(
            KIND_VGS_SOKNADSFRIST_FORTRINNSRETT,
            priority_application_deadline(turning(16)),
            _LEAD_FORTRINNSRETT,
        ),
        school(KIND_VGS_SOKNADSFRIST_ORDINAER, date(turning(16), 3, 1), _LEAD_ORDINAER),
        school(KIND_VGS_START, _school_start(turning(16)), _LEAD_ARENA_CHANGE),
        school(
            KIND_VGS_SLUTT,
            date(turning(19), SCHOOL_END_MONTH, SCHOOL_END_DAY),
            _LEAD_ADULTHOOD,
        ),
    ]


def _age_transitions(born: date) -> list[Transition]:
    def birthday(kind: str, age: int, lead: tuple[int, ...]) -> Transition:
        return Transition(kind, born.replace(year=born.year + age), lead, school_bound=False)

    return [
        birthday(KIND_FYLLER_16, 16, _LEAD_FYLLER_16),
        birthday(KIND_FYLLER_17, 17, _LEAD_FYLLER_17),
        birthday(KIND_FYLLER_18, 18, _LEAD_ADULTHOOD),
    ]


def transitions_for(
    birth_year: int,
    birth_month: int | None,
    arena: str | None,
    *,
    school_shift_years: int = 0,
    today: date | None = None,
) -> list[Transition]:
    """All proposed transitions for a person, sorted by due date (then kind).

    - `school_shift_years` moves the school-bound items by whole years (+1 for a late
      school start or an extra year); age-bound items stay.
    - `arena` (an `Arena` value, or None) drops what the person has already passed:
      a pupil in ungdomsskole gets no school start or 8th grade. Applied whether or not
      `today` is given; pass None to get the full track.
    - `today`, when given, drops items due more than `RECENT_PAST_DAYS` days ago;
      recent ones stay so they show as overdue.
    - Nothing before the (earliest possible) birth date is ever returned, whatever
      the shift.
    """
    if arena is not None and arena not in _IRRELEVANT_IN_ARENA:
        raise ValueError(f"unknown arena {arena!r}; expected an Arena value or None")
    born = birth_date(birth_year, birth_month)
    irrelevant = _IRRELEVANT_IN_ARENA[Arena(arena)] if arena is not None else frozenset()
    earliest = born if today is None else max(born, today - timedelta(days=RECENT_PAST_DAYS))

    items: Iterable[Transition] = (
        *_school_transitions(birth_year, school_shift_years),
        *_age_transitions(born),
    )
    kept = [t for t in items if t.kind not in irrelevant and t.due >= earliest]
    return sorted(kept, key=lambda t: (t.due, ALL_KINDS.index(t.kind)))
