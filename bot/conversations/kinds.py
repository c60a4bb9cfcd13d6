"""Step kinds: one class per kind, in one registry.

A kind says which keys a definition file may give its steps, how a typed answer is
read, which values its buttons carry and how a pressed value is read. Adding a kind is
one class here and one template `conv/kinds/<name>.j2` (the hint under the question).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from dateutil.relativedelta import relativedelta

from bot.conversations.model import Step
from bot.rules import dates
from bot.rules.age import check_birth
from bot.rules.text import check_alias, check_free_text, check_label, check_name, clean
from bot.rules.workdays import day_concern, first_working_day_of, next_working_day

CHECKLIST = ("ja", "nei", "delvis", "ikke_aktuelt")
TEXT_MAX_LENGTH = 1000
TEXT_MAX_LENGTH_LIMIT = 3000
GROUP_MAX_ITEMS = 10
GROUP_MAX_ITEMS_LIMIT = 50
QUICK_DATES = {
    "_d14": relativedelta(days=14),
    "_m1": relativedelta(months=1),
    "_m3": relativedelta(months=3),
    "_m6": relativedelta(months=6),
}
TODAY = "_today"
# The answers to «Bruke den likevel?» about a past day, a weekend or a holiday.
DAY_OK, DAY_OTHER = "_dayok", "_dayno"
DEFAULT = "_dflt"
_RELATIVE = re.compile(r"^\+(\d{1,4})([dwmy])$")
DATE_RANGES = ("any", "future", "appointed")
TEXT_CHECKS = ("free", "alias", "name", "label")


@dataclass(frozen=True)
class Typed:
    """The meaning of an answer: a value, or an error code (a template under `errors/`)
    with details for it."""

    value: Any = None
    error: str | None = None
    detail: dict[str, Any] | None = None


@dataclass(frozen=True)
class Moment:
    """The local date and time an answer is given (from the injected clock), and where
    free text may come from: `free_text` is the mode (KOORDBOT_FREE_TEXT: form, off or
    chat), `channel` where this answer came from (chat or form), `marks` the options a
    free-text step offers instead when free text is off."""

    today: date
    now: datetime
    evaluation_months: int = 6
    free_text: str = "chat"
    channel: str = "chat"
    marks: tuple[tuple[str, str], ...] = ()

    @property
    def free_text_here(self) -> bool:
        """True when typed free text is taken from this channel."""
        return self.free_text == self.channel


class Loader:
    """What a kind may ask of the definition parser (implemented there)."""

    def fail(self, sid: str | None, reason: str) -> Exception:  # pragma: no cover
        raise NotImplementedError

    def integer(
        self,
        sid: str,
        raw: Mapping[str, Any],
        key: str,
        default: int | None,
        low: int | None = None,
        high: int | None = None,
    ) -> int | None:  # pragma: no cover
        raise NotImplementedError

    def flag(self, sid: str, raw: Mapping[str, Any], key: str, default: bool) -> bool:
        raise NotImplementedError  # pragma: no cover

    def options(self, sid: str, kind: str, raw: Mapping[str, Any]) -> tuple[Any, ...]:
        raise NotImplementedError  # pragma: no cover


class Kind:
    """The behaviour shared by every kind; subclasses override what differs."""

    name: ClassVar[str]
    keys: ClassVar[frozenset[str]] = frozenset()
    # True when the koordinator can be asked for a note after answering.
    noted: ClassVar[bool] = False

    def load(self, p: Loader, sid: str, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Kind-specific fields of a step from its raw mapping (checked)."""
        return {}

    def parse(self, step: Step, text: str, at: Moment) -> Typed:
        """What a typed answer means."""
        return Typed(error="use_buttons")

    def press(self, step: Step, value: str, at: Moment) -> Typed:
        """What a pressed button value means (an error when it is not one of ours)."""
        return Typed(error="stale_button")

    def free(self, step: Step) -> bool:
        """True when the step asks for free text about the person (the web form's
        business, or marks only, depending on KOORDBOT_FREE_TEXT)."""
        return False


class Checklist(Kind):
    name = "checklist"
    keys = frozenset({"note"})
    noted = True

    def load(self, p: Loader, sid: str, raw: Mapping[str, Any]) -> dict[str, Any]:
        return {"note": p.flag(sid, raw, "note", True)}

    def parse(self, step: Step, text: str, at: Moment) -> Typed:
        wanted = clean(text).casefold().replace(" ", "_")
        return Typed(wanted) if wanted in CHECKLIST else Typed(error="use_buttons")

    def press(self, step: Step, value: str, at: Moment) -> Typed:
        return Typed(value) if value in CHECKLIST else Typed(error="stale_button")


class Choice(Kind):
    name = "choice"
    keys = frozenset({"options", "options_from"})

    def load(self, p: Loader, sid: str, raw: Mapping[str, Any]) -> dict[str, Any]:
        return {"options": p.options(sid, self.name, raw)}

    def parse(self, step: Step, text: str, at: Moment) -> Typed:
        option = step.match(text)
        return Typed(option.value) if option else Typed(error="use_buttons")

    def press(self, step: Step, value: str, at: Moment) -> Typed:
        return Typed(value) if step.has_option(value) else Typed(error="stale_button")


