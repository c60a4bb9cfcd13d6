"""A fødselsnummer typed anywhere is spotted, and nothing else is (SPEC 3.2)."""

from __future__ import annotations

import time
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules.fnr import check_digits, find_fnr, is_valid_fnr

PROPERTY = settings(max_examples=150, deadline=None)


def complete(first_nine: str) -> str | None:
    """Written out independently of the module: the mod-11 rule as the registry states it."""
    digits = [int(c) for c in first_nine]
    k1 = 11 - sum(d * w for d, w in zip(digits, [3, 7, 6, 1, 8, 9, 4, 5, 2], strict=True)) % 11
    k1 = 0 if k1 == 11 else k1
    if k1 == 10:
        return None
    digits.append(k1)
    k2 = 11 - sum(d * w for d, w in zip(digits, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2], strict=True)) % 11
    k2 = 0 if k2 == 11 else k2
    if k2 == 10:
        return None
    return first_nine + f"{k1}{k2}"


@st.composite
def valid_numbers(draw: st.DrawFn) -> str:
    """Any valid fødselsnummer, D-, H- or Tenor number (some prefixes have none)."""
    born = draw(st.dates(min_value=date(1854, 1, 1), max_value=date(2039, 12, 31)))
    day_offset = draw(st.sampled_from([0, 40]))  # D-number
    month_offset = draw(st.sampled_from([0, 40, 80]))  # H-number, Tenor
    first = draw(st.integers(0, 999))
    # Walk the individual numbers from a drawn start: about one in six has no completion.
    for individual in range(first, first + 1000):
        prefix = (
            f"{born.day + day_offset:02d}{born.month + month_offset:02d}"
            f"{born.year % 100:02d}{individual % 1000:03d}"
        )
        number = complete(prefix)
        if number is not None:
            return number
    raise AssertionError("no individual number completes this date")


# Computed by hand for 150585123: 172 % 11 = 7 -> k1 4; 151 % 11 = 8 -> k2 3.
KNOWN_VALID = {
    "15058512343": "ordinary",
    "31129949980": "last day of a year",
    "29020012380": "29 February in a leap year",
    "45058512366": "D-number (day + 40)",
    "15458512326": "H-number (month + 40)",
    "15858512309": "Tenor synthetic (month + 80)",
}


@pytest.mark.parametrize("number", KNOWN_VALID, ids=KNOWN_VALID.values())
def test_known_numbers_are_valid(number: str) -> None:
    assert is_valid_fnr(number)


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("15058512344", "second check digit wrong"),
        ("15058512353", "first check digit wrong"),
        ("1505851234", "ten digits"),
        ("150585123430", "twelve digits"),
        ("1505851234a", "a letter"),
        ("１５０５８５１２３４３", "full-width digits"),
        ("", "nothing"),
        ("00000000000", "day and month zero"),
        ("32018512345", "day 32"),
    ],
)
def test_invalid_numbers_are_refused(number: str, why: str) -> None:
    assert not is_valid_fnr(number), why


def test_a_number_whose_check_digits_are_fine_but_date_impossible_is_not_an_fnr() -> None:
    # 31 February: no such day, whatever the offsets.
    number = next(n for i in range(1000) if (n := complete(f"310285{i:03d}")) is not None)
    assert not is_valid_fnr(number)


def test_a_prefix_with_check_digit_ten_has_no_valid_completion() -> None:
    assert check_digits("010203123") is None
    assert complete("010203123") is None


@pytest.mark.parametrize(
    "text",
    [
        "Gutten har fnr 15058512343, mor ringer",
        "15058512343",
        "fnr:15058512343.",
        "150585 12343",
        "150585-12343",
        "150585.12343",
        "150585\u00a012343",
        "(150585-12343)",
        "abc15058512343xyz",
    ],
)
def test_koordinator_types_a_number_in_a_note_and_it_is_found(text: str) -> None:
    assert find_fnr(text) == "15058512343"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("kontonummer 1234150585123439", "inside a 16-digit run"),
        ("915058512343", "a digit in front"),
        ("150585123435", "a digit behind"),
        ("150585  12343", "two spaces"),
        ("150585--12343", "two dashes"),
        ("150585 123435", "personal part too long"),
        ("1150585 12343", "date part too long"),
        ("15058512344", "wrong check digit"),
        ("møte 05.03.2027 kl 14:30, ring 22 33 44 55", "dates and phone numbers"),
        ("", "nothing"),
    ],
)
def test_other_numbers_are_left_alone(text: str, why: str) -> None:
    assert find_fnr(text) is None, why


def test_the_first_of_several_numbers_is_reported() -> None:
    text = "først 1505851234 (ni), så 45058512366 og 15058512343"
    assert find_fnr(text) == "45058512366"


def test_a_long_message_is_scanned_quickly() -> None:
    text = ("1234567890 " * 372)[:4095] + "x"
    started = time.perf_counter()
    for _ in range(100):
        assert find_fnr(text) is None
    assert time.perf_counter() - started < 1.0


@PROPERTY
@given(valid_numbers())
def test_every_generated_number_is_valid(number: str) -> None:
    assert is_valid_fnr(number)
    assert check_digits(number[:9]) == number[9:]


@PROPERTY
@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_check_digits_agree_with_the_independent_rule(first_nine: str) -> None:
    expected = complete(first_nine)
    assert check_digits(first_nine) == (None if expected is None else expected[9:])


@PROPERTY
@given(valid_numbers(), st.integers(0, 10), st.integers(1, 9))
def test_changing_one_digit_breaks_the_number(number: str, position: int, bump: int) -> None:
    # Mod 11 with weights below 11 catches every single-digit typo.
    digit = str((int(number[position]) + bump) % 10)
    assert not is_valid_fnr(number[:position] + digit + number[position + 1 :])


@PROPERTY
@given(
    st.text().filter(lambda s: not s[-1:].isascii() or not s[-1:].isdigit()),
    valid_numbers(),
    st.sampled_from(["", " ", "-", "."]),
    st.text().filter(lambda s: not s[:1].isascii() or not s[:1].isdigit()),
)
def test_a_valid_number_anywhere_in_text_is_found(
    before: str, number: str, separator: str, after: str
) -> None:
    text = before + number[:6] + separator + number[6:] + after
    found = find_fnr(text)
    assert found is not None
    if find_fnr(before) is None:
        assert found == number


@PROPERTY
@given(st.text(max_size=300))
def test_any_text_is_answered_without_error(text: str) -> None:
    found = find_fnr(text)
    assert found is None or (is_valid_fnr(found) and found[:6] in text)
    assert is_valid_fnr(text) in (True, False)
