"""`python -m bench`: generate (or reuse) the national-scale municipality and print
every figure with its baseline, ratio and target, per backend."""

from __future__ import annotations

import argparse
import asyncio
import platform
import time

from bench import burst, dispatch, load, sqlplan, startup, sweep, updates
from bench.config import DATA_DIR, Target, target_for
from bench.harness import install_tally
from bench.report import Figure, table

PARTS = ("neste", "frister", "plans", "sweep", "dispatch", "burst", "startup")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Koordinatorbot at national scale: 20,000 koordinatorer, 100,000 cases, "
        "1,000,000 deadlines (times --scale), on SQLite and PostgreSQL.",
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = national (default)")
    parser.add_argument("--fresh", action="store_true", help="regenerate the data")
    parser.add_argument(
        "--only", default=",".join(PARTS), help=f"comma-separated parts of {','.join(PARTS)}"
    )
    parser.add_argument(
        "--dispatch-count",
        type=int,
        default=10_000,
        help="reminders to dispatch (floor = N/30 s; 10,000 take about 6.5 minutes)",
    )
    parser.add_argument("--iterations", type=int, default=300, help="timed updates per command")
    parser.add_argument(
        "--presses",
        type=int,
        default=None,
        help="koordinatorer pressing at once in `burst` (default 2,000 times --scale)",
    )
    parser.add_argument(
        "--burst-dispatch",
        type=int,
        default=None,
        help="reminders dispatched during each burst (default 1,000 times --scale)",
    )
    args = parser.parse_args(argv)
    args.parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s) {', '.join(sorted(unknown))}; choose from {PARTS}")
    return args


def run_backend(
    target: Target, args: argparse.Namespace, bursts: dict[str, dict[str, float]]
) -> list[Figure]:
    tally = install_tally()
    meta = asyncio.run(load.ensure(target, args.scale, fresh=args.fresh))
    figures: list[Figure] = []
    if "startup" in args.parts:
        figures += startup.run(target)
    commands = [f"/{p}" for p in ("neste", "frister") if p in args.parts]
    if commands:
        figures += asyncio.run(updates.run(target, commands, args.iterations, tally))
    if "plans" in args.parts:
        figures += asyncio.run(sqlplan.write_paths(target))
    if "sweep" in args.parts:
        figures += asyncio.run(sweep.run(target))
    if "dispatch" in args.parts:
        count = min(args.dispatch_count, int(meta["dispatch"]))
        figures += asyncio.run(dispatch.run(target, count, tally))
    if "burst" in args.parts:
        presses = args.presses or round(burst.PRESSES * args.scale)
        during = args.burst_dispatch or round(burst.DISPATCH * args.scale)
        found, bursts[target.backend] = asyncio.run(
            burst.run(target, presses, during, tally, tuple(burst.KINDS))
        )
        figures += found
    return figures


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    print(
        f"Koordinatorbot benchmark, scale {args.scale:g}, parts {','.join(args.parts)}; "
        f"data in {DATA_DIR}; Python {platform.python_version()} on {platform.machine()}"
    )
    tables: list[str] = []
    bursts: dict[str, dict[str, float]] = {}
    for backend in backends:
        target = target_for(backend, args.scale)
        print(f"\n## {target.label}")
        started = time.perf_counter()
        try:
            figures = run_backend(target, args, bursts)
        except OSError as exc:  # e.g. PostgreSQL not reachable
            print(f"  skipped: {exc}")
            continue
        title = f"{target.label}, scale {args.scale:g} ({time.perf_counter() - started:.0f} s)"
        tables.append(table(title, figures))
        print()
        print(tables[-1])
    if "sqlite" in bursts and "postgresql" in bursts:
        tables.append(table("SQLite against PostgreSQL", burst.compare(**bursts)))
        print()
        print(tables[-1])
    if len(tables) > 1:
        print("\n# Summary\n")
        print("\n\n".join(tables))


if __name__ == "__main__":
    main()
