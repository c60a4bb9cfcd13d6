"""The shared layout of text, chart and figures CSV (`figures`: every figure labelled
and suppressed once), the Telegram text and the two CSV files."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from babel.numbers import format_decimal

from bot.rules.age import age_on
from bot.statistics.compute import DEFAULT_THRESHOLD, Statistics, age_group, is_small, suppress
from bot.statistics.facts import CaseFact
from messages import Texts, format_short_date

WORDS_FILE = "statistics.yaml"
TEMPLATE = "statistics/text"


@dataclass(frozen=True)
class Row:
    """One figure ready to show: its code, label, raw value and shown text."""

    key: str | None
    label: str
    value: float | None
    shown: str
    small: bool = False


@dataclass(frozen=True)
class LoadRow:
    """One tjenestested's load as shown."""

    key: str | None
    label: str
    koordinatorer: Row
    with_cases: Row
    cases: Row
    per_koordinator: Row


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: tuple[Row, ...]

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)


@dataclass(frozen=True)
class Show:
    """Turns raw figures into shown text under one threshold."""

    threshold: int
    marker: str  # "under 5"
    hidden: str  # for an average or ratio resting on a small count
    locale: str

    def count(self, key: str | None, label: str, n: int) -> Row:
        """A count: the number, or the marker when it is small."""
        return Row(
            key,
            label,
            n,
            str(suppress(n, self.threshold, self.marker)),
            is_small(n, self.threshold),
        )

    def ratio(self, key: str | None, label: str, value: float | None, basis: int) -> Row:
        """An average or ratio with one decimal, hidden when `basis` (its count) is small."""
        if value is None:
            return Row(key, label, None, "–")
        if is_small(basis, self.threshold):
            return Row(key, label, value, self.hidden, True)
        return Row(key, label, value, format_decimal(value, format="0.0", locale=self.locale))


@dataclass(frozen=True)
class Figures:
    """What all three outputs show, suppressed and labelled once."""

    stats: Statistics
    show: Show
    sections: dict[str, Section]
    load: tuple[LoadRow, ...]
    average_age: str | None  # None when unknown or hidden
    words: Mapping[str, Any]

    @property
    def threshold(self) -> int:
        return self.show.threshold

    @property
    def any_small(self) -> bool:
        """True when some figure is shown as "under N" (the text then says why)."""
        return any(r.small for s in self.sections.values() for r in s.rows)


@cache
def _read_words(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return dict(yaml.safe_load(fh))


def _words(texts: Texts) -> dict[str, Any]:
    return _read_words(texts.directory / WORDS_FILE)


LOAD_FIELDS = ("koordinatorer", "with_cases", "cases", "per_koordinator")


def figures(stats: Statistics, texts: Texts, threshold: int = DEFAULT_THRESHOLD) -> Figures:
    """Label and suppress every figure once, for text, chart and CSV alike."""
    words = _words(texts)
    show = Show(
        threshold, words["under"].format(threshold=threshold), words["hidden"], texts.locale
    )
    year = stats.year

    def codes(section: str, data: Mapping[Any, int], group: str | None) -> Section:
        def name(code: str | None) -> str:
            if code is None:
                return texts.label(None, "misc")
            return texts.label(code, group) if group else words[section][code]

        title = words["section"][section].format(year=year)
        return Section(section, title, tuple(show.count(k, name(k), n) for k, n in data.items()))

    ov = {key: label.format(year=year) for key, label in words["overview"].items()}
    average = show.ratio("average_age", ov["average_age"], stats.average_age, stats.ages_known)
    overview = [
        show.count(key, ov[key], getattr(stats, key))
        for key in (
            "total",
            "active",
            "inactive",
            "paused",
            "closed",
            "new_this_year",
            "children",
            "adults",
            "unknown_age",
        )
    ]
    overview += [
        average,
        show.count("transitions_total", ov["transitions_total"], stats.transitions_total),
        show.count("overdue_total", ov["overdue_total"], stats.overdue_total),
    ]
    sections = [
        Section("overview", words["section"]["overview"], tuple(overview)),
        codes("level", stats.by_level, "level"),
        codes("role", stats.by_role, "role"),
        codes("gender", stats.by_gender, "gender"),
        codes("arena", stats.by_arena, "arena"),
        codes("age_group", stats.by_age_group, None),
        codes("transitions", stats.transitions, "deadline_kind"),
        codes("overdue", stats.overdue, "deadline_kind"),
    ]
    load = []
    for place, n in stats.load.items():
        label = texts.label(place, "tjenestested")
        load.append(
            LoadRow(
                key=place,
                label=label,
                # Staff counts are not suppressed: they do not point out a service user.
                koordinatorer=Row(place, label, n.koordinatorer, str(n.koordinatorer)),
                with_cases=Row(place, label, n.with_cases, str(n.with_cases)),
                cases=show.count(place, label, n.cases),
                per_koordinator=show.ratio(place, label, n.per_koordinator, n.cases),
            )
        )
    sections += [
        Section(
            f"load_{field}",
            words["section"][f"load_{field}"],
            tuple(getattr(r, field) for r in load),
        )
        for field in LOAD_FIELDS
    ]
    return Figures(
        stats=stats,
        show=show,
        sections={s.key: s for s in sections},
        load=tuple(load),
        average_age=None if average.value is None or average.small else average.shown,
        words=words,
    )


# --- text ----------------------------------------------------------------------------


def render_text(stats: Statistics, texts: Texts, threshold: int = DEFAULT_THRESHOLD) -> str:
    """The Telegram message (HTML with <b> and <i> only), from `statistics/text.j2`."""
    f = figures(stats, texts, threshold)
    overview = {r.key: r for r in f.sections["overview"].rows}
    return str(
        texts.render(TEMPLATE, f=f, s=f.sections, ov=overview, today=stats.today, year=stats.year)
    )


# --- CSV -----------------------------------------------------------------------------

BOM = "\ufeff"


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def figures_csv(stats: Statistics, texts: Texts, threshold: int = DEFAULT_THRESHOLD) -> str:
    """Every figure as `del;kode;betegnelse;verdi` rows (section code, stored code,
    label, shown value with small counts suppressed)."""
    f = figures(stats, texts, threshold)
    return _csv(
        f.words["figures_csv"]["header"],
        ((s.key, r.key or "", r.label, r.shown) for s in f.sections.values() for r in s.rows),
    )


def cases_csv(cases: Iterable[CaseFact], texts: Texts, *, today: date) -> str:
    """The case list without content: id, labels of the codes, birth year (no month),
    age group, koordinator id and dates. Row-level data, so no suppression: it is for
    the KE, who may see every case anyway."""
    words = _words(texts)

    def group(case: CaseFact) -> str:
        code = age_group(age_on(case.birth_year, case.birth_month, today))
        return texts.label(None, "misc") if code is None else words["age_group"][code]

    return _csv(
        words["cases_csv"]["header"],
        (
            (
                c.case_id,
                texts.label(c.status, "status"),
                texts.label(c.level, "level"),
                texts.label(c.role, "role"),
                "" if c.birth_year is None else c.birth_year,
                group(c),
                texts.label(c.gender, "gender"),
                texts.label(c.arena, "arena"),
                texts.label(c.tjenestested, "tjenestested"),
                c.koordinator_id,
                format_short_date(c.created_on),
                format_short_date(c.closed_on),
            )
            for c in sorted(cases, key=lambda c: c.case_id)
        ),
    )
