"""Age from birth month and year (we never store a full birth date)."""

from __future__ import annotations

from datetime import date

MAX_AGE_YEARS = 100


def age_on(birth_year: int | None, birth_month: int | None, today: date) -> int | None:
    """Completed years on `today`; with an unknown month, the age reached this year."""
    if birth_year is None:
        return None
    age = today.year - birth_year
    if birth_month is not None and today.month < birth_month:
        age -= 1
    return max(age, 0)


def check_birth(year: int, month: int | None, today: date) -> str | None:
    """None when plausible; else `future` or `too_old`."""
    if (year, month or 1) > (today.year, today.month):
        return "future"
    if year < today.year - MAX_AGE_YEARS or (
        year == today.year - MAX_AGE_YEARS and (month or 1) < today.month
    ):
        return "too_old"
    return None
