"""Age from birth month and year (we never store a full birth date).

With only a month (or only a year) known, a person's age on a given day is a range.
Which end to use depends on what the age decides:
- a rule about **rights** (who consents, whether the person is a child) uses the
  **lowest** possible age (`lowest_age_on`): the bot must never tell a koordinator that
  a 15-year-old «har fylt 16 år og samtykker selv» (Vestre Toten handbook 7.2: «Etter 16
  år er det ungdommen selv som samtykker»), so it only says so once it is certain;
- statistics count the age reached this year (`age_on`, the highest possible age), as
  the KE's yearly figures do.
"""

from __future__ import annotations

import calendar
from datetime import date

MAX_AGE_YEARS = 100


def age_on(birth_year: int | None, birth_month: int | None, today: date) -> int | None:
    """The highest possible completed years on `today`: born on day 1 of the month, or
    1 January when the month is unknown (the age reached this year). For statistics."""
    if birth_year is None:
        return None
    age = today.year - birth_year
    if birth_month is not None and today.month < birth_month:
        age -= 1
    return max(age, 0)


def lowest_age_on(birth_year: int | None, birth_month: int | None, today: date) -> int | None:
    """The lowest possible completed years on `today`: born on the last day of the month,
    or 31 December when the month is unknown. Every rule about rights uses this."""
    if birth_year is None:
        return None
    month = birth_month or 12
    last_day = calendar.monthrange(birth_year, month)[1]
    age = today.year - birth_year
    if (today.month, today.day) < (month, last_day):
        age -= 1
    return max(age, 0)


def age_range(
    birth_year: int | None, birth_month: int | None, today: date
) -> tuple[int, int] | None:
    """(lowest, highest) possible completed years on `today`; None without a birth year."""
    low = lowest_age_on(birth_year, birth_month, today)
    high = age_on(birth_year, birth_month, today)
    if low is None or high is None:
        return None
    return low, high


def check_birth(year: int, month: int | None, today: date) -> str | None:
    """None when plausible; else `future` or `too_old`."""
    if (year, month or 1) > (today.year, today.month):
        return "future"
    if year < today.year - MAX_AGE_YEARS or (
        year == today.year - MAX_AGE_YEARS and (month or 1) < today.month
    ):
        return "too_old"
    return None
