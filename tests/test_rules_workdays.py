"""Working days, reminder days and the delivery instant (Norwegian calendar, Europe/Oslo)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.workdays import (
    add_working_days,
    delivery_instant,
    is_working_day,
    next_working_day,
    previous_working_day,
    public_holidays,
)

OSLO = ZoneInfo("Europe/Oslo")
days_2000_2100 = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2027, 5, 17), "Grunnlovsdag, also Whit Monday in 2027"),
        (date(2027, 3, 25), "Maundy Thursday 2027"),
        (date(2027, 3, 26), "Good Friday 2027"),
        (date(2027, 3, 29), "Easter Monday 2027"),
        (date(2027, 5, 6), "Ascension Day 2027"),
        (date(2026, 5, 14), "Ascension Day 2026"),
        (date(2026, 5, 25), "Whit Monday 2026"),
        (date(2026, 5, 1), "1 May"),
        (date(2026, 1, 1), "New Year's Day"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2028, 12, 26), "Boxing Day on a Tuesday"),
        (date(2026, 3, 7), "a Saturday"),
        (date(2026, 3, 8), "a Sunday"),
    ],
)
def test_not_working_days(day: date, why: str) -> None:
    assert not is_working_day(day), why


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 12, 24),  # Christmas Eve is not a public holiday
        date(2026, 12, 31),
        date(2027, 5, 18),
        date(2026, 3, 9),
        date(2026, 2, 2),
    ],
)
def test_working_days(day: date) -> None:
    assert is_working_day(day)


def test_public_holidays_are_the_twelve_named_days_not_every_sunday() -> None:
    holidays_2026 = public_holidays(2026)
    assert len(holidays_2026) == 12
    assert date(2026, 4, 5) in holidays_2026  # Easter Sunday is a named holiday
    assert date(2026, 1, 4) not in holidays_2026  # an ordinary Sunday is not


def test_easter_2026_previous_and_next_working_day() -> None:
    # Maundy Thursday 2 April to Easter Monday 6 April are all off.
    assert previous_working_day(date(2026, 4, 6)) == date(2026, 4, 1)
    assert next_working_day(date(2026, 4, 2)) == date(2026, 4, 7)
    assert previous_working_day(date(2026, 4, 1)) == date(2026, 4, 1)


def test_previous_working_day_moves_back_from_weekends_and_holidays() -> None:
    assert previous_working_day(date(2026, 2, 1)) == date(2026, 1, 30)  # Sunday -> Friday
    assert previous_working_day(date(2026, 12, 25)) == date(2026, 12, 24)
    assert previous_working_day(date(2027, 5, 17)) == date(2027, 5, 14)  # Whit Monday, 17 May
    assert previous_working_day(date(2026, 3, 9)) == date(2026, 3, 9)


def test_add_working_days() -> None:
    assert add_working_days(date(2026, 3, 6), 2) == date(2026, 3, 10)  # Fri + 2 = Tue
    assert add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)  # Sat + 1 = Mon
    assert add_working_days(date(2026, 4, 1), 1) == date(2026, 4, 7)  # across Easter
    assert add_working_days(date(2026, 4, 7), -1) == date(2026, 4, 1)
    assert add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)


def test_delivery_instant_winter_and_summer() -> None:
    assert delivery_instant(date(2026, 1, 15)) == date_time_utc(2026, 1, 15, 7)
    assert delivery_instant(date(2026, 7, 15)) == date_time_utc(2026, 7, 15, 6)
    # The DST change days themselves (29 March and 25 October 2026).
    assert delivery_instant(date(2026, 3, 29)) == date_time_utc(2026, 3, 29, 6)
    assert delivery_instant(date(2026, 10, 25)) == date_time_utc(2026, 10, 25, 7)
    assert delivery_instant(date(2026, 3, 6), hour=14, minute=30) == date_time_utc(
        2026, 3, 6, 13, 30
    )


def date_time_utc(y: int, m: int, d: int, hour: int, minute: int = 0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=UTC)


@given(days_2000_2100)
def test_previous_working_day_is_the_closest_working_day_not_after(due: date) -> None:
    sent = previous_working_day(due)
    assert is_working_day(sent)
    assert sent <= due
    assert due - sent < timedelta(days=7)
    assert all(
        not is_working_day(sent + timedelta(days=i)) for i in range(1, (due - sent).days + 1)
    )


@given(days_2000_2100)
def test_next_working_day_is_working_and_not_before(d: date) -> None:
    nxt = next_working_day(d)
    assert is_working_day(nxt)
    assert d <= nxt < d + timedelta(days=7)


@given(days_2000_2100, st.integers(min_value=-60, max_value=60))
def test_add_working_days_round_trips_from_a_working_day(d: date, n: int) -> None:
    start = next_working_day(d)
    moved = add_working_days(start, n)
    assert is_working_day(moved) or n == 0
    assert add_working_days(moved, -n) == start


@given(days_2000_2100)
def test_delivery_instant_is_eight_in_oslo_and_round_trips(day: date) -> None:
    instant = delivery_instant(day)
    assert instant.tzinfo is UTC
    local = instant.astimezone(OSLO)
    assert (local.date(), local.hour, local.minute) == (day, 8, 0)
    assert local.utcoffset() in (timedelta(hours=1), timedelta(hours=2))
    assert delivery_instant(local.date(), local.hour, local.minute) == instant
