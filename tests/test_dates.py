"""Dates, birth months and meeting times as Norwegians type them.

Today is Wednesday 3 March 2027 unless a test says otherwise.
"""

from __future__ import annotations

import time as clock
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules.dates import (
    MAX_INPUT_CHARS,
    DateError,
    parse_date,
    parse_datetime,
    parse_month_year,
    parse_time,
)
from messages import Texts, format_short_date

OSLO = ZoneInfo("Europe/Oslo")
TODAY = date(2027, 3, 3)  # a Wednesday
NOW = datetime(2027, 3, 3, 12, 0, tzinfo=OSLO)
PROPERTY = settings(max_examples=150, deadline=None)

any_date = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
any_today = st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 12, 31))
any_time = st.times().map(lambda t: t.replace(second=0, microsecond=0))
# Characters dates are made of, so generated text gets past the first checks.
date_alphabet = st.sampled_from([*"0123456789 ./-:,kl", "mars", "om ", "dager", "fre"])
date_like_text = st.lists(date_alphabet, max_size=20).map("".join)


# ------------------------------------------------------------------- parse_date

DATE_FORMS = {
    "05.03.2027": date(2027, 3, 5),
    "5.3.2027": date(2027, 3, 5),
    "5.3.27": date(2027, 3, 5),
    "5/3/2027": date(2027, 3, 5),
    "5-3-2027": date(2027, 3, 5),
    "5. 3. 2027": date(2027, 3, 5),
    "2027-03-05": date(2027, 3, 5),
    "5.3": date(2027, 3, 5),
    "05.03": date(2027, 3, 5),
    "5/3": date(2027, 3, 5),
    "3.3": date(2027, 3, 3),  # today itself
    "2.3": date(2028, 3, 2),  # already past this year
    "29.2": date(2028, 2, 29),
    "5. mars 2027": date(2027, 3, 5),
    "5 mars 2027": date(2027, 3, 5),
    "5.mars 2027": date(2027, 3, 5),
    "5. mar 2027": date(2027, 3, 5),
    "5. mar. 2027": date(2027, 3, 5),
    "5. MARS 2027": date(2027, 3, 5),
    "5 mars": date(2027, 3, 5),
    "1. januar": date(2028, 1, 1),
    "17. mai": date(2027, 5, 17),
    "24. des": date(2027, 12, 24),
    "1. sept 2027": date(2027, 9, 1),
    "5. mars 27": date(2027, 3, 5),
    "den 5. mars": date(2027, 3, 5),
    "i dag": date(2027, 3, 3),
    "idag": date(2027, 3, 3),
    "I dag!": date(2027, 3, 3),
    "i morgen": date(2027, 3, 4),
    "imorgen": date(2027, 3, 4),
    "i overmorgen": date(2027, 3, 5),
    "i går": date(2027, 3, 2),
    "om 3 dager": date(2027, 3, 6),
    "om 1 dag": date(2027, 3, 4),
    "om 2 uker": date(2027, 3, 17),
    "om en uke": date(2027, 3, 10),
    "om 6 måneder": date(2027, 9, 3),
    "om 6 mnd": date(2027, 9, 3),
    "om ett år": date(2028, 3, 3),
    "om tre uker": date(2027, 3, 24),
    "for 2 uker siden": date(2027, 2, 17),
    "fredag": date(2027, 3, 5),
    "på fredag": date(2027, 3, 5),
    "neste fredag": date(2027, 3, 5),
    "Fredag.": date(2027, 3, 5),
    "fre": date(2027, 3, 5),
    "onsdag": date(2027, 3, 10),  # today is Wednesday: the next one
    "tirsdag": date(2027, 3, 9),
    "søndag": date(2027, 3, 7),
    "fredag 5. mars": date(2027, 3, 5),
    "fredag, 5.3.2027": date(2027, 3, 5),
    "fre den 5.3": date(2027, 3, 5),
    "  05.03.2027  ": date(2027, 3, 5),
    "05.03.2027.": date(2027, 3, 5),
}


@pytest.mark.parametrize(("typed", "expected"), DATE_FORMS.items(), ids=DATE_FORMS)
def test_koordinator_types_a_date(typed: str, expected: date) -> None:
    result = parse_date(typed, TODAY)
    assert result.ok
    assert result.value == expected
    assert result.error is None


def test_one_month_later_from_the_31st_is_the_last_day_of_the_month() -> None:
    assert parse_date("om 1 måned", date(2027, 1, 31)).value == date(2027, 2, 28)


def test_a_date_without_year_on_leap_day_waits_for_the_next_leap_year() -> None:
    assert parse_date("29.02", date(2097, 3, 1)).value == date(2104, 2, 29)  # 2100 is no leap


