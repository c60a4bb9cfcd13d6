"""One parser for every date and time people type. (What the bot writes is formatted
by `messages.Texts`: the filters `dato`, `langdato` and `maaned`.)

Pure functions: the caller passes `today` / `now` (from the injected clock); nothing here
reads the system clock. Parsers never raise; they return a result holding either a value
or one error code from `DateError`, and the UI renders one Norwegian explanation per code.
Range checks (a birth in the future, a meeting in the past) belong to the caller; this
module rejects only what cannot be a date at all.

Accepted date forms (case, surrounding whitespace and trailing punctuation ignored):

- numeric with year: ``05.03.2027``, ``5.3.2027``, ``5/3/2027``, ``5-3-2027``, ``5.3.27``
  (two-digit year means 20xx), ISO ``2027-03-05``;
- numeric without year: ``5.3``, ``05.03``, ``5/3``: the next such day on or after today;
- month names and abbreviations in bokmål: ``5. mars 2027``, ``5 mar 2027``, ``5. mars``
  (no year: the next such day on or after today); any prefix of 3+ letters of a month;
- ``i dag``/``idag``, ``i morgen``/``imorgen``, ``i overmorgen``, ``i går``, ``i forgårs``;
- ``om 3 dager``, ``om 2 uker``, ``om en uke``, ``om 6 måneder``/``mnd``, ``om ett år``,
  and the past ``for 3 dager siden``; numbers as digits or words up to tolv;
- weekdays ``fredag``, ``på fredag``, ``neste fredag``, ``fre``: the next such weekday
  strictly after today. "neste fredag" deliberately means the same as "fredag": people
  use it both ways, and the UI echoes the date back for the user to see;
- a weekday in front of a date, ``fredag 5. mars`` / ``fre den 5.3``: must agree with the
  date, otherwise `weekday_mismatch`.

Times for `parse_datetime`: ``kl 10``, ``kl. 10``, ``klokka 9``, ``10:15``, ``10.15``
after the date (or ``kl 10`` / ``10:15`` before it), separated by a space. A bare hour
without "kl" is not a time there, because ``5. mars 13`` reads as 5 March 2013.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from dateutil.relativedelta import relativedelta


class DateError(StrEnum):
    """Why a text is not a date (the UI has one template text per code)."""

    EMPTY = "empty"  # nothing but whitespace/punctuation
    UNRECOGNISED = "unrecognised"  # no form we know (also: longer than MAX_INPUT_CHARS)
    IMPOSSIBLE_DATE = "impossible_date"  # a known form naming no real day: 31.02, 5.13.2027
    IMPOSSIBLE_TIME = "impossible_time"  # kl 25, 10:75
    WEEKDAY_MISMATCH = "weekday_mismatch"  # "lørdag 5.3.2027" but 5.3.2027 is a Friday
    TIME_MISSING = "time_missing"  # parse_datetime got a date but no time
    DATE_MISSING = "date_missing"  # parse_datetime got a time but no date
    MONTH_MISSING = "month_missing"  # parse_month_year got a bare year
    YEAR_MISSING = "year_missing"  # parse_month_year got a bare month
    TOO_FAR = "too_far"  # relative offset beyond the calendar (om 99999 år)


# Texts longer than this are no date; checking early keeps garbage cheap.
MAX_INPUT_CHARS = 60

_MONTHS = (
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
)  # fmt: skip

_WEEKDAYS: dict[str, int] = {
    "mandag": 0, "man": 0,
    "tirsdag": 1, "tir": 1, "tirs": 1,
    "onsdag": 2, "ons": 2,
    "torsdag": 3, "tor": 3, "tors": 3,
    "fredag": 4, "fre": 4,
    "lørdag": 5, "lør": 5, "lordag": 5, "lor": 5,
    "søndag": 6, "søn": 6, "sondag": 6, "son": 6,
}  # fmt: skip

_NUMBER_WORDS: dict[str, int] = {
    "en": 1, "én": 1, "ett": 1, "et": 1, "ei": 1, "to": 2, "tre": 3, "fire": 4,
    "fem": 5, "seks": 6, "sju": 7, "syv": 7, "åtte": 8, "ni": 9, "ti": 10,
    "elleve": 11, "tolv": 12,
}  # fmt: skip

_UNITS: dict[str, str] = {
    "dag": "days", "dager": "days", "døgn": "days",
    "uke": "weeks", "uker": "weeks",
    "måned": "months", "måneder": "months", "maned": "months", "maneder": "months",
    "mnd": "months",
    "år": "years", "ar": "years",
}  # fmt: skip

_FIXED_OFFSETS: dict[str, int] = {
    "i dag": 0, "idag": 0,
    "i morgen": 1, "imorgen": 1,
    "i overmorgen": 2, "iovermorgen": 2, "overmorgen": 2,
    "i går": -1, "igår": -1, "i gar": -1,
    "i forgårs": -2, "iforgårs": -2, "forgårs": -2,
}  # fmt: skip

# re.ASCII: \d means 0-9 only, so int() never sees other Unicode digits.
_F = re.ASCII
_YEAR = r"(\d{4}|\d{2})"
_RE_DMY = re.compile(r"(\d{1,2}) ?([./-]) ?(\d{1,2}) ?\2 ?" + _YEAR, _F)
_RE_YMD = re.compile(r"(\d{4})([./-])(\d{1,2})\2(\d{1,2})", _F)
_RE_DM = re.compile(r"(\d{1,2}) ?[./] ?(\d{1,2})", _F)
_RE_NAMED = re.compile(r"(\d{1,2})\.? ?([a-zæøå]{3,})\.?(?: ?" + _YEAR + ")?", _F)
_RE_RELATIVE = re.compile(r"(om|for) (\d{1,6}|[a-zéæøå]+) ([a-zæøå]+)( siden)?", _F)
_RE_WEEKDAY = re.compile(
    r"(?:på )?(?:neste |førstkommende |kommende )?([a-zøå]+)(?: (?:den )?(.+))?", _F
)
_RE_MY = re.compile(r"(\d{1,2}) ?[./-] ?" + _YEAR, _F)
_RE_YM = re.compile(r"(\d{4}) ?[./-] ?(\d{1,2})", _F)
_RE_NAMED_MY = re.compile(r"([a-zæøå]{3,})\.?(?: ?" + _YEAR + ")?", _F)

_KL = r"(?:kl\.?|klokka|klokken)"
_CLOCK = rf"{_KL} ?(\d{{1,2}})(?:[:.,](\d{{2}}))?|(\d{{1,2}})[:.,](\d{{2}})"
_RE_TIME_AT_END = re.compile(rf"(?:^| )(?:{_CLOCK})$", _F)
# Before the date only the unmistakable forms: "kl 10" or "10:15" (not "10.15").
_RE_TIME_AT_START = re.compile(
    rf"(?:{_KL} ?(\d{{1,2}})(?:[:.](\d{{2}}))?|(\d{{1,2}}):(\d{{2}})) ", _F
)
_RE_BARE_TIME = re.compile(rf"(?:{_CLOCK}|(\d{{1,2}}))", _F)


@dataclass(frozen=True, slots=True)
class DateResult:
    """A parsed date, or the reason there is none."""

    value: date | None = None
    error: DateError | None = None

    @property
    def ok(self) -> bool:
        """True when `value` holds a date."""
        return self.error is None


@dataclass(frozen=True, slots=True)
class MonthYearResult:
    """A parsed birth month and year, or the reason there is none."""

    year: int | None = None
    month: int | None = None
    error: DateError | None = None

    @property
    def ok(self) -> bool:
        """True when `year` and `month` are set."""
        return self.error is None


@dataclass(frozen=True, slots=True)
class TimeResult:
    """A parsed clock time, or the reason there is none."""

    value: time | None = None
    error: DateError | None = None

    @property
    def ok(self) -> bool:
        """True when `value` holds a time."""
        return self.error is None


@dataclass(frozen=True, slots=True)
class DateTimeResult:
    """A parsed aware datetime, or the reason there is none.

    With `time_missing` (and `impossible_time`), `day` holds the date that was understood,
    so the UI can ask only for the time; with `date_missing`, `clock` holds the time.
    """

    value: datetime | None = None
    error: DateError | None = None
    day: date | None = None
    clock: time | None = None

    @property
    def ok(self) -> bool:
        """True when `value` holds a datetime."""
        return self.error is None


# ---------------------------------------------------------------- normalising input


def _normalise(text: str) -> str | DateError:
    """Lower-case, single-spaced text without edge punctuation, or EMPTY/UNRECOGNISED."""
    s = text.strip()
    if len(s) > MAX_INPUT_CHARS:
        return DateError.UNRECOGNISED
    s = " ".join(s.lower().split())
    s = re.sub(r",(?!\d)", " ", s)  # "fredag, 5. mars" but keep "10,30"
    s = " ".join(s.split()).strip(" .,!?;:")
    return s if s else DateError.EMPTY


def _month_from_word(word: str) -> int | None:
    """1-12 for a bokmål month name or a 3+ letter prefix of one ("mar", "sept")."""
    if len(word) < 3:
        return None
    for number, name in enumerate(_MONTHS, start=1):
        if name.startswith(word):
            return number
    return None


def _make_date(year: int, month: int, day: int) -> date | None:
    """The date, or None if no such day exists."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _next_on_or_after(month: int, day: int, today: date) -> DateResult:
    """The first day/month on or after today; 29.02 may be up to eight years ahead."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return DateResult(error=DateError.IMPOSSIBLE_DATE)
    for year in range(today.year, today.year + 9):
        if year > date.max.year:
            return DateResult(error=DateError.TOO_FAR)
        candidate = _make_date(year, month, day)
        if candidate is not None and candidate >= today:
            return DateResult(candidate)
    return DateResult(error=DateError.IMPOSSIBLE_DATE)  # 30.02, 31.04


# ------------------------------------------------------------------------ dates


def _explicit(s: str) -> tuple[int, int, int, bool] | None:
    """(year, month, day, year_had_two_digits) for forms that spell out a year."""
    if m := _RE_DMY.fullmatch(s):
        return int(m[4]), int(m[3]), int(m[1]), len(m[4]) == 2
    if m := _RE_YMD.fullmatch(s):
        return int(m[1]), int(m[3]), int(m[4]), False
    if (m := _RE_NAMED.fullmatch(s)) and m[3] is not None:
        month = _month_from_word(m[2])
        if month is not None:
            return int(m[3]), month, int(m[1]), len(m[3]) == 2
    return None


def _relative(s: str, today: date) -> DateResult | None:
    """Fixed words (i morgen) and offsets (om 3 dager, for 2 uker siden), else None."""
    if s in _FIXED_OFFSETS:
        return _shift(today, days=_FIXED_OFFSETS[s])
    m = _RE_RELATIVE.fullmatch(s)
    if m is None or (m[1] == "om") == (m[4] is not None):  # "om ..." xor "for ... siden"
        return None
    amount = int(m[2]) if m[2].isdigit() else _NUMBER_WORDS.get(m[2])
    unit = _UNITS.get(m[3])
    if amount is None or unit is None:
        return None
    sign = 1 if m[1] == "om" else -1
    return _shift(today, **{unit: sign * amount})


def _shift(today: date, **delta: int) -> DateResult:
    """today + relativedelta, or TOO_FAR beyond the calendar's ends."""
    try:
        return DateResult(today + relativedelta(None, None, **delta))
    except (ValueError, OverflowError):
        return DateResult(error=DateError.TOO_FAR)


