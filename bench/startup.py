"""Bot start-up against the full database, in a fresh process each time: wall time
until the first /neste is answered (interpreter, imports, build, migrations check,
setMyCommands, then a read of one koordinator's deadlines, so a start-up that grows
with the data shows) and the process's peak memory, against a truly bare PTB
Application (a child that imports only `telegram` and `telegram.ext`)."""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.config import Target
from bench.report import Figure
from bench.updates import usable_chats

ROOT = Path(__file__).resolve().parent.parent
CHILD = ROOT / "bench" / "startup_child.py"
TARGET_RATIO = 2.0
TARGET_MB = 250.0


@dataclass(frozen=True)
class Start:
    seconds: float
    peak_mb: float
    phases: dict[str, float]
    modules: int


def start_once(mode: str, url: str = "", chat: int = 0) -> Start:
    """One child process; seconds from spawn until it printed `ready` (its first answer
    is out)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), mode, url, str(chat)],
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
    peak, modules = float(phases.pop("peak_rss_mb")), int(phases.pop("modules"))
    phases.pop("answer_chars", None)
    return Start(ready, peak, phases, modules)


def run(target: Target, repeats: int = 3) -> list[Figure]:
    chat = asyncio.run(usable_chats(target.url))[0]
    start_once("bot", target.url, chat)  # warm the page cache and .pyc files
    start_once("bare")
    bots = [start_once("bot", target.url, chat) for _ in range(repeats)]
    echoes = [start_once("bare") for _ in range(repeats)]
    seconds = statistics.median(s.seconds for s in bots)
    echo_seconds = statistics.median(s.seconds for s in echoes)
    peak = max(s.peak_mb for s in bots)
    echo_peak = max(s.peak_mb for s in echoes)
    phases = bots[len(bots) // 2].phases
    print(
        "  start-up: "
        + ", ".join(f"{k} done at {v:.2f} s" for k, v in phases.items())
        + f" (in-process clock); runs {', '.join(f'{s.seconds:.2f}' for s in bots)} s; "
        f"modules loaded: bot {bots[0].modules:,}, bare PTB app {echoes[0].modules:,}"
    )
    return [
        Figure(
            "start-up until the first /neste is answered",
            seconds,
            "s",
            echo_seconds,
            "bare PTB app",
            f"<= {TARGET_RATIO:.0f}x bare",
            seconds <= TARGET_RATIO * echo_seconds,
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