DATE_ERRORS = {
    "": DateError.EMPTY,
    "   ": DateError.EMPTY,
    "...": DateError.EMPTY,
    "hei": DateError.UNRECOGNISED,
    "neste uke": DateError.UNRECOGNISED,
    "5": DateError.UNRECOGNISED,
    "5.3.202": DateError.UNRECOGNISED,
    "5.3/2027": DateError.UNRECOGNISED,
    "om tre": DateError.UNRECOGNISED,
    "om 3 timer": DateError.UNRECOGNISED,
    "3 dager siden": DateError.UNRECOGNISED,
    "1" * (MAX_INPUT_CHARS + 1): DateError.UNRECOGNISED,
    "31.02.2027": DateError.IMPOSSIBLE_DATE,
    "29.02.2027": DateError.IMPOSSIBLE_DATE,
    "32.1.2027": DateError.IMPOSSIBLE_DATE,
    "5.13.2027": DateError.IMPOSSIBLE_DATE,
    "0.3.2027": DateError.IMPOSSIBLE_DATE,
    "31.4": DateError.IMPOSSIBLE_DATE,
    "30. februar": DateError.IMPOSSIBLE_DATE,
    "2027-02-30": DateError.IMPOSSIBLE_DATE,
    "lørdag 5.3.2027": DateError.WEEKDAY_MISMATCH,
    "om 99999 år": DateError.TOO_FAR,
    "om 999999 uker": DateError.TOO_FAR,
}


@pytest.mark.parametrize(("typed", "error"), DATE_ERRORS.items(), ids=list(DATE_ERRORS))
def test_a_date_that_cannot_be_read_gets_an_error_code(typed: str, error: DateError) -> None:
    result = parse_date(typed, TODAY)
    assert not result.ok
    assert result.value is None
    assert result.error == error


def test_error_codes_are_plain_strings_for_the_templates() -> None:
    assert parse_date("31.02.2027", TODAY).error == "impossible_date"
    assert {e.value for e in DateError} == {
        "empty", "unrecognised", "impossible_date", "impossible_time", "weekday_mismatch",
        "time_missing", "date_missing", "month_missing", "year_missing", "too_far",
    }  # fmt: skip


def test_ten_thousand_characters_of_garbage_are_refused_quickly() -> None:
    garbage = "ø5.3\u200b𝟘" * 2500
    started = clock.perf_counter()
    assert parse_date(garbage, TODAY).error == DateError.UNRECOGNISED
    assert parse_month_year(garbage, TODAY).error == DateError.UNRECOGNISED
    assert parse_datetime(garbage, NOW).error == DateError.UNRECOGNISED
    assert clock.perf_counter() - started < 0.1


def test_non_ascii_digits_are_not_read_as_numbers() -> None:
    assert parse_date("５.３.２０２７", TODAY).error == DateError.UNRECOGNISED


# ------------------------------------------------------------- parse_month_year

MONTH_YEAR_FORMS = {
    "03.2016": (2016, 3),
    "3.2016": (2016, 3),
    "3/2016": (2016, 3),
    "03-2016": (2016, 3),
    "2016-03": (2016, 3),
    "mars 2016": (2016, 3),
    "Mars 2016.": (2016, 3),
    "mar 2016": (2016, 3),
    "mar. 2016": (2016, 3),
    "desember 1999": (1999, 12),
    "03.16": (2016, 3),  # two digits: the latest such year not after today
    "03.95": (1995, 3),
    "mars 27": (2027, 3),
    "05.03.2016": (2016, 3),  # a full birth date: the day is dropped
    "5. mars 2016": (2016, 3),
    "2016-03-05": (2016, 3),
}


@pytest.mark.parametrize(("typed", "expected"), MONTH_YEAR_FORMS.items(), ids=MONTH_YEAR_FORMS)
def test_koordinator_types_a_birth_month_and_year(typed: str, expected: tuple[int, int]) -> None:
    result = parse_month_year(typed, TODAY)
    assert result.ok
    assert (result.year, result.month) == expected


MONTH_YEAR_ERRORS = {
    "": DateError.EMPTY,
    "2016": DateError.MONTH_MISSING,
    "mars": DateError.YEAR_MISSING,
    "13.2016": DateError.IMPOSSIBLE_DATE,
    "0.2016": DateError.IMPOSSIBLE_DATE,
    "31.02.2016": DateError.IMPOSSIBLE_DATE,
    "i fjor": DateError.UNRECOGNISED,
    "032016": DateError.UNRECOGNISED,
}


@pytest.mark.parametrize(("typed", "error"), MONTH_YEAR_ERRORS.items(), ids=list(MONTH_YEAR_ERRORS))
def test_a_birth_month_that_cannot_be_read_gets_an_error_code(typed: str, error: DateError) -> None:
    result = parse_month_year(typed, TODAY)
    assert (result.year, result.month, result.error) == (None, None, error)


