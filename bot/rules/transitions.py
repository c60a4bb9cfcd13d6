"""Transitions (overganger) computed from birth year and month.

These are norms from SPEC 3.4, the handbooks and the law, shown to the koordinator as
proposals to confirm, move or dismiss. Every item has a stable `kind` code; the
words a user sees live in the templates.

Two families:
- school-bound transitions follow the school track (barnehage → school, school start,
  the end of SFO, 8th grade, Vg1 and its deadlines, end of upper secondary) and move
  when a child starts school late or takes an extra year (`school_shift_years`);
- age-bound transitions follow birthdays (barnehage start, 16, 17, 18 and the
  checklist of the transition at 18) and never move.

The rules behind the dates:
- barnehage start: barnehageloven § 16 — a child who turns one by the end of August
  has a right to a place from August; one who turns one in September, October or
  November from that month; one born in December from the August after;
- barnehage → school: Skaun («Koordinator arrangerer overgangsmøter eks. fra bhg til
  skole»); the meeting is proposed for 1 November the autumn before school start, so
  the school has time to prepare (Vestre Toten 10: «sørg for at nødvendig
  tilrettelegging og tiltak er på plass i god tid»);
- SFO: opplæringslova 2023 § 4-5 gives children with special needs SFO up to 7th
  grade, so it ends after 7th grade and something else must be in place;
- Vg1 application deadlines: forskrift til opplæringslova § 6-8 — 1 February
  (fortrinnsrett, individuell behandling, særskilt språkopplæring, new arrivals) and
  1 March (ordinary); a deadline on a Saturday or Sunday moves to the next working
  day, for both;
- the county notice (default 1 October the autumn of 10th grade) is a county rule of
  the local inntaksforskrift: the municipality tells the county about pupils who want
  to apply with fortrinnsrett. Its date is a per-municipality setting, and a
  municipality whose county has no such rule turns it off;
- end of upper secondary: 20 June after `vgs_years` school years from Vg1 (three
  studieforberedende, four for 2+2 yrkesfag, more with extra years), set per case;
- the transition at 18 (Vestre Toten 10: vergemål, NAV, adult services): a checklist
  of its own deadlines — vergemål and the move from BUP to DPS and from child to adult
  habilitation half a year ahead (applications and referrals take months); NAV and
  barnekoordinator → koordinator three months ahead (the right to a barnekoordinator
  ends at 18, hol. § 7-2 a, Vestre Toten 5: «opptil 18 år»).

`lead_days` say how long before `due` reminders go out (see
`bot.rules.cadences.reminder_days`). The choices:
- a change of school arena: 365/182/30 — the handbooks ask for planning about 12 and
  6 months ahead; the last one checks that tilrettelegging is in place;
- barnehage start: 182/90/30 — the main admission's application deadline (set by the
  municipality, often 1 March) falls about five months before August;
- the county notice: 120/30/7 — 120 days reaches the school before the summer holiday;
- the 1 February application: 90/30/7 — it needs expert statements, which take time;
- the 1 March ordinary application: 30/7;
- turning 16 (consent): 182/30 — "involve them well before";
- a transition meeting (turning 17, barnehage → school): 60/14 — time to schedule and
  invite (14 days);
- turning 18 and leaving upper secondary: 365/182/30 — "prepare about a year before";
  adult services, VTA and housing have long lead times;
- the checklist items at 18: 60/14 for those due half a year ahead, 30/7 for the rest;
- the optional two-year school-start planning point: 14.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from bot.rules.workdays import next_working_day
from storage.enums import Arena

KIND_BARNEHAGE_START = "barnehage_start"
KIND_BARNEHAGE_SKOLE = "barnehage_skole"
KIND_SKOLESTART_PLANLEGGING = "skolestart_planlegging"
KIND_SKOLESTART = "skolestart"
KIND_SFO_SLUTT = "sfo_slutt"
KIND_UNGDOMSSKOLE_START = "ungdomsskole_start"
# Until 2026 this was `vgs_meldefrist_sakkyndig`, a national deadline it never was;
# migration 0006 renames stored deadlines.
KIND_VGS_MELDING_FYLKET = "vgs_melding_fylket"
KIND_VGS_SOKNADSFRIST_FORTRINNSRETT = "vgs_soknadsfrist_fortrinnsrett"
KIND_VGS_SOKNADSFRIST_ORDINAER = "vgs_soknadsfrist_ordinaer"
KIND_VGS_START = "vgs_start"
KIND_FYLLER_16 = "fyller_16"
KIND_FYLLER_17 = "fyller_17"
KIND_18_VERGEMAL = "fyller_18_vergemal"
KIND_18_DPS = "fyller_18_dps"
KIND_18_HABILITERING = "fyller_18_habilitering"
KIND_18_NAV = "fyller_18_nav"
KIND_18_KOORDINATOR = "fyller_18_koordinator"
KIND_FYLLER_18 = "fyller_18"
KIND_VGS_SLUTT = "vgs_slutt"

ALL_KINDS: tuple[str, ...] = (
    KIND_BARNEHAGE_START,
    KIND_SKOLESTART_PLANLEGGING,
    KIND_BARNEHAGE_SKOLE,
    KIND_SKOLESTART,
    KIND_SFO_SLUTT,
    KIND_UNGDOMSSKOLE_START,
    KIND_VGS_MELDING_FYLKET,
    KIND_VGS_SOKNADSFRIST_FORTRINNSRETT,
    KIND_VGS_SOKNADSFRIST_ORDINAER,
    KIND_VGS_START,
    KIND_FYLLER_16,
    KIND_FYLLER_17,
    KIND_18_VERGEMAL,
    KIND_18_DPS,
    KIND_18_HABILITERING,
    KIND_18_NAV,
    KIND_18_KOORDINATOR,
    KIND_FYLLER_18,
    KIND_VGS_SLUTT,
)
# The checklist of the transition at 18, in the order it is worked through.
ADULTHOOD_CHECKLIST: tuple[str, ...] = (
    KIND_18_VERGEMAL,
    KIND_18_DPS,
    KIND_18_HABILITERING,
    KIND_18_NAV,
    KIND_18_KOORDINATOR,
)


ROLE_BARNEKOORDINATOR = "barnekoordinator"

# School years start in the middle of August; the exact first day varies by county,
# so one fixed day keeps the proposal stable and the koordinator can move it.
SCHOOL_START_MONTH = 8
SCHOOL_START_DAY = 15
# The last school day is around 20 June everywhere in Norway.
SCHOOL_END_MONTH = 6
SCHOOL_END_DAY = 20
# The barnehage year starts in August (barnehageloven § 16: «plass … fra august»).
BARNEHAGE_START_MONTH = 8
# Upper secondary: three school years unless the case says otherwise.
DEFAULT_VGS_YEARS = 3
MIN_VGS_YEARS, MAX_VGS_YEARS = 2, 7
# The county notice (local inntaksforskrift): (month, day) the autumn of 10th grade.
DEFAULT_COUNTY_NOTICE = (10, 1)

# Past transitions stay listed this long when `today` is given, so a case registered
# just after a deadline (e.g. 1 February) still shows it as overdue instead of hiding it.
RECENT_PAST_DAYS = 30

_LEAD_ARENA_CHANGE: tuple[int, ...] = (365, 182, 30)
# The Vg1 case goes to the KE with the first reminder of the change of school.
KE_VG1_LEAD_DAYS = _LEAD_ARENA_CHANGE[0]
_LEAD_BARNEHAGE: tuple[int, ...] = (182, 90, 30)
_LEAD_PLANNING_POINT: tuple[int, ...] = (14,)
_LEAD_COUNTY_NOTICE: tuple[int, ...] = (120, 30, 7)
_LEAD_FORTRINNSRETT: tuple[int, ...] = (90, 30, 7)
_LEAD_ORDINAER: tuple[int, ...] = (30, 7)
_LEAD_FYLLER_16: tuple[int, ...] = (182, 30)
_LEAD_MEETING: tuple[int, ...] = (60, 14)
_LEAD_ADULTHOOD: tuple[int, ...] = (365, 182, 30)
_LEAD_CHECKLIST_EARLY: tuple[int, ...] = (60, 14)
_LEAD_CHECKLIST: tuple[int, ...] = (30, 7)

# Kinds that no longer apply once the person is in a given arena. "annet" and an
# unknown arena (None) drop nothing: the person could be anywhere on the track.
_BEFORE_BARNEHAGE = frozenset({KIND_BARNEHAGE_START})
_BEFORE_BARNESKOLE = _BEFORE_BARNEHAGE | {
    KIND_SKOLESTART_PLANLEGGING,
    KIND_BARNEHAGE_SKOLE,
    KIND_SKOLESTART,
}
_BEFORE_UNGDOMSSKOLE = _BEFORE_BARNESKOLE | {KIND_SFO_SLUTT, KIND_UNGDOMSSKOLE_START}
_BEFORE_VIDEREGAENDE = _BEFORE_UNGDOMSSKOLE | {
    KIND_VGS_MELDING_FYLKET,
    KIND_VGS_SOKNADSFRIST_FORTRINNSRETT,
    KIND_VGS_SOKNADSFRIST_ORDINAER,
    KIND_VGS_START,
}
_IRRELEVANT_IN_ARENA: dict[Arena, frozenset[str]] = {
    Arena.BARNEHAGE: _BEFORE_BARNEHAGE,
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


def application_deadline(deadline: date) -> date:
    """Forskrift til opplæringslova § 6-8: a deadline on a Saturday or Sunday is due the
    next working day."""
    return next_working_day(deadline) if deadline.weekday() >= 5 else deadline


def priority_application_deadline(year: int) -> date:
    """1 February of `year` (fortrinnsrett, individuell behandling, særskilt
    språkopplæring, new arrivals), moved off a weekend."""
    return application_deadline(date(year, 2, 1))


def ordinary_application_deadline(year: int) -> date:
    """1 March of `year` (ordinary admission), moved off a weekend."""
    return application_deadline(date(year, 3, 1))


def barnehage_start(birth_year: int, birth_month: int | None) -> date:
    """When the right to a barnehage place begins (barnehageloven § 16).

    Born January-August: August of the year the child turns one; September-November:
    the month the child turns one; December: the August after. An unknown month counts
    as January (the earliest, as for every birthday here).
    """
    month = birth_month or 1
    if month <= BARNEHAGE_START_MONTH:
        return date(birth_year + 1, BARNEHAGE_START_MONTH, 1)
    if month <= 11:
        return date(birth_year + 1, month, 1)
    return date(birth_year + 2, BARNEHAGE_START_MONTH, 1)


def _school_start(year: int) -> date:
    return date(year, SCHOOL_START_MONTH, SCHOOL_START_DAY)


def _school_end(year: int) -> date:
    return date(year, SCHOOL_END_MONTH, SCHOOL_END_DAY)


def vg1_application_year(vg1_start: date) -> int:
    """The year whose 1 February and 1 March deadlines admit to a Vg1 starting on
    `vg1_start`: the same year for a start from March on (the usual August start), the
    year before for a start in January or February, so the applications always come
    before the start."""
    return vg1_start.year if vg1_start.month >= 3 else vg1_start.year - 1


def vg1_deadlines(application_year: int, county_notice: tuple[int, int] | None) -> list[Transition]:
    """The application deadlines of a Vg1 admitted in `application_year`: 1 February
    and 1 March (forskrift til opplæringslova § 6-8, each moved off a weekend to the
    next working day) and the county notice in 10th grade (an autumn date the year
    before, a spring date the same year), when the municipality has one."""

    def school(kind: str, due: date, lead: tuple[int, ...]) -> Transition:
        return Transition(kind, due, lead, school_bound=True)

    items = [
        school(
            KIND_VGS_SOKNADSFRIST_FORTRINNSRETT,
            priority_application_deadline(application_year),
            _LEAD_FORTRINNSRETT,
        ),
        school(
            KIND_VGS_SOKNADSFRIST_ORDINAER,
            ordinary_application_deadline(application_year),
            _LEAD_ORDINAER,
        ),
    ]
    if county_notice is not None:
        month, day = county_notice
        year = application_year - 1 if month >= SCHOOL_START_MONTH else application_year
        items.append(school(KIND_VGS_MELDING_FYLKET, date(year, month, day), _LEAD_COUNTY_NOTICE))
    return items


def vg1_ke_day(vg1_start: date) -> date:
    """The day the KE is asked to take up a case's Vg1 transition: `KE_VG1_LEAD_DAYS`
    before the start, with the first reminder of the change of school (about the start
    of 10th grade), so the KE has decided who follows the case up from the municipality
    before the county notice and the application deadlines (skaun-koordinerende-team.txt:
    «Ved overgang til videregående skole tas saken opp i Koordinerende team og det
    avtales hvem som skal følge opp saken fra kommunen»)."""
    return vg1_start - timedelta(days=KE_VG1_LEAD_DAYS)


def _school_transitions(
    birth_year: int,
    shift: int,
    vgs_years: int,
    county_notice: tuple[int, int] | None,
    vg1_start: date | None,
) -> list[Transition]:
    """School-track items for a child on the normal track shifted by `shift` years;
    a Vg1 start moved by hand (`vg1_start`) carries its application deadlines."""

    def turning(age: int) -> int:
        return birth_year + age + shift

    def school(kind: str, due: date, lead: tuple[int, ...], optional: bool = False) -> Transition:
        return Transition(kind, due, lead, school_bound=True, optional=optional)

    vg1 = vg1_start or _school_start(turning(16))

    items = [
        # Children with great needs may need two years to prepare school start.
        school(
            KIND_SKOLESTART_PLANLEGGING,
            _school_start(turning(4)),
            _LEAD_PLANNING_POINT,
            optional=True,
        ),
        school(KIND_BARNEHAGE_SKOLE, date(turning(5), 11, 1), _LEAD_MEETING),
        school(KIND_SKOLESTART, _school_start(turning(6)), _LEAD_ARENA_CHANGE),
        # 7th grade ends the June of the year the child turns 13.
        school(KIND_SFO_SLUTT, _school_end(turning(13)), _LEAD_ARENA_CHANGE),
        school(KIND_UNGDOMSSKOLE_START, _school_start(turning(13)), _LEAD_ARENA_CHANGE),
        *vg1_deadlines(vg1_application_year(vg1), county_notice),
        school(KIND_VGS_START, vg1, _LEAD_ARENA_CHANGE),
        school(KIND_VGS_SLUTT, _school_end(turning(16) + vgs_years), _LEAD_ADULTHOOD),
    ]
    return items


def _age_transitions(born: date, birth_month: int | None) -> list[Transition]:
    def at(kind: str, due: date, lead: tuple[int, ...]) -> Transition:
        return Transition(kind, due, lead, school_bound=False)

    def birthday(age: int) -> date:
        return born.replace(year=born.year + age)

    eighteen = birthday(18)
    half_year_before: date = eighteen - relativedelta(months=6)
    three_months_before: date = eighteen - relativedelta(months=3)
    return [
        at(KIND_BARNEHAGE_START, barnehage_start(born.year, birth_month), _LEAD_BARNEHAGE),
        at(KIND_FYLLER_16, birthday(16), _LEAD_FYLLER_16),
        at(KIND_FYLLER_17, birthday(17), _LEAD_MEETING),
        at(KIND_18_VERGEMAL, half_year_before, _LEAD_CHECKLIST_EARLY),
        at(KIND_18_DPS, half_year_before, _LEAD_CHECKLIST_EARLY),
        at(KIND_18_HABILITERING, half_year_before, _LEAD_CHECKLIST_EARLY),
        at(KIND_18_NAV, three_months_before, _LEAD_CHECKLIST),
        at(KIND_18_KOORDINATOR, three_months_before, _LEAD_CHECKLIST),
        at(KIND_FYLLER_18, eighteen, _LEAD_ADULTHOOD),
    ]


def transitions_for(
    birth_year: int,
    birth_month: int | None,
    arena: str | None,
    *,
    school_shift_years: int = 0,
    vgs_years: int = DEFAULT_VGS_YEARS,
    county_notice: tuple[int, int] | None = DEFAULT_COUNTY_NOTICE,
    role: str | None = None,
    today: date | None = None,
    vg1_start: date | None = None,
) -> list[Transition]:
    """All proposed transitions for a person, sorted by due date (then kind).

    - `school_shift_years` moves the school-bound items by whole years (+1 for a late
      school start or an extra year); age-bound items stay.
    - `vgs_years` is the length of upper secondary (3, 4 for 2+2 yrkesfag, more with
      extra years): it moves the end of upper secondary and nothing else.
    - `county_notice` is the (month, day) of the county's notice date in the autumn of
      10th grade, or None when the county has none.
    - `vg1_start`: the Vg1 start the koordinator moved by hand; the application
      deadlines and the county notice follow it (`vg1_deadlines`).
    - `role`: barnekoordinator → koordinator at 18 is proposed only to a
      barnekoordinator (or when the role is not given).
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
    if not MIN_VGS_YEARS <= vgs_years <= MAX_VGS_YEARS:
        raise ValueError(f"vgs_years must be {MIN_VGS_YEARS}..{MAX_VGS_YEARS}, got {vgs_years}")
    born = birth_date(birth_year, birth_month)
    irrelevant = _IRRELEVANT_IN_ARENA[Arena(arena)] if arena is not None else frozenset()
    if role is not None and role != ROLE_BARNEKOORDINATOR:
        irrelevant = irrelevant | {KIND_18_KOORDINATOR}
    earliest = born if today is None else max(born, today - timedelta(days=RECENT_PAST_DAYS))

    items: Iterable[Transition] = (
        *_school_transitions(birth_year, school_shift_years, vgs_years, county_notice, vg1_start),
        *_age_transitions(born, birth_month),
    )
    kept = [t for t in items if t.kind not in irrelevant and t.due >= earliest]
    return sorted(kept, key=lambda t: (t.due, ALL_KINDS.index(t.kind)))