def _parse_without_weekday(s: str, today: date) -> DateResult:
    """Every form except a leading weekday name."""
    explicit = _explicit(s)
    if explicit is not None:
        year, month, day, two_digit = explicit
        found = _make_date(2000 + year if two_digit else year, month, day)
        return DateResult(found) if found else DateResult(error=DateError.IMPOSSIBLE_DATE)
    if m := _RE_DM.fullmatch(s):
        return _next_on_or_after(int(m[2]), int(m[1]), today)
    # Year-less, since _explicit found none.
    if (m := _RE_NAMED.fullmatch(s)) and (named := _month_from_word(m[2])) is not None:
        return _next_on_or_after(named, int(m[1]), today)
    if s.startswith("den "):  # "den 5. mars"
        return _parse_without_weekday(s[4:], today)
    relative = _relative(s, today)
    if relative is not None:
        return relative
    return DateResult(error=DateError.UNRECOGNISED)


def _parse_normalised(s: str, today: date) -> DateResult:
    """parse_date on text already normalised."""
    m = _RE_WEEKDAY.fullmatch(s)
    weekday = _WEEKDAYS.get(m[1]) if m else None
    if m is None or weekday is None:
        return _parse_without_weekday(s, today)
    if m[2] is None:  # just a weekday: strictly after today
        return _shift(today, days=(weekday - today.weekday() - 1) % 7 + 1)
    result = _parse_without_weekday(m[2], today)
    if result.value is not None and result.value.weekday() != weekday:
        return DateResult(error=DateError.WEEKDAY_MISMATCH)
    return result


