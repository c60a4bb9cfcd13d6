"""Spot Norwegian fødselsnummer in what people type, so the bot can refuse to store them.

SPEC 3.2: a fødselsnummer typed anywhere is refused and not stored. We count as one
every 11-digit number whose two mod-11 check digits are valid and whose first six
digits are a plausible ddmmyy date, also after the adjustments for

- D-numbers (day + 40),
- H-numbers and NAV synthetic numbers (month + 40),
- Skatteetaten "Tenor" synthetic test numbers (month + 80),

since a test number pasted from a real system is as unwelcome as a real one.
Only the classic check-digit rule is implemented; the 2032 scheme (which relaxes the
first check digit) is not.

How a number is found: the text is first brought to the normal form it would be stored
in (`bot.rules.normalise`: NFKC folds full-width and other compatibility digits,
invisible characters go, every space becomes one space). Then the digits are read in
groups (any script's decimal digits count), and groups separated only by characters
that are neither letters nor digits (spaces, line breaks, any dash, dots, slashes,
combining marks...) form one chain. Any run of whole neighbouring groups in a chain
that holds exactly 11 digits is a candidate: `150585 12343`, `150585 – 12343` and
`15 05 85 123 43` are all read, while a slice of a longer digit run (an account number,
`915058512343`) never is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date

from bot.rules.normalise import normalise

_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

_GROUP = re.compile(r"\d+")  # decimal digits of any script
# A letter or a number between two digit groups ends the chain (underscore does not).
_BREAK = re.compile(r"[^\W_]")
_LENGTH = 11


def _check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    """The mod-11 check digit for `digits`, or None where the rule allows none (10)."""
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    check = (11 - remainder) % 11
    return None if check == 10 else check


def check_digits(first_nine: str) -> str | None:
    """The two check digits that complete `first_nine` (9 ASCII digits), or None if no
    valid number starts with them. Used by tests and fixtures to build valid numbers."""
    if len(first_nine) != 9 or not (first_nine.isascii() and first_nine.isdigit()):
        return None
    k1 = _check_digit(first_nine, _K1_WEIGHTS)
    if k1 is None:
        return None
    k2 = _check_digit(first_nine + str(k1), _K2_WEIGHTS)
    if k2 is None:
        return None
    return f"{k1}{k2}"


def _plausible_date(ddmmyy: str) -> bool:
    """Whether ddmmyy is a real calendar day once D/H/synthetic offsets are removed."""
    day, month, year = int(ddmmyy[0:2]), int(ddmmyy[2:4]), int(ddmmyy[4:6])
    if day > 40:  # D-number
        day -= 40
    if month > 80:  # Tenor synthetic
        month -= 80
    elif month > 40:  # H-number, NAV synthetic
        month -= 40
    try:
        # The century lives in the individual number; 2000 + yy is a leap year exactly
        # when yy % 4 == 0, which is permissive for 1900 and that is the safe side here.
        date(2000 + year, month, day)
    except ValueError:
        return False
    return True


def is_valid_fnr(digits: str) -> bool:
    """True if `digits` is exactly 11 ASCII digits forming a fødselsnummer, D-number,
    H-number or synthetic test number with valid check digits and a plausible date."""
    if len(digits) != 11 or not (digits.isascii() and digits.isdigit()):
        return False
    return check_digits(digits[:9]) == digits[9:] and _plausible_date(digits[:6])


def _ascii(digits: str) -> str:
    return digits if digits.isascii() else "".join(str(unicodedata.decimal(d)) for d in digits)


def _chains(text: str) -> Iterator[list[str]]:
    """Digit groups (as ASCII) that only separators keep apart, chain by chain."""
    chain: list[str] = []
    end = 0
    for match in _GROUP.finditer(text):
        if chain and _BREAK.search(text, end, match.start()):
            yield chain
            chain = []
        chain.append(_ascii(match.group()))
        end = match.end()
    if chain:
        yield chain


def find_fnr(text: str) -> str | None:
    """The first fødselsnummer in `text` as 11 plain digits, or None.

    Reads the text in its normal form (see the module docstring), so spaces of any
    kind, dashes, invisible characters and full-width digits between or inside the
    parts do not hide a number. Linear in the length of `text`.
    """
    for chain in _chains(normalise(text)):
        for first in range(len(chain)):
            digits = ""
            for index in range(first, len(chain)):
                digits += chain[index]
                if len(digits) >= _LENGTH:
                    break
            if len(digits) == _LENGTH and is_valid_fnr(digits):
                return digits
    return None


def contains_fnr(text: str) -> bool:
    """Whether `text` holds a fødselsnummer: the one check every entry point runs
    (messages, edits, captions, file names, contact cards, inline queries, forms)
    and that the text rules run again on what they would store."""
    return find_fnr(text) is not None
