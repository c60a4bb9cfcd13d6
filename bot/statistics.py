"""Statistics for the koordinerende enhet (`/statistikk`): figures, text, chart, CSV.

The figures a KE leader presents (as in the Skaun slides): active and inactive cases,
cases for ages 0-17 and 18+, new this year, cases per level and role, age and gender,
koordinator load per tjenestested, transitions ahead this year and overdue deadlines.

The caller reads plain facts from the database (`CaseFact`, `DeadlineFact`,
`KoordinatorFact`); `compute` turns them into raw `Statistics` and the renderers turn
those into a Telegram message (`render_text`), a PNG for a slide (`render_chart`) and
CSV (`figures_csv`, `cases_csv`). Nothing here touches Telegram or SQL.

Decisions:
- Distributions (level, role, gender, arena, age) count **active** cases; "inactive" is
  paused + closed, as in the Skaun slide. Deadlines count only for active cases.
- Age is completed years today from birth month and year (`bot.rules.age.age_on`).
  Age groups 0-5, 6-12, 13-17, 18-25, 26-66, 67+: kindergarten, primary school,
  lower/upper secondary, young adults, working age, retirement age; 0-17 and 18+
  are the children/adults split of the slide.
- Small counts (1 up to `threshold` - 1) are replaced by "under {threshold}" when
  rendering, never in `compute`; 0 stays 0, and a threshold of 0 or 1 shows all. An
  average or ratio that rests on such a count is left out. Koordinator counts are not
  suppressed: they count staff, not the people who receive services. The chart draws a
  suppressed count as a hatched bar up to the threshold (the range it lies in) with
  the marker as its label. Totals are shown, so a suppressed count can at times be
  worked out by subtraction; the rule keeps single small numbers off slides, it is not
  full disclosure control.
- CSV: `;` separated with a decimal comma (what Excel expects in Norwegian locale),
  UTF-8 with a BOM so Excel reads æøå, dates as 05.03.2027. The case list holds codes
  turned into labels and ids only, no alias and no free text, and the birth year
  without the month.

Every word comes from `messages/<locale>/statistics.yaml` and the template
`statistics/text.j2`.
"""

from __future__ import annotations

import csv
import io
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from babel.numbers import format_decimal
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.patches import Patch
from matplotlib.ticker import NullLocator

from bot.rules.age import age_on
from messages import Texts, capitalised, format_short_date
from storage.enums import Arena, CaseStatus, Gender, Level, Role, Tjenestested

DEFAULT_THRESHOLD = 5
ADULT_AGE = 18
# (code, first age, last age or None for "and older")
AGE_GROUPS: tuple[tuple[str, int, int | None], ...] = (
    ("0-5", 0, 5),
    ("6-12", 6, 12),
    ("13-17", 13, 17),
    ("18-25", 18, 25),
    ("26-66", 26, 66),
    ("67+", 67, None),
)
PENDING = frozenset({"open", "proposed"})
TRANSITION_SOURCE = "transition"
WORDS_FILE = "statistics.yaml"
TEMPLATE = "statistics/text"

# Chart look: ~1600x1000 px, calm colours that survive a projector.
FIGSIZE_IN = (16.0, 10.0)
DPI = 100
INK = "#1f2a44"
GREY = "#5a5a5a"
PRIMARY = "#2f6690"
SECONDARY = "#d9822b"
SUPPRESSED = "#c9d3de"
LABEL_WIDTH = 26
MAX_BARS = 10  # per panel, so labels stay readable on a slide
MIN_SLOTS = 4


@dataclass(frozen=True)
class CaseFact:
    """One case as statistics see it: codes, birth month/year and dates, no content."""

    case_id: int
    status: str
    level: str
    role: str
    birth_year: int | None
    birth_month: int | None
    gender: str | None
    arena: str | None
    tjenestested: str | None
    koordinator_id: int
    created_on: date
    closed_on: date | None


@dataclass(frozen=True)
class DeadlineFact:
    """One deadline: kind, due date, status (open/proposed/done/dismissed) and source
    (transition/cadence/samtale/manual/mote)."""

    case_id: int
    kind: str
    due: date
    status: str
    source: str


@dataclass(frozen=True)
class KoordinatorFact:
    """One registered koordinator: where they work and whether they are active."""

    koordinator_id: int
    tjenestested: str | None
    active: bool


@dataclass(frozen=True)
class Load:
    """Koordinator load at one tjenestested."""

    koordinatorer: int  # active koordinatorer registered there
    with_cases: int  # koordinatorer holding at least one of its active cases
    cases: int  # active cases whose tjenestested it is

    @property
    def per_koordinator(self) -> float | None:
        """Active cases per active koordinator, one decimal; None without koordinatorer."""
        return round(self.cases / self.koordinatorer, 1) if self.koordinatorer else None