def parse_date(text: str, today: date) -> DateResult:
    """Read a date the way Norwegians type it (forms listed in the module docstring).

    `today` is the base for relative and year-less forms. Never raises.
    """
    s = _normalise(text)
    if isinstance(s, DateError):
        return DateResult(error=s)
    return _parse_normalised(s, today)


# ------------------------------------------------------------------- month/year


def _birth_year(two_digits: int, today: date) -> int:
    """A two-digit year in a birth month/year: the latest such year not after today."""
    year = today.year - today.year % 100 + two_digits
    return year - 100 if year > today.year else year


def parse_month_year(text: str, today: date) -> MonthYearResult:
    """Read a birth month and year: ``03.2016``, ``3/2016``, ``2016-03``, ``mars 2016``.

    A full date (``05.03.2016``, ``5. mars 2016``) is accepted and its day dropped, as
    data minimisation wants. A two-digit year (``03.16``) is the latest such year not
    after `today` (births lie in the past). Errors: `empty`, `unrecognised`,
    `impossible_date`, `month_missing` (a bare year), `year_missing` (a bare month).
    Never raises.
    """
    s = _normalise(text)
    if isinstance(s, DateError):
        return MonthYearResult(error=s)

    def month_year(month: int, year: int) -> MonthYearResult:
        if not (1 <= month <= 12 and 1 <= year <= date.max.year):
            return MonthYearResult(error=DateError.IMPOSSIBLE_DATE)
        return MonthYearResult(year=year, month=month)

    def year_of(digits: str) -> int:
        return _birth_year(int(digits), today) if len(digits) == 2 else int(digits)

    if m := _RE_MY.fullmatch(s):
        return month_year(int(m[1]), year_of(m[2]))
    if m := _RE_YM.fullmatch(s):
        return month_year(int(m[2]), int(m[1]))
    if (m := _RE_NAMED_MY.fullmatch(s)) and (month := _month_from_word(m[1])) is not None:
        if m[2] is None:
            return MonthYearResult(error=DateError.YEAR_MISSING)
        return month_year(month, year_of(m[2]))
    if re.fullmatch(r"\d{4}", s, _F):
        return MonthYearResult(error=DateError.MONTH_MISSING)
    explicit = _explicit(s)
    if explicit is not None:
        year, month, day, two_digit = explicit
        year = _birth_year(year, today) if two_digit else year
        if _make_date(year, month, day) is None:
            return MonthYearResult(error=DateError.IMPOSSIBLE_DATE)
        return MonthYearResult(year=year, month=month)
    return MonthYearResult(error=DateError.UNRECOGNISED)


