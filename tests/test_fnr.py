"""A fødselsnummer typed anywhere is spotted, and nothing else is (SPEC 3.2): also
behind any mix of spaces, dashes and invisible characters, and in full-width digits."""

from __future__ import annotations

import time
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules.fnr import check_digits, contains_fnr, find_fnr, is_valid_fnr
from bot.rules.normalise import normalise
from bot.rules.text import check_alias, check_free_text, check_name, clean

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
        "150585  12343",
        "150585--12343",
        "15 05 85 123 43",
        "150585 - 12343",
        "15058512343 99",
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
    # Text around the number that does not glue a digit onto it (that makes a longer run).
    st.text().filter(lambda s: not normalise(s)[-1:].isdecimal()),
    valid_numbers(),
    st.sampled_from(["", " ", "-", "."]),
    st.text().filter(lambda s: not normalise(s)[:1].isdecimal()),
)
def test_a_valid_number_anywhere_in_text_is_found(
    before: str, number: str, separator: str, after: str
) -> None:
    text = before + number[:6] + separator + number[6:] + after
    found = find_fnr(text)
    assert found is not None and is_valid_fnr(found)


@PROPERTY
@given(st.text(max_size=300))
def test_any_text_is_answered_without_error(text: str) -> None:
    found = find_fnr(text)
    assert found is None or is_valid_fnr(found)
    assert is_valid_fnr(text) in (True, False)


# --- hidden numbers (issue 10): normalise first, then check --------------------------

SPACES = [
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\n\n\n",
    "\u00a0",
    "\u2002",
    "\u2009",
    "\u200a",
    "\u202f",
    "\u205f",
    "\u3000",
    "\u2028",
    "\u2029",
    "\x0b",
    "\x0c",
    "\x85",
]
DASHES = [
    "-",
    "--",
    "\u2010",
    "\u2011",
    "\u2012",
    "\u2013",
    "\u2014",
    "\u2015",
    "\u2212",
    "\ufe58",
    "\ufe63",
    "\uff0d",
    "\u00af",
    ".",
    "/",
    "_",
    "\u2e3a",
]
INVISIBLE = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u00ad",
    "\u2060",
    "\u2061",
    "\u2062",
    "\u2063",
    "\u2064",
    "\ufeff",
    "\u180e",
    "\u034f",
    "\u3164",
    "\uffa0",
    "\u115f",
    "\ufe0f",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u2069",
    "\U000e0020",
    "\U000e0001",
    "\u0301",
]
SEPARATORS = SPACES + DASHES
# Ways to write one digit that a reader still reads as that digit.
DIGIT_FORMS = [
    lambda d: d,
    lambda d: chr(0xFF10 + int(d)),  # full-width
    lambda d: chr(0x1D7CE + int(d)),  # mathematical bold
    lambda d: chr(0x0660 + int(d)),  # Arabic-Indic
    lambda d: chr(0x0966 + int(d)),  # Devanagari
    lambda d: d + "\ufe0f\u20e3",  # keycap
]


@st.composite
def hidden(draw: st.DrawFn, number: str) -> str:
    """`number` written with any mix of separators and invisible characters between its
    digits (most often between the date and the personal part) and odd digit forms."""
    out: list[str] = []
    for i, digit in enumerate(number):
        if i:
            between_parts = i == 6
            pool = [*SEPARATORS, *INVISIBLE] if between_parts else [*INVISIBLE, " ", "-"]
            out.extend(draw(st.lists(st.sampled_from(pool), max_size=4 if between_parts else 1)))
        out.append(draw(st.sampled_from(DIGIT_FORMS))(digit))
    return "".join(out)


