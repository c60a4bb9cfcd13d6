"""Issue 13: which typed days are asked about, and the days the bot suggests itself.
A past day, a weekend or a public holiday is questioned; a suggestion button and a
month typed for a date («august 2033») always land on a working day."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversations.definitions import DEFAULT_DIR, FORMS_DIR, load_all
from bot.conversations.kinds import QUICK_DATES, Date, Moment, quick_date
from bot.rules.workdays import day_concern, first_working_day_of, is_working_day
from messages import Texts

PROPERTY = settings(max_examples=300, deadline=None)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


def test_the_named_cases() -> None:
    today = date(2026, 11, 24)
    assert day_concern(date(2026, 11, 23), today) == "past"
    assert day_concern(date(2026, 12, 5), today) == "saturday"
    assert day_concern(date(2026, 12, 6), today) == "sunday"
    assert day_concern(date(2026, 12, 25), today) == "holiday"  # første juledag, a Friday
    assert day_concern(date(2027, 5, 17), today) == "holiday"  # a Monday
    assert day_concern(date(2026, 12, 24), today) is None  # julaften is a working day
    assert day_concern(today, today) is None


@PROPERTY
@given(day=days, today=days)
def test_a_day_is_asked_about_exactly_when_it_is_past_or_no_working_day(
    day: date, today: date
) -> None:
    concern = day_concern(day, today)
    assert (concern is None) == (day >= today and is_working_day(day))
    if concern in ("saturday", "sunday"):
        assert day.weekday() == {"saturday": 5, "sunday": 6}[concern]


@PROPERTY
@given(year=st.integers(2000, 2090), month=st.integers(1, 12))
def test_a_month_means_its_first_working_day(year: int, month: int) -> None:
    first = first_working_day_of(year, month)
    assert (first.year, first.month) == (year, month)
    assert is_working_day(first)
    assert not any(is_working_day(date(year, month, d)) for d in range(1, first.day))


@PROPERTY
@given(today=days, key=st.sampled_from(sorted(QUICK_DATES)))
def test_a_quick_date_button_never_lands_on_a_weekend_or_holiday(today: date, key: str) -> None:
    day = quick_date(key, today)
    assert is_working_day(day)
    assert timedelta(0) <= day - (today + QUICK_DATES[key]) <= timedelta(days=6)


_DATE_STEPS = [
    step
    for q in load_all(DEFAULT_DIR).values()
    for step in q
    if step.kind == "date" and (step.default or step.deadline == "evaluering")
]


@PROPERTY
@given(today=days, months=st.integers(1, 24), index=st.integers(0, 100))
def test_a_suggested_day_is_a_working_day(today: date, months: int, index: int) -> None:
    step = _DATE_STEPS[index % len(_DATE_STEPS)]
    moment = Moment(today=today, now=None, evaluation_months=months)  # type: ignore[arg-type]
    suggestion = Date().suggestion(step, moment)
    assert suggestion is not None and is_working_day(suggestion)


def test_the_steps_that_ask_about_odd_days() -> None:
    # A new tiltak date and the next evaluation (the questionnaires), a new deadline
    # and a moved one (the forms).
    texts = Texts()
    forms = load_all(FORMS_DIR, env=texts.env, labels=texts.labels)
    dialogues = {**load_all(DEFAULT_DIR), **forms}
    asked = {s.id for q in dialogues.values() for s in q if s.kind == "date" and s.check_day}
    assert {"tiltak_frist", "neste_evaluering", "new_deadline_date", "move_date"} <= asked
    months = {s.id for q in dialogues.values() for s in q if s.kind == "date" and s.month}
    assert months == {"move_date"}