@dataclass(frozen=True)
class Statistics:
    """Raw figures for the whole municipality on `today` (nothing suppressed).

    Dicts are ordered and keyed by stored codes (None = not given): the known codes
    in vocabulary order, always present; unknown codes after them; None last, only
    when it occurs."""

    today: date
    active: int
    paused: int
    closed: int
    new_this_year: int
    children: int
    adults: int
    unknown_age: int
    by_level: dict[str | None, int]
    by_role: dict[str | None, int]
    by_gender: dict[str | None, int]
    by_arena: dict[str | None, int]
    by_age_group: dict[str | None, int]
    ages_known: int
    average_age: float | None
    # Only tjenestesteder with an active koordinator or an active case.
    load: dict[str | None, Load]
    # Open or proposed transition deadlines from today to 31 December, by kind,
    # in order of the first one due.
    transitions: dict[str, int]
    # Open or proposed deadlines due before today, by kind, most first.
    overdue: dict[str, int]

    @property
    def inactive(self) -> int:
        """Paused and closed cases."""
        return self.paused + self.closed

    @property
    def total(self) -> int:
        return self.active + self.paused + self.closed

    @property
    def year(self) -> int:
        return self.today.year

    @property
    def transitions_total(self) -> int:
        return sum(self.transitions.values())

    @property
    def overdue_total(self) -> int:
        return sum(self.overdue.values())


# --- figures -------------------------------------------------------------------------


def age_group(age: int | None) -> str | None:
    """The code of the age group `age` falls in ("0-5" ... "67+"), None when unknown."""
    if age is None:
        return None
    for code, first, last in AGE_GROUPS:
        if age >= first and (last is None or age <= last):
            return code
    return None


def compute(
    cases: Iterable[CaseFact],
    deadlines: Iterable[DeadlineFact],
    koordinatorer: Iterable[KoordinatorFact],
    *,
    today: date,
) -> Statistics:
    """All figures of `/statistikk` from plain facts, raw (suppression is for renderers)."""
    cases = list(cases)
    active = [c for c in cases if c.status == CaseStatus.ACTIVE]
    paused = sum(1 for c in cases if c.status == CaseStatus.PAUSED)
    ages = [age_on(c.birth_year, c.birth_month, today) for c in active]
    known = [a for a in ages if a is not None]
    children = sum(1 for a in known if a < ADULT_AGE)

    active_ids = {c.case_id for c in active}
    pending = [d for d in deadlines if d.case_id in active_ids and d.status in PENDING]
    year_end = date(today.year, 12, 31)
    ahead = sorted(
        (d.due, d.kind)
        for d in pending
        if d.source == TRANSITION_SOURCE and today <= d.due <= year_end
    )
    transitions: dict[str, int] = {}
    for _, kind in ahead:
        transitions[kind] = transitions.get(kind, 0) + 1
    overdue = Counter(d.kind for d in pending if d.due < today)

    return Statistics(
        today=today,
        active=len(active),
        paused=paused,
        # Anything neither active nor paused is out of the active work: closed.
        closed=len(cases) - len(active) - paused,
        new_this_year=sum(1 for c in cases if c.created_on.year == today.year),
        children=children,
        adults=len(known) - children,
        unknown_age=len(ages) - len(known),
        by_level=_tally((c.level for c in active), Level),
        by_role=_tally((c.role for c in active), Role),
        by_gender=_tally((c.gender for c in active), Gender),
        by_arena=_tally((c.arena for c in active), Arena),
        by_age_group=_tally((age_group(a) for a in ages), (code for code, *_ in AGE_GROUPS)),
        ages_known=len(known),
        average_age=round(sum(known) / len(known), 1) if known else None,
        load=_load(active, koordinatorer),
        transitions=transitions,
        overdue=dict(sorted(overdue.items(), key=lambda item: (-item[1], item[0]))),
    )


def _tally(values: Iterable[str | None], codes: Iterable[str]) -> dict[str | None, int]:
    counts = Counter(values)
    result: dict[str | None, int] = {str(code): counts.pop(str(code), 0) for code in codes}
    missing = counts.pop(None, 0)
    result.update(sorted(counts.items()))
    if missing:
        result[None] = missing
    return result


def _load(
    active: Sequence[CaseFact], koordinatorer: Iterable[KoordinatorFact]
) -> dict[str | None, Load]:
    staff = Counter(k.tjenestested for k in koordinatorer if k.active)
    cases = Counter(c.tjenestested for c in active)
    holders = Counter(t for t, _ in {(c.tjenestested, c.koordinator_id) for c in active})
    places = _tally([*staff.elements(), *cases.elements()], Tjenestested)
    return {
        place: Load(koordinatorer=staff[place], with_cases=holders[place], cases=cases[place])
        for place, n in places.items()
        if n
    }