# ------------------------------------------------------------------------ times


def _make_time(hour: str, minute: str | None) -> TimeResult:
    """TimeResult for digits already matched; 24:00 and :60 are impossible."""
    h, mi = int(hour), int(minute) if minute else 0
    if h > 23 or mi > 59:
        return TimeResult(error=DateError.IMPOSSIBLE_TIME)
    return TimeResult(time(h, mi))


def _time_from_match(m: re.Match[str], first_group: int = 1) -> TimeResult:
    """The time in a match of _CLOCK-shaped groups (kl-hour, kl-min, hour, min)."""
    g = first_group
    if m[g] is not None:
        return _make_time(m[g], m[g + 1])
    return _make_time(m[g + 2], m[g + 3])


def parse_time(text: str) -> TimeResult:
    """Read a clock time alone: ``kl 10``, ``kl. 14:30``, ``10.15``, ``9``.

    For the answer when `parse_datetime` said `time_missing`. Never raises.
    """
    s = _normalise(text)
    if isinstance(s, DateError):
        return TimeResult(error=s)
    m = _RE_BARE_TIME.fullmatch(s)
    if m is None:
        return TimeResult(error=DateError.UNRECOGNISED)
    if m[5] is not None:  # a bare hour
        return _make_time(m[5], None)
    return _time_from_match(m)


