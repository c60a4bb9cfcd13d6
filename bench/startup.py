"""Bot start-up against the full database, in a fresh process each time: wall time
until start_app returned (interpreter, imports, build, migrations check,
setMyCommands) and the process's peak memory, against a bare PTB Application."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.config import Target
from bench.report import Figure

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 3.0
TARGET_MB = 250.0


@dataclass(frozen=True)
class Start:
    seconds: float
    peak_mb: float
    phases: dict[str, float]


def start_once(mode: str, url: str) -> Start:
    """One child process; seconds from spawn until it printed `ready`."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.startup_child", mode, url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline().strip()
    ready = time.perf_counter() - started
    # Read through the same buffered file: communicate() would skip what it holds.
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.wait(timeout=120)
    if first != "ready" or proc.returncode != 0 or not out.strip():
        raise RuntimeError(f"start-up child failed ({proc.returncode}): {first} {err[-800:]}")
    phases = json.loads(out.strip().splitlines()[-1])
    return Start(ready, float(phases.pop("peak_rss_mb")), phases)


def run(target: Target, repeats: int = 3) -> list[Figure]:
    start_once("bot", target.url)  # warm the page cache and .pyc files
    bots = [start_once("bot", target.url) for _ in range(repeats)]
    echoes = [start_once("echo", "") for _ in range(repeats)]
    seconds = statistics.median(s.seconds for s in bots)
    echo_seconds = statistics.median(s.seconds for s in echoes)
    peak = max(s.peak_mb for s in bots)
    echo_peak = max(s.peak_mb for s in echoes)
    phases = bots[len(bots) // 2].phases
    print(
        "  start-up: "
        + ", ".join(f"{k} done at {v:.2f} s" for k, v in phases.items())
        + f" (in-process clock); runs {', '.join(f'{s.seconds:.2f}' for s in bots)} s"
    )
    return [
        Figure(
            "start-up time",
            seconds,
            "s",
            echo_seconds,
            "bare PTB app",
            f"< {TARGET_S:.0f} s",
            seconds < TARGET_S,
        ),
        Figure(
            "start-up peak memory (RSS)",
            peak,
            "MB",
            echo_peak,
            "bare PTB app",
            f"< {TARGET_MB:.0f} MB",
            peak < TARGET_MB,
        ),
    ]
