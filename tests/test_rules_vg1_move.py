"""A moved Vg1 start carries its application deadlines (issue 13): 1 February and
1 March of the Vg1 year, each moved off a weekend to the next working day (forskrift
til opplæringslova § 6-8), and the county notice in 10th grade."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.rules.transitions import (
    KE_VG1_LEAD_DAYS,
    Transition,
    transitions_for,
    vg1_application_year,
    vg1_deadlines,
    vg1_ke_day,
)
from bot.rules.workdays import is_working_day

birth_years = st.integers(min_value=1990, max_value=2080)
birth_months = st.none() | st.integers(min_value=1, max_value=12)
shifts = st.integers(min_value=-2, max_value=3)
county_notices = st.none() | st.sampled_from([(10, 1), (9, 15), (1, 15)])
vg1_starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))

VG1_KINDS = (
    "vgs_melding_fylket",
    "vgs_soknadsfrist_fortrinnsrett",
    "vgs_soknadsfrist_ordinaer",
    "vgs_start",
)


def vg1_items(items: list[Transition]) -> dict[str, date]:
    return {t.kind: t.due for t in items if t.kind in VG1_KINDS}


def test_a_vg1_start_moved_to_2031_lands_the_applications_on_monday() -> None:
    # 1 February and 1 March 2031 are Saturdays: both due Monday the 3rd.
    moved = vg1_items(transitions_for(2014, 5, None, vg1_start=date(2031, 8, 18)))
    assert moved == {
        "vgs_melding_fylket": date(2030, 10, 1),
        "vgs_soknadsfrist_fortrinnsrett": date(2031, 2, 3),
        "vgs_soknadsfrist_ordinaer": date(2031, 3, 3),
        "vgs_start": date(2031, 8, 18),
    }


def test_a_vg1_start_early_in_the_year_is_applied_for_the_year_before() -> None:
    assert vg1_application_year(date(2031, 1, 6)) == 2030
    assert vg1_application_year(date(2031, 8, 15)) == 2031


@given(birth_years, birth_months, shifts, county_notices)
def test_moving_vg1_to_where_a_shift_puts_it_is_the_shift(year, month, shift, notice) -> None:
    shifted = transitions_for(year, month, None, school_shift_years=shift, county_notice=notice)
    start = next(t.due for t in shifted if t.kind == "vgs_start")
    moved = transitions_for(year, month, None, county_notice=notice, vg1_start=start)
    assert vg1_items(moved) == vg1_items(shifted)


@given(vg1_starts, county_notices)
def test_the_applications_of_a_moved_vg1_follow_section_6_8(start, notice) -> None:
    year = vg1_application_year(start)
    due = {t.kind: t.due for t in vg1_deadlines(year, notice)}
    priority, ordinary = due["vgs_soknadsfrist_fortrinnsrett"], due["vgs_soknadsfrist_ordinaer"]
    for deadline, nominal in ((priority, date(year, 2, 1)), (ordinary, date(year, 3, 1))):
        # On the day itself unless that is a Saturday or Sunday; then the next working day.
        if nominal.weekday() < 5:
            assert deadline == nominal
        else:
            assert nominal < deadline <= nominal + timedelta(days=3)
            assert is_working_day(deadline)
            assert all(
                not is_working_day(nominal + timedelta(days=n))
                for n in range((deadline - nominal).days)
            )
    assert priority < ordinary
    # Applications come before the start (a start in the first days of March aside).
    if start.month != 3:
        assert ordinary < start
    if notice is not None:
        assert due["vgs_melding_fylket"] < ordinary
    else:
        assert "vgs_melding_fylket" not in due


@given(birth_years, birth_months, shifts)
def test_the_ke_takes_up_the_vg1_case_before_its_deadlines(year, month, shift) -> None:
    # skaun-koordinerende-team.txt: «Ved overgang til videregående skole tas saken opp i
    # Koordinerende team og det avtales hvem som skal følge opp saken fra kommunen».
    items = transitions_for(year, month, None, school_shift_years=shift)
    due = vg1_items(items)
    start = due["vgs_start"]
    day = vg1_ke_day(start)
    # With the first reminder of the change of school, and before the county notice
    # (1 October in 10th grade) and both application deadlines.
    assert day == start - timedelta(days=KE_VG1_LEAD_DAYS)
    start_lead = next(t for t in items if t.kind == "vgs_start").lead_days[0]
    assert KE_VG1_LEAD_DAYS == start_lead
    assert day < due["vgs_melding_fylket"] < due["vgs_soknadsfrist_fortrinnsrett"]