def parse_datetime(text: str, now: datetime) -> DateTimeResult:
    """Read a meeting's date and time: ``fredag kl 10``, ``5.3.2027 kl. 14:30``,
    ``05.03.2027 14.30``, ``i morgen kl 9``, ``kl 10 på fredag``.

    `now` is an aware datetime; relative forms count from its date and the result
    carries its tzinfo. A date without a time gives `time_missing` (with `day` set), a
    time without a date `date_missing` (with `clock` set). Never raises.
    """
    s = _normalise(text)
    if isinstance(s, DateError):
        return DateTimeResult(error=s)
    today = now.date()
    # "fredag kl." is a date whose time is still to come, not gibberish.
    s = re.sub(rf"(?:^| ){_KL}$", "", s) or s

    if m := _RE_TIME_AT_END.search(s):
        if m[3] is not None:
            # "05.03" and "fredag 10.03" also read as dates; a date wins when it is one
            # (real times like 10.00 or 14.30 are never a valid day.month).
            whole = _parse_normalised(s, today)
            if whole.value is not None:
                return DateTimeResult(error=DateError.TIME_MISSING, day=whole.value)
        date_text, clock = s[: m.start()].strip(" ,"), _time_from_match(m)
    elif m := _RE_TIME_AT_START.match(s):
        date_text, clock = s[m.end() :].strip(" ,"), _time_from_match(m)
    else:
        day = _parse_normalised(s, today)
        if day.value is not None:
            return DateTimeResult(error=DateError.TIME_MISSING, day=day.value)
        return DateTimeResult(error=day.error)

    if not date_text:
        if clock.value is None:
            return DateTimeResult(error=clock.error)
        return DateTimeResult(error=DateError.DATE_MISSING, clock=clock.value)
    day = _parse_normalised(date_text, today)
    if day.value is None:
        return DateTimeResult(error=day.error)
    if clock.value is None:
        return DateTimeResult(error=clock.error, day=day.value)
    # Attaching the zone keeps wall-clock time; a time in the spring-forward gap stays
    # as typed and resolves when converted to UTC for storage.
    return DateTimeResult(datetime.combine(day.value, clock.value, tzinfo=now.tzinfo))