# --- suppression ---------------------------------------------------------------------


def is_small(n: int, threshold: int) -> bool:
    """True for a count that could point out a person: 1 up to threshold - 1.

    0 is never small (nobody to point out); a threshold of 0 or 1 turns this off."""
    return 0 < n < threshold


def suppress(n: int, threshold: int, marker: str) -> int | str:
    """`n`, or `marker` (e.g. "under 5") when `n` is small."""
    return marker if is_small(n, threshold) else n


# --- the shared layout of text, chart and figures CSV --------------------------------


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


# --- chart ---------------------------------------------------------------------------


def render_chart(stats: Statistics, texts: Texts, threshold: int = DEFAULT_THRESHOLD) -> bytes:
    """A PNG (about 1600x1000 px) for a slide: key figures on top, then level, role,
    age and gender of active cases, koordinator load per tjenestested, transitions
    ahead this year and overdue deadlines. Headless: a bare `Figure`, no pyplot."""
    f = figures(stats, texts, threshold)
    w = f.words["chart"]
    s = f.sections
    ov = s["overview"]

    fig = Figure(figsize=FIGSIZE_IN, dpi=DPI, layout="constrained", facecolor="white")
    head, top, bottom, foot = _stack(fig, (1, 4, 4, 0.25))
    head.text(
        0.005,
        0.72,
        w["title"].format(ke=capitalised(texts.ke_name), date=texts.long_date(stats.today)),
        fontsize=22,
        weight="bold",
        color=INK,
        va="center",
    )
    summary = w["summary"].format(
        year=stats.year,
        **{
            k: ov.row(k).shown
            for k in (
                "active",
                "inactive",
                "paused",
                "closed",
                "children",
                "adults",
                "new_this_year",
            )
        },
    )
    head.text(0.005, 0.22, summary, fontsize=13, color=GREY, va="center")
    note = w["footnote"] + (" " + w["footnote_small"] if f.any_small else "")
    foot.text(
        0.995,
        0.5,
        note.format(threshold=threshold, last=threshold - 1),
        ha="right",
        va="center",
        fontsize=9.5,
        color=GREY,
        style="italic",
    )

    level_ax, role_ax, age_ax, gender_ax = top.subplots(1, 4, width_ratios=(1, 1, 1.2, 0.9))
    load_ax, trans_ax, overdue_ax = bottom.subplots(1, 3, width_ratios=(1.15, 1, 1))

    none = f.words["none"]
    _bars(level_ax, w["level"], s["level"].rows, threshold, horizontal=True)
    _bars(role_ax, w["role"], s["role"].rows, threshold, horizontal=True)
    age_title = (
        w["age"] if f.average_age is None else w["age_average"].format(average=f.average_age)
    )
    _bars(age_ax, age_title, _nonzero_unknown(s["age_group"].rows), threshold, horizontal=False)
    _bars(
        gender_ax,
        w["gender"],
        _nonzero_unknown(s["gender"].rows),
        threshold,
        horizontal=True,
        color=SECONDARY,
    )
    _load_bars(load_ax, w, f.load[:MAX_BARS], threshold, none)
    _bars(
        trans_ax,
        w["transitions"].format(year=stats.year),
        _capped(s["transitions"].rows, f),
        threshold,
        horizontal=True,
        none=none,
    )
    _bars(
        overdue_ax,
        w["overdue"].format(total=ov.row("overdue_total").shown),
        _capped(s["overdue"].rows, f),
        threshold,
        horizontal=True,
        color=SECONDARY,
        none=none,
    )

    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _stack(fig: Figure, heights: Sequence[float]) -> list[SubFigure]:
    grid = fig.add_gridspec(len(heights), 1, height_ratios=heights)
    return [fig.add_subfigure(grid[i]) for i in range(len(heights))]


def _capped(rows: Sequence[Row], f: Figures) -> Sequence[Row]:
    """At most MAX_BARS rows; the rest summed into one 'other' row (itself suppressed)."""
    rows = [r for r in rows if r.value]
    if len(rows) <= MAX_BARS:
        return rows
    rest = sum(int(r.value or 0) for r in rows[MAX_BARS - 1 :])
    return [*rows[: MAX_BARS - 1], f.show.count(None, f.words["other"], rest)]


def _nonzero_unknown(rows: Sequence[Row]) -> tuple[Row, ...]:
    """Known codes always (a stable axis); 'not given' only when it occurs."""
    return tuple(r for r in rows if r.key is not None or r.value)


