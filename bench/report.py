"""Figures with their baseline, ratio and target, printed as one table per backend."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured value; `ok` is None when the figure has no target of its own."""

    what: str
    value: float
    unit: str  # ms | s | MB | "" (a count)
    baseline: float | None = None
    baseline_what: str = ""
    target: str = ""
    ok: bool | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline


def fmt(value: float, unit: str) -> str:
    if unit == "":
        return f"{value:,.0f}"
    if unit == "ms":
        return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:.0f} {unit}"


def percentile(samples: list[float], p: int) -> float:
    """The p-th percentile (inclusive method, so p99 of 300 samples is near the 3rd
    highest)."""
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


def table(title: str, figures: list[Figure]) -> str:
    header = ("figure", "value", "baseline", "ratio", "target", "")
    rows = [header]
    for f in figures:
        base = f"{fmt(f.baseline, f.unit)} ({f.baseline_what})" if f.baseline is not None else ""
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else ""
        verdict = "" if f.ok is None else "PASS" if f.ok else "MISS"
        rows.append((f.what, fmt(f.value, f.unit), base, ratio, f.target, verdict))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [title, "=" * len(title)]
    for i, r in enumerate(rows):
        cells = [
            r[0].ljust(widths[0]),
            r[1].rjust(widths[1]),
            r[2].ljust(widths[2]),
            r[3].rjust(widths[3]),
            r[4].ljust(widths[4]),
            r[5],
        ]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
