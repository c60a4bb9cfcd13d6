"""Transitions computed from birth year and month (SPEC 3.4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.transitions import (
    ADULTHOOD_CHECKLIST,
    ALL_KINDS,
    RECENT_PAST_DAYS,
    Transition,
    application_deadline,
    barnehage_start,
    birth_date,
    ordinary_application_deadline,
    priority_application_deadline,
    transitions_for,
)
from bot.rules.workdays import is_working_day
from storage.enums import Arena

birth_years = st.integers(min_value=1990, max_value=2080)
birth_months = st.none() | st.integers(min_value=1, max_value=12)
arenas = st.none() | st.sampled_from([a.value for a in Arena])


def by_kind(items: list[Transition]) -> dict[str, Transition]:
    return {t.kind: t for t in items}


def test_child_born_march_2010_on_the_normal_track() -> None:
    due = {t.kind: t.due for t in transitions_for(2010, 3, None)}
    assert due == {
        "barnehage_start": date(2011, 8, 1),
        "skolestart_planlegging": date(2014, 8, 15),
        "barnehage_skole": date(2015, 11, 1),
        "skolestart": date(2016, 8, 15),
        "sfo_slutt": date(2023, 6, 20),
        "ungdomsskole_start": date(2023, 8, 15),
        "vgs_melding_fylket": date(2025, 10, 1),
        "vgs_soknadsfrist_fortrinnsrett": date(2026, 2, 2),  # 1 Feb 2026 is a Sunday
        "vgs_soknadsfrist_ordinaer": date(2026, 3, 2),  # 1 Mar 2026 is a Sunday too
        "fyller_16": date(2026, 3, 1),
        "vgs_start": date(2026, 8, 15),
        "fyller_17": date(2027, 3, 1),
        "fyller_18_vergemal": date(2027, 9, 1),
        "fyller_18_dps": date(2027, 9, 1),
        "fyller_18_habilitering": date(2027, 9, 1),
        "fyller_18_nav": date(2027, 12, 1),
        "fyller_18_koordinator": date(2027, 12, 1),
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
    assert kinds == {"fyller_16", "fyller_17", "fyller_18", *ADULTHOOD_CHECKLIST}


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
        "fyller_16",
        "vgs_soknadsfrist_ordinaer",
        "vgs_start",
        "fyller_17",
        *ADULTHOOD_CHECKLIST,
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
        elif kind == "vgs_soknadsfrist_ordinaer":
            assert after.due == ordinary_application_deadline(before.due.year + k)
        else:
            assert after.due == before.due.replace(year=before.due.year + k)
            assert (after.lead_days, after.optional) == (before.lead_days, before.optional)


# ---- issue 13: by the handbooks and the law -----------------------------------------
@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2026, date(2026, 3, 2)),  # Sunday -> Monday
        (2025, date(2025, 3, 3)),  # Saturday -> Monday
        (2027, date(2027, 3, 1)),  # Monday stays
    ],
)
def test_forskrift_6_8_moves_1_march_off_a_weekend_too(year: int, expected: date) -> None:
    assert ordinary_application_deadline(year) == expected


@given(st.integers(min_value=1990, max_value=2100), st.sampled_from([2, 3]))
def test_forskrift_6_8_an_application_deadline_is_a_working_day_within_two_days(
    year: int, month: int
) -> None:
    first = date(year, month, 1)
    due = application_deadline(first)
    assert is_working_day(due)
    assert first <= due <= first + timedelta(days=2)
    assert (due == first) == (first.weekday() < 5)


@given(birth_years, birth_months, st.integers(min_value=-2, max_value=4))
def test_both_vg1_deadlines_are_never_on_a_weekend(
    year: int, month: int | None, shift: int
) -> None:
    items = by_kind(transitions_for(year, month, None, school_shift_years=shift))
    for kind in ("vgs_soknadsfrist_fortrinnsrett", "vgs_soknadsfrist_ordinaer"):
        assert items[kind].due.weekday() < 5
        assert items[kind].due.year == items["vgs_start"].due.year


def test_county_notice_follows_the_municipality_setting_or_is_off() -> None:
    # Local inntaksforskrift: the municipality tells the county about 10th-graders who
    # want to apply with fortrinnsrett. A county rule, so its date is a setting.
    default = by_kind(transitions_for(2010, 3, None))
    assert default["vgs_melding_fylket"].due == date(2025, 10, 1)
    november = by_kind(transitions_for(2010, 3, None, county_notice=(11, 15)))
    assert november["vgs_melding_fylket"].due == date(2025, 11, 15)
    january = by_kind(transitions_for(2010, 3, None, county_notice=(1, 10)))
    assert january["vgs_melding_fylket"].due == date(2026, 1, 10)  # still 10th grade
    assert "vgs_melding_fylket" not in by_kind(transitions_for(2010, 3, None, county_notice=None))


@given(birth_years, birth_months, st.integers(min_value=-2, max_value=4), st.integers(2, 7))
def test_end_of_upper_secondary_has_its_own_adjustment(
    year: int, month: int | None, shift: int, vgs_years: int
) -> None:
    normal = by_kind(transitions_for(year, month, None, school_shift_years=shift))
    longer = by_kind(
        transitions_for(year, month, None, school_shift_years=shift, vgs_years=vgs_years)
    )
    vg1 = normal["vgs_start"].due
    assert longer["vgs_slutt"].due == date(vg1.year + vgs_years, 6, 20)
    # Only the end moves: Vg1 and everything else stays where it was.
    assert {k: t for k, t in longer.items() if k != "vgs_slutt"} == {
        k: t for k, t in normal.items() if k != "vgs_slutt"
    }


def test_two_plus_two_yrkesfag_ends_a_year_later() -> None:
    items = by_kind(transitions_for(2010, 3, None, vgs_years=4))
    assert items["vgs_slutt"].due == date(2030, 6, 20)
    assert items["vgs_start"].due == date(2026, 8, 15)
    with pytest.raises(ValueError):
        transitions_for(2010, 3, None, vgs_years=1)


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        (None, date(2025, 8, 1)),
        (1, date(2025, 8, 1)),
        (8, date(2025, 8, 1)),  # turns one in August: a place from August
        (9, date(2025, 9, 1)),  # September-November: from the month the child turns one
        (11, date(2025, 11, 1)),
        (12, date(2026, 8, 1)),  # December: the August after
    ],
)
def test_barnehage_start_by_barnehageloven_16(month: int | None, expected: date) -> None:
    assert barnehage_start(2024, month) == expected
    assert by_kind(transitions_for(2024, month, None))["barnehage_start"].due == expected


def test_barnehage_to_school_meeting_and_sfo_end_follow_the_school_track() -> None:
    # Skaun: «Koordinator arrangerer overgangsmøter eks. fra bhg til skole».
    items = by_kind(transitions_for(2020, 5, "barnehage"))
    assert "barnehage_start" not in items  # already in barnehage
    assert items["barnehage_skole"].due == date(2025, 11, 1)
    assert items["barnehage_skole"].due < items["skolestart"].due
    # SFO for children with special needs runs to 7th grade (opplæringslova § 4-5).
    assert items["sfo_slutt"].due == date(2033, 6, 20)
    late = by_kind(transitions_for(2020, 5, "barnehage", school_shift_years=1))
    assert late["barnehage_skole"].due == date(2026, 11, 1)
    assert late["sfo_slutt"].due == date(2034, 6, 20)
    pupil = by_kind(transitions_for(2014, 5, "ungdomsskole"))
    assert not {"barnehage_skole", "sfo_slutt"} & pupil.keys()


def test_the_transition_at_18_is_a_checklist_of_its_own_deadlines() -> None:
    # Vestre Toten 10: vergemål, NAV, adult services; the right to a barnekoordinator
    # ends at 18 (Vestre Toten 5: «opptil 18 år»).
    items = by_kind(transitions_for(2010, 3, None, role="barnekoordinator"))
    eighteen = items["fyller_18"].due
    for kind in ADULTHOOD_CHECKLIST:
        assert items[kind].due < eighteen
        assert not items[kind].school_bound
    assert items["fyller_18_vergemal"].due == date(2027, 9, 1)
    assert items["fyller_18_koordinator"].due == date(2027, 12, 1)
    # Only a barnekoordinator hands over to a koordinator at 18.
    other = by_kind(transitions_for(2010, 3, None, role="koordinator"))
    assert "fyller_18_koordinator" not in other
    assert set(ADULTHOOD_CHECKLIST) - {"fyller_18_koordinator"} <= other.keys()


@given(birth_years, birth_months, st.dates(min_value=date(1990, 1, 1)))
def test_checklist_at_18_is_gone_once_the_person_is_an_adult(
    year: int, month: int | None, today: date
) -> None:
    items = transitions_for(year, month, None, today=today)
    if today > date(year + 18, month or 1, 1) + timedelta(days=RECENT_PAST_DAYS):
        assert not {t.kind for t in items} & set(ADULTHOOD_CHECKLIST)