class Multi(Choice):
    """Several options; a press toggles one, «Ferdig» (`_done`) answers."""

    name = "multi"

    def parse(self, step: Step, text: str, at: Moment) -> Typed:
        option = step.match(text)
        return Typed([option.value]) if option else Typed(error="use_buttons")


class Text(Kind):
    """Free text; `check: alias` or `check: name` reads it as a case's short name or a
    person's own name instead, `check: label` as a one-line label (a deadline's name),
    which is not free text about the person."""

    name = "text"
    keys = frozenset({"max_length", "check"})

    def load(self, p: Loader, sid: str, raw: Mapping[str, Any]) -> dict[str, Any]:
        check = raw.get("check", "free")
        if check not in TEXT_CHECKS:
            raise p.fail(sid, f"check must be one of {', '.join(TEXT_CHECKS)}")
        return {
            "max_length": p.integer(
                sid, raw, "max_length", TEXT_MAX_LENGTH, low=1, high=TEXT_MAX_LENGTH_LIMIT
            ),
            "check": check,
        }

    def free(self, step: Step) -> bool:
        return step.check == "free"

    def parse(self, step: Step, text: str, at: Moment) -> Typed:
        if self.free(step) and not at.free_text_here:
            return Typed(error="use_form" if at.free_text == "form" else "use_buttons")
        if step.check == "alias":
            found = check_alias(text)
            if found.error or found.alias is None:
                return Typed(error=f"alias_{found.error}")
            return Typed(found.alias, detail={"confirm": found.looks_like_name})
        if step.check == "name":
            name, error = check_name(text)
            return Typed(error=f"name_{error}") if error else Typed(name)
        limit = step.max_length or TEXT_MAX_LENGTH
        check = check_label if step.check == "label" else check_free_text
        value, error = check(text, limit)
        if error:
            return Typed(error=f"text_{error}", detail={"max": limit})
        return Typed(value)

    def press(self, step: Step, value: str, at: Moment) -> Typed:
        """With free text off, a mark («Kartlagt», «Ført i planen» …) answers instead;
        its label is kept with it, so the record reads the same later."""
        label = dict(at.marks).get(value) if at.free_text == "off" and self.free(step) else None
        if label is None:
            return Typed(error="stale_button")
        return Typed({"mark": value, "label": label})


class Number(Kind):
    name = "number"
    keys = frozenset({"min", "max"})

    def load(self, p: Loader, sid: str, raw: Mapping[str, Any]) -> dict[str, Any]:
        low = p.integer(sid, raw, "min", None)
        high = p.integer(sid, raw, "max", None)
        if low is not None and high is not None and low > high:
            raise p.fail(sid, "min is greater than max")
        return {"min": low, "max": high}

    def parse(self, step: Step, text: str, at: Moment) -> Typed:
        raw = clean(text).replace(" ", "")
        if not re.fullmatch(r"-?[0-9]{1,9}", raw):
            return Typed(error="number_invalid")
        number = int(raw)
        if step.min is not None and number < step.min:
            return Typed(error="number_min", detail={"min": step.min})
        if step.max is not None and number > step.max:
            return Typed(error="number_max", detail={"max": step.max})
        return Typed(number)


