"""Write a simulated session as files: NMEA log, accelerometer CSV, and the truth.

``python -m pacer.sim.dataset OUTDIR [--scenario 6x400] [--seed N] [--gps-rate HZ]
[--accel-rate HZ] [--placement hip] [--corrupt-rate P]`` writes into ``OUTDIR``:

* ``gps.nmea`` — the receiver's bytes (the NMEA log of docs/contracts.md; ``#`` header line);
* ``accel.csv`` — ``t_s,ax,ay,az`` in m/s^2, ``t_s`` relative seconds on the same
  timeline as the receiver's epochs (epoch 0 is ``t_s = 0``);
* ``truth.csv``, ``steps.csv``, ``epochs.csv`` — see :mod:`pacer.sim.truth`.

So ``pacer replay --nmea OUTDIR/gps.nmea --accel OUTDIR/accel.csv`` runs a simulated
session from files, and a benchmark can score it against the truth beside it.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pacer.sim.accel import PLACEMENTS, GaitSignal
from pacer.sim.receiver import SimulatedReceiver
from pacer.sim.runner import RunnerModel
from pacer.sim.scenarios import SCENARIOS
from pacer.sim.truth import write_epochs_csv, write_steps_csv, write_truth_csv


@dataclass(frozen=True)
class DatasetFiles:
    """Paths written by :func:`write_dataset`."""

    nmea: Path
    accel_csv: Path
    truth_csv: Path
    steps_csv: Path
    epochs_csv: Path


def write_accel_csv(signal: GaitSignal, path: str | os.PathLike[str], rate_hz: float,
                    duration_s: float, block: int = 20_000) -> int:
    """Sample ``signal`` at ``rate_hz`` from 0 to ``duration_s``; returns rows written."""
    n = int(np.floor(duration_s * rate_hz)) + 1
    with open(path, "w") as f:
        f.write("t_s,ax,ay,az\n")
        for start in range(0, n, block):
            t = np.arange(start, min(n, start + block)) / rate_hz
            a = signal(t)
            rows = np.column_stack([t, a])
            np.savetxt(f, rows, fmt=["%.4f", "%.4f", "%.4f", "%.4f"], delimiter=",")
    return n


def write_dataset(out_dir: str | os.PathLike[str], runner: RunnerModel,
                  receiver: SimulatedReceiver, signal: GaitSignal,
                  accel_rate_hz: float = 100.0) -> DatasetFiles:
    """Write the NMEA log, accelerometer CSV and truth files of one simulated session."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = DatasetFiles(out / "gps.nmea", out / "accel.csv", out / "truth.csv",
                         out / "steps.csv", out / "epochs.csv")
    receiver.write_log(files.nmea)
    write_accel_csv(signal, files.accel_csv, accel_rate_hz, runner.duration_s)
    write_truth_csv(runner, files.truth_csv, rate_hz=1.0)
    write_steps_csv(runner, files.steps_csv)
    write_epochs_csv(receiver, files.epochs_csv)
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pacer.sim.dataset",
                                 description="Write a simulated session and its truth as files.")
    ap.add_argument("out_dir")
    ap.add_argument("--scenario", choices=sorted(SCENARIOS), default="6x400")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--gps-rate", type=float, default=1.0, help="receiver epochs per second")
    ap.add_argument("--accel-rate", type=float, default=100.0, help="accelerometer samples/s")
    ap.add_argument("--placement", choices=sorted(PLACEMENTS), default="hip")
    ap.add_argument("--corrupt-rate", type=float, default=0.002)
    args = ap.parse_args(argv)
    runner = RunnerModel(SCENARIOS[args.scenario](), seed=args.seed)
    receiver = SimulatedReceiver(runner, rate_hz=args.gps_rate, seed=args.seed,
                                 corrupt_rate=args.corrupt_rate)
    signal = GaitSignal(runner, placement=args.placement, seed=args.seed)
    files = write_dataset(args.out_dir, runner, receiver, signal, args.accel_rate)
    print(f"{args.scenario} seed {args.seed}: {runner.duration_s:.0f} s, "
          f"{len(receiver)} epochs, {runner.step_times_s.size} steps -> {files.nmea.parent}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