@st.composite
def hidden_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(the valid number, a hidden way of writing it)."""
    number = draw(valid_numbers())
    return number, draw(hidden(number))


# The variants the issue names, each hiding the same ordinary number.
NAMED_VARIANTS = {
    "two spaces": "150585  12343",
    "tab": "150585\t12343",
    "newline": "150585\n12343",
    "zero-width space": "150585\u200b12343",
    "soft hyphen": "150585\u00ad12343",
    "word joiner": "150585\u206012343",
    "full-width digits": "１５０５８５１２３４３",
    "full-width, split": "１５０５８５ １２３４３",
    "en dash": "150585\u201312343",
    "em dash": "150585\u201412343",
    "minus sign": "150585\u221212343",
    "no-break space": "150585\u00a012343",
    "thin space": "150585\u200912343",
    "BOM": "150585\ufeff12343",
    "zero-width inside the parts": "1\u200b50585 1234\u200b3",
    "D-number behind a soft hyphen": "450585\u00ad12366",
    "H-number with an en dash": "154585\u201312326",
}


@pytest.mark.parametrize("text", NAMED_VARIANTS.values(), ids=NAMED_VARIANTS.keys())
def test_each_named_variant_is_refused_by_the_one_check(text: str) -> None:
    assert contains_fnr(text)
    assert contains_fnr(f"Eleven heter {text}, ring mor")
    # The second line of defence: the text rules refuse it too.
    assert check_alias(text).error == "fnr"
    assert check_name(text) == (None, "fnr")
    assert check_free_text(f"Notat: {text}", 1000) == (None, "fnr")


@PROPERTY
@given(hidden_numbers(), st.sampled_from(["", "fnr ", "Eleven: ", "(", "«"]))
def test_a_hidden_number_is_refused(hidden_number: tuple[str, str], prefix: str) -> None:
    number, text = hidden_number
    assert find_fnr(prefix + text + " ok") == number
    assert check_free_text(prefix + text, 4000)[1] == "fnr"
    assert check_alias(text).error == "fnr"


@PROPERTY
@given(st.text(max_size=200))
def test_what_is_checked_is_what_would_be_stored(text: str) -> None:
    stored = {clean(text), clean(text, keep_newlines=True)}
    assert {contains_fnr(s) for s in stored} == {contains_fnr(text)}


@PROPERTY
@given(hidden_numbers())
def test_storing_a_hidden_number_never_reveals_it(hidden_number: tuple[str, str]) -> None:
    # Whatever the cleaning makes of a hidden number, the check still sees it there.
    _number, text = hidden_number
    assert contains_fnr(clean(text)) and contains_fnr(clean(text, keep_newlines=True))


ORDINARY = [
    "Møte 05.03.2027 kl 14:30 på rommet",
    "ring 22 33 44 55 eller +47 912 34 567",
    "Saksnr 2026/12345, arkiv 2026-11-24",
    "kontonummer 1234.56.78903",
    "12345678901",
    "123 456 789 01",
    "Skoleår 2026-2027, 3. trinn, 25 elever",
    "tlf. 99 88 77 66, faks 22 11 00 99",
    "møter 12.03, 14.05, 16.07 og 18.09",
    "1. 2. 3. 4. 5. 6. 7. 8. 9. 10. 11.",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_with_numbers_passes(text: str) -> None:
    assert not contains_fnr(text), find_fnr(text)
    assert check_free_text(text, 1000)[1] is None


@PROPERTY
@given(
    st.text(alphabet="0123456789", min_size=11, max_size=11).filter(lambda n: not is_valid_fnr(n)),
    st.lists(st.integers(1, 10), max_size=4, unique=True),
    st.sampled_from([" ", "-", ".", "\u2013", "\u200b", "  "]),
)
def test_eleven_digits_with_wrong_check_digits_pass_however_split(
    digits: str, cuts: list[int], separator: str
) -> None:
    parts, start = [], 0
    for cut in sorted(cuts):
        parts.append(digits[start:cut])
        start = cut
    parts.append(digits[start:])
    text = separator.join(parts)
    # Any 11 digits found here must be these 11: there are no others.
    assert not contains_fnr(text)