# -------------------------------------------------------- parse_datetime and time

DATETIME_FORMS = {
    "fredag kl 10": datetime(2027, 3, 5, 10, 0, tzinfo=OSLO),
    "fredag kl. 10": datetime(2027, 3, 5, 10, 0, tzinfo=OSLO),
    "fredag, kl. 10:00": datetime(2027, 3, 5, 10, 0, tzinfo=OSLO),
    "5.3.2027 kl. 14:30": datetime(2027, 3, 5, 14, 30, tzinfo=OSLO),
    "05.03.2027 14.30": datetime(2027, 3, 5, 14, 30, tzinfo=OSLO),
    "05.03.2027 14:30": datetime(2027, 3, 5, 14, 30, tzinfo=OSLO),
    "i morgen kl 9": datetime(2027, 3, 4, 9, 0, tzinfo=OSLO),
    "i morgen klokka 9": datetime(2027, 3, 4, 9, 0, tzinfo=OSLO),
    "imorgen kl9": datetime(2027, 3, 4, 9, 0, tzinfo=OSLO),
    "5. mars kl 13": datetime(2027, 3, 5, 13, 0, tzinfo=OSLO),
    "5.3 14.30": datetime(2027, 3, 5, 14, 30, tzinfo=OSLO),
    "fredag 10.30": datetime(2027, 3, 5, 10, 30, tzinfo=OSLO),
    "kl 10 på fredag": datetime(2027, 3, 5, 10, 0, tzinfo=OSLO),
    "10:00 i morgen": datetime(2027, 3, 4, 10, 0, tzinfo=OSLO),
    "I DAG KL 23:59": datetime(2027, 3, 3, 23, 59, tzinfo=OSLO),
}


@pytest.mark.parametrize(("typed", "expected"), DATETIME_FORMS.items(), ids=DATETIME_FORMS)
def test_koordinator_types_a_meeting_time(typed: str, expected: datetime) -> None:
    result = parse_datetime(typed, NOW)
    assert result.ok
    assert result.value == expected
    assert result.value is not None and result.value.tzinfo is OSLO


def test_a_date_without_time_keeps_the_date_so_the_bot_asks_only_for_the_time() -> None:
    for typed in ("fredag", "5.3.2027", "fredag kl.", "05.03", "fredag 05.03"):
        result = parse_datetime(typed, NOW)
        assert (result.error, result.day) == (DateError.TIME_MISSING, date(2027, 3, 5)), typed
        assert parse_time("kl 10").value == time(10, 0)


def test_a_time_without_date_keeps_the_time() -> None:
    for typed in ("kl 10", "10:00", "10.00"):
        result = parse_datetime(typed, NOW)
        assert (result.error, result.clock) == (DateError.DATE_MISSING, time(10, 0)), typed


DATETIME_ERRORS = {
    "": DateError.EMPTY,
    "snart": DateError.UNRECOGNISED,
    "i morgen kl 25": DateError.IMPOSSIBLE_TIME,
    "i morgen 10:75": DateError.IMPOSSIBLE_TIME,
    "i morgen kl 24": DateError.IMPOSSIBLE_TIME,
    "31.02.2027 kl 10": DateError.IMPOSSIBLE_DATE,
    "lørdag 5.3.2027 kl 10": DateError.WEEKDAY_MISMATCH,
}


@pytest.mark.parametrize(("typed", "error"), DATETIME_ERRORS.items(), ids=list(DATETIME_ERRORS))
def test_a_meeting_time_that_cannot_be_read_gets_an_error_code(
    typed: str, error: DateError
) -> None:
    result = parse_datetime(typed, NOW)
    assert (result.value, result.error) == (None, error)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("kl 10", time(10)), ("kl. 14:30", time(14, 30)), ("10.15", time(10, 15)), ("9", time(9))],
)
def test_koordinator_answers_with_a_time_alone(typed: str, expected: time) -> None:
    assert parse_time(typed).value == expected


@pytest.mark.parametrize(
    ("typed", "error"),
    [("", DateError.EMPTY), ("25", DateError.IMPOSSIBLE_TIME), ("snart", DateError.UNRECOGNISED)],
)
def test_a_time_alone_that_cannot_be_read(typed: str, error: DateError) -> None:
    assert parse_time(typed).error == error


def test_relative_words_count_from_now_in_oslo_not_from_utc() -> None:
    just_after_midnight = datetime(2027, 3, 4, 0, 30, tzinfo=OSLO)  # still 3 March in UTC
    result = parse_datetime("i morgen kl 9", just_after_midnight)
    assert result.value == datetime(2027, 3, 5, 9, 0, tzinfo=OSLO)


