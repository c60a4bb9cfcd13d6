"""Transitions computed from birth year and month (SPEC 3.4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.transitions import (
    ALL_KINDS,
    RECENT_PAST_DAYS,
    Transition,
    birth_date,
    priority_application_deadline,
    transitions_for,
)
from storage.enums import Arena

birth_years = st.integers(min_value=1990, max_value=2080)
birth_months = st.none() | st.integers(min_value=1, max_value=12)
arenas = st.none() | st.sampled_from([a.value for a in Arena])


def by_kind(items: list[Transition]) -> dict[str, Transition]:
    return {t.kind: t for t in items}


def test_child_born_march_2010_on_the_normal_track() -> None:
    due = {t.kind: t.due for t in transitions_for(2010, 3, None)}
    assert due == {
        "skolestart_planlegging": date(2014, 8, 15),
        "skolestart": date(2016, 8, 15),
        "ungdomsskole_start": date(2023, 8, 15),
        "vgs_meldefrist_sakkyndig": date(2025, 10, 1),
        "vgs_soknadsfrist_fortrinnsrett": date(2026, 2, 2),  # 1 Feb 2026 is a Sunday
        "vgs_soknadsfrist_ordinaer": date(2026, 3, 1),
        "fyller_16": date(2026, 3, 1),
        "vgs_start": date(2026, 8, 15),
        "fyller_17": date(2027, 3, 1),
        "fyller_18": date(2028, 3, 1),
        "vgs_slutt": date(2029, 6, 20),
    }


def test_koordinator_types_03_2016_and_sees_school_start_august_2022() -> None:
    start = by_kind(transitions_for(2016, 3, "barnehage"))["skolestart"]
    assert start.due == date(2022, 8, 15)
    assert start.school_bound
    assert start.lead_days == (365, 182, 30)


def test_two_year_school_start_planning_is_optional() -> None:
    items = by_kind(transitions_for(2016, 3, None))
    assert items["skolestart_planlegging"].optional
    assert items["skolestart_planlegging"].due == date(2020, 8, 15)
    assert not any(t.optional for k, t in items.items() if k != "skolestart_planlegging")


def test_unknown_month_counts_from_first_of_january() -> None:
    items = by_kind(transitions_for(2010, None, None))
    assert items["fyller_18"].due == date(2028, 1, 1)
    assert items["skolestart"].due == date(2016, 8, 15)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2026, date(2026, 2, 2)),  # Sunday -> Monday
        (2025, date(2025, 2, 3)),  # Saturday -> Monday
        (2027, date(2027, 2, 1)),  # Monday stays
        (2030, date(2030, 2, 1)),  # Friday stays
    ],
)
def test_priority_application_deadline(year: int, expected: date) -> None:
    assert priority_application_deadline(year) == expected


def test_late_school_start_moves_school_track_not_birthdays() -> None:
    normal = by_kind(transitions_for(2010, 3, None))
    late = by_kind(transitions_for(2010, 3, None, school_shift_years=1))
    assert late["skolestart"].due == date(2017, 8, 15)
    assert late["vgs_soknadsfrist_fortrinnsrett"].due == date(2027, 2, 1)
    assert late["vgs_slutt"].due == date(2030, 6, 20)
    for kind in ("fyller_16", "fyller_17", "fyller_18"):
        assert late[kind] == normal[kind]


def test_pupil_in_ungdomsskole_gets_no_school_start_or_8th_grade() -> None:
    kinds = {t.kind for t in transitions_for(2012, 5, "ungdomsskole")}
    assert not kinds & {"skolestart_planlegging", "skolestart", "ungdomsskole_start"}
    assert {"vgs_start", "fyller_18", "vgs_slutt"} <= kinds


def test_youth_at_work_keeps_only_birthdays() -> None:
    kinds = {t.kind for t in transitions_for(2009, 5, "arbeid")}
    assert kinds == {"fyller_16", "fyller_17", "fyller_18"}


def test_annet_and_unknown_arena_keep_everything() -> None:
    assert transitions_for(2012, 5, "annet") == transitions_for(2012, 5, None)
    assert len(transitions_for(2012, 5, None)) == len(ALL_KINDS)


def test_unknown_arena_or_month_is_refused() -> None:
    with pytest.raises(ValueError):
        transitions_for(2012, 5, "videregående")
    with pytest.raises(ValueError):
        transitions_for(2012, 13, None)


def test_today_drops_the_past_but_keeps_a_recent_deadline() -> None:
    # Case registered 20 February 2026 for a youth born in 2010, now in 10th grade.
    items = transitions_for(2010, 3, "ungdomsskole", today=date(2026, 2, 20))
    assert [t.kind for t in items] == [
        "vgs_soknadsfrist_fortrinnsrett",  # 2 February: 18 days ago, shown as overdue
        "vgs_soknadsfrist_ordinaer",
        "fyller_16",
        "vgs_start",
        "fyller_17",
        "fyller_18",
        "vgs_slutt",
    ]


def test_adult_case_has_no_transitions_left() -> None:
    assert transitions_for(1990, 6, "arbeid", today=date(2026, 1, 5)) == []


@given(birth_years, birth_months, arenas, st.integers(min_value=-8, max_value=8))
def test_a_transition_is_never_before_birth(
    year: int, month: int | None, arena: str | None, shift: int
) -> None:
    born = birth_date(year, month)
    for t in transitions_for(year, month, arena, school_shift_years=shift):
        assert t.due >= born


@given(birth_years, birth_months, arenas, st.dates(min_value=date(1990, 1, 1)))
def test_sorted_and_nothing_long_past(
    year: int, month: int | None, arena: str | None, today: date
) -> None:
    items = transitions_for(year, month, arena, today=today)
    assert items == sorted(items, key=lambda t: t.due)
    assert all(t.due >= today - timedelta(days=RECENT_PAST_DAYS) for t in items)


@given(birth_years, birth_months, st.integers(min_value=-1, max_value=4))
def test_shifting_school_start_moves_exactly_the_school_bound_ones(
    year: int, month: int | None, k: int
) -> None:
    normal = by_kind(transitions_for(year, month, None))
    shifted = by_kind(transitions_for(year, month, None, school_shift_years=k))
    assert normal.keys() == shifted.keys()
    for kind, before in normal.items():
        after = shifted[kind]
        if not before.school_bound:
            assert after == before
        elif kind == "vgs_soknadsfrist_fortrinnsrett":
            # The weekend rule is applied to the shifted year's 1 February.
            assert after.due == priority_application_deadline(before.due.year + k)
        else:
            assert after.due == before.due.replace(year=before.due.year + k)
            assert (after.lead_days, after.optional) == (before.lead_days, before.optional)
