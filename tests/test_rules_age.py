"""Age from birth month and year: rights use the lowest possible age (issue 13)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.rules.age import age_on, age_range, lowest_age_on

birth_years = st.integers(min_value=1930, max_value=2030)
birth_months = st.none() | st.integers(min_value=1, max_value=12)
days = st.dates(min_value=date(1930, 1, 1), max_value=date(2035, 12, 31))


def test_a_15_year_old_with_unknown_month_is_not_told_they_consent_themselves() -> None:
    # Vestre Toten 7.2: «Etter 16 år er det ungdommen selv som samtykker». Born in 2010,
    # month unknown: on 24 November 2026 the youth may still be 15.
    today = date(2026, 11, 24)
    assert lowest_age_on(2010, None, today) == 15
    assert age_on(2010, None, today) == 16  # the age reached this year (statistics)
    assert age_range(2010, None, today) == (15, 16)
    assert lowest_age_on(2010, None, date(2026, 12, 31)) == 16


def test_a_known_month_is_certain_only_after_the_month() -> None:
    assert lowest_age_on(2010, 3, date(2026, 3, 15)) == 15
    assert lowest_age_on(2010, 3, date(2026, 3, 31)) == 16
    assert lowest_age_on(2010, 3, date(2026, 4, 1)) == 16
    # Born in February 2008, possibly on the 29th: certainly 18 only from 1 March 2026.
    assert lowest_age_on(2008, 2, date(2026, 2, 28)) == 17
    assert lowest_age_on(2008, 2, date(2026, 3, 1)) == 18
    assert lowest_age_on(None, 3, date(2026, 4, 1)) is None


@given(birth_years, birth_months, days)
def test_the_lowest_age_is_never_above_the_true_age_of_any_possible_birthday(
    year: int, month: int | None, today: date
) -> None:
    low = lowest_age_on(year, month, today)
    high = age_on(year, month, today)
    assert low is not None and high is not None
    assert 0 <= low <= high <= low + 1
    # Every birth day the facts allow gives an age inside [low, high], and low is one
    # of them (the last possible day) unless the person is not born yet.
    months = [month] if month else list(range(1, 13))
    possible = []
    for m in months:
        first = date(year, m, 1)
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        for born in (first, last):
            if born <= today:
                years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
                possible.append(years)
    if possible:
        assert min(possible) >= low
        assert max(possible) <= high
