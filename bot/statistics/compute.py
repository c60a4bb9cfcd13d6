"""The figures: raw counts from facts (`compute`), and the small-count rule
(`is_small`, `suppress`) the renderers apply."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from bot.rules.age import age_on
from bot.statistics.facts import CaseFact, DeadlineFact, KoordinatorFact
from storage.enums import (
    Arena,
    CaseStatus,
    DeadlineSource,
    DeadlineStatus,
    Gender,
    Level,
    Role,
    Tjenestested,
)

DEFAULT_THRESHOLD = 5
ADULT_AGE = 18
# (code, first age, last age or None for "and older")
AGE_GROUPS: tuple[tuple[str, int, int | None], ...] = (
    ("0-5", 0, 5),
    ("6-12", 6, 12),
    ("13-17", 13, 17),
    ("18-25", 18, 25),
    ("26-66", 26, 66),
    ("67+", 67, None),
)
PENDING = frozenset({DeadlineStatus.OPEN, DeadlineStatus.PROPOSED})
TRANSITION_SOURCE = DeadlineSource.TRANSITION


@dataclass(frozen=True)
class Load:
    """Koordinator load at one tjenestested."""

    koordinatorer: int  # active koordinatorer registered there
    with_cases: int  # koordinatorer holding at least one of its active cases
    cases: int  # active cases whose tjenestested it is

    @property
    def per_koordinator(self) -> float | None:
        """Active cases per active koordinator, one decimal; None without koordinatorer."""
        return round(self.cases / self.koordinatorer, 1) if self.koordinatorer else None


@dataclass(frozen=True)
class Statistics:
    """Raw figures for the whole municipality on `today` (nothing suppressed).

    Dicts are ordered and keyed by stored codes (None = not given): the known codes
    in vocabulary order, always present; unknown codes after them; None last, only
    when it occurs."""

    today: date
    active: int
    paused: int
    closed: int
    new_this_year: int
    children: int
    adults: int
    unknown_age: int
    by_level: dict[str | None, int]
    by_role: dict[str | None, int]
    by_gender: dict[str | None, int]
    by_arena: dict[str | None, int]
    by_age_group: dict[str | None, int]
    ages_known: int
    average_age: float | None
    # Only tjenestesteder with an active koordinator or an active case.
    load: dict[str | None, Load]
    # Open or proposed transition deadlines from today to 31 December, by kind,
    # in order of the first one due.
    transitions: dict[str, int]
    # Open or proposed deadlines due before today, by kind, most first.
    overdue: dict[str, int]

    @property
    def inactive(self) -> int:
        """Paused and closed cases."""
        return self.paused + self.closed

    @property
    def total(self) -> int:
        return self.active + self.paused + self.closed

    @property
    def year(self) -> int:
        return self.today.year

    @property
    def transitions_total(self) -> int:
        return sum(self.transitions.values())

    @property
    def overdue_total(self) -> int:
        return sum(self.overdue.values())


def age_group(age: int | None) -> str | None:
    """The code of the age group `age` falls in ("0-5" ... "67+"), None when unknown."""
    if age is None:
        return None
    for code, first, last in AGE_GROUPS:
        if age >= first and (last is None or age <= last):
            return code
    return None


def compute(
    cases: Iterable[CaseFact],
    deadlines: Iterable[DeadlineFact],
    koordinatorer: Iterable[KoordinatorFact],
    *,
    today: date,
) -> Statistics:
    """All figures of `/statistikk` from plain facts, raw (suppression is for renderers)."""
    cases = list(cases)
    active = [c for c in cases if c.status == CaseStatus.ACTIVE]
    paused = sum(1 for c in cases if c.status == CaseStatus.PAUSED)
    ages = [age_on(c.birth_year, c.birth_month, today) for c in active]
    known = [a for a in ages if a is not None]
    children = sum(1 for a in known if a < ADULT_AGE)

    active_ids = {c.case_id for c in active}
    pending = [d for d in deadlines if d.case_id in active_ids and d.status in PENDING]
    year_end = date(today.year, 12, 31)
    ahead = sorted(
        (d.due, d.kind)
        for d in pending
        if d.source == TRANSITION_SOURCE and today <= d.due <= year_end
    )
    transitions: dict[str, int] = {}
    for _, kind in ahead:
        transitions[kind] = transitions.get(kind, 0) + 1
    overdue = Counter(d.kind for d in pending if d.due < today)

    return Statistics(
        today=today,
        active=len(active),
        paused=paused,
        # Anything neither active nor paused is out of the active work: closed.
        closed=len(cases) - len(active) - paused,
        new_this_year=sum(1 for c in cases if c.created_on.year == today.year),
        children=children,
        adults=len(known) - children,
        unknown_age=len(ages) - len(known),
        by_level=_tally((c.level for c in active), Level),
        by_role=_tally((c.role for c in active), Role),
        by_gender=_tally((c.gender for c in active), Gender),
        by_arena=_tally((c.arena for c in active), Arena),
        by_age_group=_tally((age_group(a) for a in ages), (code for code, *_ in AGE_GROUPS)),
        ages_known=len(known),
        average_age=round(sum(known) / len(known), 1) if known else None,
        load=_load(active, koordinatorer),
        transitions=transitions,
        overdue=dict(sorted(overdue.items(), key=lambda item: (-item[1], item[0]))),
    )


def _tally(values: Iterable[str | None], codes: Iterable[str]) -> dict[str | None, int]:
    counts = Counter(values)
    result: dict[str | None, int] = {str(code): counts.pop(str(code), 0) for code in codes}
    missing = counts.pop(None, 0)
    result.update(sorted(counts.items()))
    if missing:
        result[None] = missing
    return result


def _load(
    active: Sequence[CaseFact], koordinatorer: Iterable[KoordinatorFact]
) -> dict[str | None, Load]:
    staff = Counter(k.tjenestested for k in koordinatorer if k.active)
    cases = Counter(c.tjenestested for c in active)
    holders = Counter(t for t, _ in {(c.tjenestested, c.koordinator_id) for c in active})
    places = _tally([*staff.elements(), *cases.elements()], Tjenestested)
    return {
        place: Load(koordinatorer=staff[place], with_cases=holders[place], cases=cases[place])
        for place, n in places.items()
        if n
    }


# --- suppression ---------------------------------------------------------------------


def is_small(n: int, threshold: int) -> bool:
    """True for a count that could point out a person: 1 up to threshold - 1.

    0 is never small (nobody to point out); a threshold of 0 or 1 turns this off."""
    return 0 < n < threshold


def suppress(n: int, threshold: int, marker: str) -> int | str:
    """`n`, or `marker` (e.g. "under 5") when `n` is small."""
    return marker if is_small(n, threshold) else n
