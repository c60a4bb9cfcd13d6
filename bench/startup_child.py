"""The child process of the start-up benchmark: `python -m bench.startup_child MODE URL`.

MODE `bot` builds the real Application against URL and runs start_app (migrations,
setMyCommands to the stand-in); MODE `echo` starts a bare PTB Application. Prints
`ready` the moment start-up is done, then, after shutting down, one JSON line with
the phases and the peak memory of this process."""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import asyncio  # noqa: E402 - the imports are part of what is timed
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from typing import Any  # noqa: E402


def _peak_rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _bot(url: str, phases: dict[str, float]) -> None:
    from bench.config import bench_settings, cipher
    from koordbot.app import build_application, start_app, stop_app
    from koordbot.standin import FakeTelegram

    phases["import"] = time.perf_counter() - STARTED
    telegram = FakeTelegram()
    app = build_application(bench_settings(url), telegram=telegram, cipher=cipher())
    phases["build"] = time.perf_counter() - STARTED
    await start_app(app)
    phases["start_app"] = time.perf_counter() - STARTED
    print("ready", flush=True)
    assert telegram.commands, "setMyCommands did not reach the stand-in"
    await stop_app(app)


async def _echo(phases: dict[str, float]) -> None:
    from bench.harness import running_echo
    from koordbot.standin import FakeTelegram

    phases["import"] = time.perf_counter() - STARTED
    async with running_echo(FakeTelegram()):
        phases["start_app"] = time.perf_counter() - STARTED
        print("ready", flush=True)


def main(argv: list[str]) -> None:
    mode, url = argv[0], argv[1] if len(argv) > 1 else ""
    phases: dict[str, Any] = {}
    asyncio.run(_bot(url, phases) if mode == "bot" else _echo(phases))
    phases["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(phases), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
