"""The PNG for a slide. Imported only when a chart is drawn: matplotlib costs half a
second and memory at start-up."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.patches import Patch
from matplotlib.ticker import NullLocator

from bot.statistics.compute import DEFAULT_THRESHOLD, Statistics
from bot.statistics.figures import Figures, LoadRow, Row, figures
from messages import Texts, capitalised

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