# ----------------------------------------------------------------------- format
# What the bot writes (the template filters `dato`, `langdato`, `maaned` and the
# `%H:%M` of meeting times) must read back through the parsers.

TEXTS = Texts()
format_short = format_short_date
format_long = TEXTS.long_date
format_month_year = TEXTS.month_year


def format_time(at: time) -> str:
    return at.strftime("%H:%M")


@pytest.mark.parametrize(
    ("day", "short", "long"),
    [
        (date(2027, 3, 5), "05.03.2027", "5. mars 2027"),
        (date(2027, 5, 17), "17.05.2027", "17. mai 2027"),
        (date(2027, 1, 1), "01.01.2027", "1. januar 2027"),
        (date(2027, 12, 24), "24.12.2027", "24. desember 2027"),
    ],
)
def test_dates_are_written_the_norwegian_way(day: date, short: str, long: str) -> None:
    assert format_short(day) == short
    assert format_long(day) == long


def test_month_year_and_time_are_written_the_norwegian_way() -> None:
    assert format_month_year(2016, 3) == "mars 2016"
    assert format_month_year(2016, 5) == "mai 2016"
    assert format_time(time(14, 30)) == "14:30"
    assert format_time(time(9, 5)) == "09:05"


# ------------------------------------------------------------------- properties


@PROPERTY
@given(any_date)
def test_every_short_date_reads_back(day: date) -> None:
    assert parse_date(format_short(day), TODAY).value == day


@PROPERTY
@given(any_date)
def test_every_long_date_reads_back(day: date) -> None:
    assert parse_date(format_long(day), TODAY).value == day


@PROPERTY
@given(st.integers(1900, 2200), st.integers(1, 12))
def test_every_month_year_reads_back(year: int, month: int) -> None:
    result = parse_month_year(format_month_year(year, month), TODAY)
    assert (result.year, result.month) == (year, month)


@PROPERTY
@given(any_date, any_time)
def test_every_written_meeting_time_reads_back(day: date, at: time) -> None:
    expected = datetime.combine(day, at, tzinfo=OSLO)
    at_text = format_time(at)
    for typed in (f"{format_short(day)} kl {at_text}", f"{format_long(day)} {at_text}"):
        assert parse_datetime(typed, NOW).value == expected


@PROPERTY
@given(any_today, st.integers(1, 31), st.integers(1, 12), st.sampled_from([".", "/"]))
def test_a_day_without_year_is_never_before_today(
    today: date, day: int, month: int, separator: str
) -> None:
    result = parse_date(f"{day}{separator}{month}", today)
    if result.value is None:
        assert result.error == DateError.IMPOSSIBLE_DATE
        with pytest.raises(ValueError):
            date(2024, month, day)  # not even in a leap year
    else:
        assert today <= result.value < today + timedelta(days=8 * 366 + 1)
        assert (result.value.day, result.value.month) == (day, month)


WEEKDAYS = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]


@PROPERTY
@given(any_today, st.sampled_from(WEEKDAYS))
def test_a_weekday_is_within_the_next_seven_days(today: date, name: str) -> None:
    result = parse_date(name, today)
    assert result.value is not None
    assert 1 <= (result.value - today).days <= 7
    assert parse_date(f"neste {name}", today) == result
    assert parse_date(f"{name} {format_short(result.value)}", today) == result


@PROPERTY
@given(any_today, st.integers(0, 5000))
def test_in_n_days_is_today_plus_n(today: date, days: int) -> None:
    assert parse_date(f"om {days} dager", today).value == today + timedelta(days=days)


@PROPERTY
@given(st.text())
def test_any_text_is_answered_without_raising(text: str) -> None:
    assert isinstance(parse_date(text, TODAY).error, DateError | None)
    assert isinstance(parse_month_year(text, TODAY).error, DateError | None)
    assert isinstance(parse_datetime(text, NOW).error, DateError | None)
    assert isinstance(parse_time(text).error, DateError | None)


@PROPERTY
@given(date_like_text, any_today)
def test_date_like_text_is_answered_without_raising(text: str, today: date) -> None:
    now = datetime.combine(today, time(12), tzinfo=OSLO)
    results = (parse_date(text, today), parse_month_year(text, today), parse_datetime(text, now))
    for result in results:
        assert result.ok == (result.error is None)
    if (value := parse_datetime(text, now).value) is not None:
        assert value.tzinfo is OSLO


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([date.min, date(1, 1, 2), date(9999, 12, 30), date.max]), date_like_text)
def test_the_ends_of_the_calendar_do_not_break_anything(today: date, text: str) -> None:
    for typed in (text, "om 3 dager", "fredag", "29.2", "for 3 år siden", "om 1 år"):
        parse_date(typed, today)
        parse_month_year(typed, today)
        parse_datetime(typed, datetime.combine(today, time(12), tzinfo=OSLO))
