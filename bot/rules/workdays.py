"""Norwegian working days and the instant a reminder is delivered.

A working day is Monday to Friday and not a Norwegian public holiday
(helligdag or 1 and 17 May). Christmas Eve and New Year's Eve are ordinary
working days here: they are not public holidays, even if many offices close early.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

DEFAULT_TZ = "Europe/Oslo"
DEFAULT_HOUR = 8

_SATURDAY = 5
_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=256)
def _public_holidays(year: int) -> frozenset[date]:
    # The NO calendar can count every Sunday as a holiday ("include_sundays"); the
    # default was True in older releases of `holidays`, so ask for False explicitly.
    # Sundays are excluded as weekend days anyway; this keeps the set to real holidays.
    calendar = holidays.country_holidays("NO", years=year, include_sundays=False)
    return frozenset(calendar.keys())


def public_holidays(year: int) -> frozenset[date]:
    """The Norwegian public holidays of `year` (weekdays and weekends alike, no plain Sundays)."""
    return _public_holidays(year)


def is_working_day(d: date) -> bool:
    """True when `d` is Monday to Friday and not a Norwegian public holiday."""
    return d.weekday() < _SATURDAY and d not in _public_holidays(d.year)


def previous_working_day(d: date) -> date:
    """`d` itself when it is a working day, else the closest working day before it."""
    while not is_working_day(d):
        d -= _ONE_DAY
    return d


def next_working_day(d: date) -> date:
    """`d` itself when it is a working day, else the closest working day after it."""
    while not is_working_day(d):
        d += _ONE_DAY
    return d


def add_working_days(d: date, n: int) -> date:
    """The date `n` working days after `d` (before it when `n` is negative).

    Counting starts on the day after `d`, so `d` itself need not be a working day:
    Friday + 2 is Tuesday, Saturday + 1 is Monday. `n == 0` returns `d` unchanged.
    """
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    remaining = abs(n)
    while remaining:
        d += step
        if is_working_day(d):
            remaining -= 1
    return d


def delivery_instant(
    day: date, hour: int = DEFAULT_HOUR, minute: int = 0, tz: str = DEFAULT_TZ
) -> datetime:
    """The aware UTC instant of local wall-clock `hour:minute` on `day` in `tz`.

    The local hour stays the same across daylight-saving changes (08:00 is 07:00 UTC
    in winter and 06:00 UTC in summer). A wall time that does not exist (inside the
    spring-forward gap) resolves with the offset before the change, i.e. one hour later
    on the local clock.
    """
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(tz))
    return local.astimezone(UTC)


def day_concern(day: date, today: date) -> str | None:
    """Why a day chosen for work to be done may be a slip: `past`, `saturday`,
    `sunday`, `holiday` (a public holiday on a weekday), or None for a working day
    from today on. The koordinator is asked, not refused: some things do happen then."""
    if day < today:
        return "past"
    if day.weekday() == _SATURDAY:
        return "saturday"
    if day.weekday() == _SATURDAY + 1:
        return "sunday"
    if day in _public_holidays(day.year):
        return "holiday"
    return None


def first_working_day_of(year: int, month: int) -> date:
    """The first working day of a month (a month and year typed for a date)."""
    return next_working_day(date(year, month, 1))
