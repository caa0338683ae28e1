"""``pacer bench``: throughput and per-stage cost of the live pipeline on this machine."""

from __future__ import annotations

import argparse

from pacer.cli.argtypes import nonnegative_int, positive_float


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "bench",
        help="time the live pipeline on a synthetic hour",
        description=(
            "Run the live pipeline (NMEA framer and parser, estimator, workout engine, "
            "session store) on a simulated hour of 5 Hz GPS and 100 Hz accelerometer data. "
            "Prints throughput (times real time), microseconds per stage, peak memory, and "
            "the CPU share it implies for a Raspberry Pi Zero 2 W."
        ),
    )
    p.add_argument(
        "--minutes", type=positive_float, default=60.0, help="length of the synthetic run"
    )
    p.add_argument("--seed", type=nonnegative_int, default=0, help="random seed of the simulation")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pacer.tools.bench import run_bench

    result = run_bench(seed=args.seed, duration_s=args.minutes * 60.0)
    print(result.report())
    return 0