def _style(ax: Axes, title: str, horizontal: bool, pad: float = 10) -> None:
    ax.set_title(title, loc="left", fontsize=14, weight="bold", color=INK, pad=pad)
    for side in ("top", "right", "bottom" if horizontal else "left"):
        ax.spines[side].set_visible(False)
    (ax.xaxis if horizontal else ax.yaxis).set_major_locator(NullLocator())
    ax.tick_params(colors=INK, labelsize=11, length=0)


def _empty(ax: Axes, title: str, text: str) -> None:
    ax.set_title(title, loc="left", fontsize=14, weight="bold", color=INK, pad=10)
    ax.text(
        0.5, 0.5, text, ha="center", va="center", fontsize=13, color=GREY, transform=ax.transAxes
    )
    ax.set_axis_off()


def _slots(ax: Axes, n: int) -> None:
    """Top to bottom, with room for at least MIN_SLOTS bars so a short list keeps thin bars."""
    ax.set_ylim(max(n, MIN_SLOTS) - 0.5, -0.5)
    ax.spines["left"].set_bounds(n - 0.5, -0.5)


def _wrap(label: str) -> str:
    return textwrap.fill(label, LABEL_WIDTH)


def _draw(
    ax: Axes,
    positions: Sequence[float],
    rows: Sequence[Row],
    threshold: int,
    horizontal: bool,
    size: float,
    color: str,
) -> None:
    """Bars with their shown value; a small count is a hatched bar up to the threshold."""
    for small in (False, True):
        picked = [(p, r) for p, r in zip(positions, rows, strict=True) if r.small is small]
        if not picked:
            continue
        where = [p for p, _ in picked]
        heights = [threshold if small else (r.value or 0) for _, r in picked]
        style: dict[str, Any] = (
            {"color": SUPPRESSED, "hatch": "///", "edgecolor": "white", "linewidth": 0}
            if small
            else {"color": color}
        )
        bars = (
            ax.barh(where, heights, height=size, **style)
            if horizontal
            else ax.bar(where, heights, width=size, **style)
        )
        ax.bar_label(
            bars,
            labels=[r.shown for _, r in picked],
            padding=4,
            fontsize=11,
            color=GREY if small else INK,
            style="italic" if small else "normal",
        )


def _bars(
    ax: Axes,
    title: str,
    rows: Sequence[Row],
    threshold: int,
    *,
    horizontal: bool,
    color: str = PRIMARY,
    none: str | None = None,
) -> None:
    """One panel of single bars; with `none` given, zero rows are dropped."""
    if none is not None:
        rows = [r for r in rows if r.value]
        if not rows:
            _empty(ax, title, none)
            return
    positions = list(range(len(rows)))
    _draw(ax, positions, rows, threshold, horizontal, 0.7, color)
    labels = [_wrap(r.label) for r in rows]
    top = max([threshold, *(r.value or 0 for r in rows)], default=1) or 1
    if horizontal:
        ax.set_yticks(positions, labels)
        _slots(ax, len(rows))
        ax.set_xlim(0, top * 1.25)
    else:
        ax.set_xticks(positions, [r.label.replace(" ", "\n", 1) for r in rows])
        ax.set_ylim(0, top * 1.18)
    _style(ax, title, horizontal)


def _load_bars(
    ax: Axes, w: Mapping[str, str], load: Sequence[LoadRow], threshold: int, none: str
) -> None:
    """Koordinatorer and active cases side by side per tjenestested (as on the slide)."""
    if not load:
        _empty(ax, w["load"], none)
        return
    size = 0.38
    positions = [float(i) for i in range(len(load))]
    _draw(
        ax,
        [p - size / 2 for p in positions],
        [r.koordinatorer for r in load],
        0,
        True,
        size,
        SECONDARY,
    )
    _draw(
        ax,
        [p + size / 2 for p in positions],
        [r.cases for r in load],
        threshold,
        True,
        size,
        PRIMARY,
    )
    ax.set_yticks(positions, [_wrap(r.label) for r in load])
    _slots(ax, len(load))
    top = max([threshold, *(max(r.koordinatorer.value or 0, r.cases.value or 0) for r in load)])
    ax.set_xlim(0, top * 1.25)
    _style(ax, w["load"], True, pad=30)
    ax.legend(
        handles=[
            Patch(color=SECONDARY, label=w["load_koordinatorer"]),
            Patch(color=PRIMARY, label=w["load_cases"]),
        ],
        loc="lower left",
        bbox_to_anchor=(0, 1),
        ncols=2,
        frameon=False,
        fontsize=11,
        borderaxespad=0.2,
        handlelength=1.2,
    )