class Date(Kind):
    """A day: typed in any common Norwegian form, or a suggestion button."""

    name = "date"
    keys = frozenset(
        {"default", "deadline", "today_button", "quick", "range", "check_day", "month"}
    )

    def load(self, p: Loader, sid: str, raw: Mapping[str, Any]) -> dict[str, Any]:
        default = raw.get("default")
        if default is not None and (not isinstance(default, str) or not _RELATIVE.match(default)):
            raise p.fail(sid, f"default '{default}' must look like +14d, +2w or +6m")
        deadline = raw.get("deadline")
        if deadline is not None and (
            not isinstance(deadline, str) or not re.fullmatch(r"[a-z0-9_]+", deadline)
        ):
            raise p.fail(sid, "deadline must be a kind code of a-z, 0-9 and _")
        span = raw.get("range", "any")
        if span not in DATE_RANGES:
            raise p.fail(sid, f"range must be one of {', '.join(DATE_RANGES)}")
        return {
            "default": default,
            "deadline": deadline,
            "today_button": p.flag(sid, raw, "today_button", False),
            "quick": p.flag(sid, raw, "quick", True),
            "range": span,
            "check_day": p.flag(sid, raw, "check_day", False),
            "month": p.flag(sid, raw, "month", False),
        }

    def suggestion(self, step: Step, at: Moment) -> date | None:
        """The suggested day: the step's own default, or the evaluation cadence; never
        a weekend or a public holiday (the next working day instead)."""
        if step.default:
            day = relative_default(step.default, at.today)
        elif step.deadline == "evaluering":
            day = at.today + relativedelta(months=at.evaluation_months)
        else:
            return None
        return None if day is None else next_working_day(day)

    def parse(self, step: Step, text: str, at: Moment) -> Typed:
        parsed = dates.parse_date(text, at.today)
        if (parsed.error or parsed.value is None) and step.month:
            # «august 2033»: the first working day of that month, read back to the user.
            month = dates.parse_month_year(text, at.today)
            if month.error is None and month.year is not None and month.month is not None:
                return self._checked(step, first_working_day_of(month.year, month.month), at)
        if parsed.error or parsed.value is None:
            code = str(parsed.error or "unrecognised")
            return Typed(error="date", detail={"code": code, "kind": "date"})
        return self._checked(step, parsed.value, at)

    def press(self, step: Step, value: str, at: Moment) -> Typed:
        day: date | None = None
        if value == DEFAULT:
            day = self.suggestion(step, at)
        elif value == TODAY and step.today_button:
            day = at.today
        elif value in QUICK_DATES and step.quick:
            day = quick_date(value, at.today)
        if day is None:
            return Typed(error="stale_button")
        return Typed(day.isoformat())

    def _checked(self, step: Step, day: date, at: Moment) -> Typed:
        today = at.today
        if step.range == "future" and day < today:
            return Typed(error="date_past")
        if step.range == "appointed":
            if day > today + timedelta(days=366):
                return Typed(error="appointed_future")
            if day < today - relativedelta(years=50):
                return Typed(error="appointed_too_old")
        elif abs((day - today).days) > 366 * 10:
            return Typed(error="date_out_of_range")
        concern = day_concern(day, today) if step.check_day else None
        if concern is not None:
            # A past day, a weekend or a holiday: asked, «Bruke den likevel?».
            return Typed(day.isoformat(), detail={"confirm_day": concern})
        return Typed(day.isoformat())


class DateTime(Kind):
    """A day and a time. A day alone is kept and the time asked next."""

    name = "datetime"

    def parse(self, step: Step, text: str, at: Moment) -> Typed:
        moment = dates.parse_datetime(text, at.now)
        if moment.error or moment.value is None:
            detail: dict[str, Any] = {"code": str(moment.error or "unrecognised")}
            detail["kind"] = "datetime"
            if moment.day is not None:
                detail["day"] = moment.day.isoformat()
            return Typed(error="date", detail=detail)
        if abs((moment.value.date() - at.today).days) > 366 * 5:
            return Typed(error="date_out_of_range")
        return Typed(moment.value.isoformat())

    def parse_time(self, step: Step, day: date, text: str, at: Moment) -> Typed:
        """The time for a day given in an earlier message."""
        clock = dates.parse_time(text)
        if clock.value is None:
            code = str(clock.error or "unrecognised")
            return Typed(error="date", detail={"code": code, "kind": "time"})
        return self.parse(step, f"{day:%d.%m.%Y} kl {clock.value:%H:%M}", at)


class MonthYear(Kind):
    """A birth month and year (never a full date of birth)."""

    name = "month_year"

    def parse(self, step: Step, text: str, at: Moment) -> Typed:
        parsed = dates.parse_month_year(text, at.today)
        if parsed.error or parsed.year is None:
            code = str(parsed.error or "unrecognised")
            return Typed(error="date", detail={"code": code, "kind": "month"})
        problem = check_birth(parsed.year, parsed.month, at.today)
        if problem:
            return Typed(error=f"birth_{problem}")
        return Typed([parsed.year, parsed.month])


class Info(Kind):
    """Something to read; answered with «Neste» (`_next`)."""

    name = "info"

    def press(self, step: Step, value: str, at: Moment) -> Typed:
        return Typed(True) if value == "_next" else Typed(error="stale_button")


class Group(Kind):
    """Repeated items (goals, tiltak): «add one?» before each item."""

    name = "group"
    keys = frozenset({"item", "max_items", "steps"})


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Checklist(),
        Choice(),
        Multi(),
        Text(),
        Number(),
        Date(),
        DateTime(),
        MonthYear(),
        Info(),
        Group(),
    )
}


def kind_of(step: Step) -> Kind:
    """The behaviour of a step's kind."""
    return KINDS[step.kind]


def quick_date(key: str, today: date) -> date:
    """The day a quick button («Om 1 måned») stands for: never a weekend or holiday."""
    return next_working_day(today + QUICK_DATES[key])


def relative_default(spec: str | None, today: date) -> date | None:
    """A step's `default` like '+6m' as a date from today."""
    match = _RELATIVE.match(spec.strip()) if spec else None
    if not match:
        return None
    amount, unit = int(match.group(1)), match.group(2)
    units: dict[str, Callable[[int], relativedelta]] = {
        "d": lambda n: relativedelta(days=n),
        "w": lambda n: relativedelta(weeks=n),
        "m": lambda n: relativedelta(months=n),
        "y": lambda n: relativedelta(years=n),
    }
    return today + units[unit](amount)


def parse_typed(step: Step, text: str, today: date, now: datetime) -> Typed:
    """What a typed answer to `step` means (error codes name templates under errors/)."""
    return kind_of(step).parse(step, text, Moment(today=today, now=now))
