"""A simulated session written as files (pacer.sim.dataset)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pacer.gps.decoder import NmeaDecoder
from pacer.sim.accel import GaitSignal
from pacer.sim.dataset import write_dataset
from pacer.sim.receiver import SimulatedReceiver
from pacer.sim.runner import Effort, RunnerModel
from pacer.units import G_MPS2


def test_dataset_files_agree_with_the_models(tmp_path: Path) -> None:
    runner = RunnerModel([Effort("stand", duration_s=5.0), Effort("jog", distance_m=200.0),
                          Effort("run", distance_m=200.0, duration_s=40.0)], seed=2)
    rx = SimulatedReceiver(runner, seed=2, corrupt_rate=0.0, dropouts=False)
    sig = GaitSignal(runner, seed=2)
    files = write_dataset(tmp_path / "ds", runner, rx, sig, accel_rate_hz=50.0)

    accel = np.loadtxt(files.accel_csv, delimiter=",", skiprows=1)
    assert accel.shape == (int(np.floor(runner.duration_s * 50.0)) + 1, 4)
    assert np.allclose(accel[:, 0], np.arange(accel.shape[0]) / 50.0)
    assert np.allclose(accel[:, 1:], sig(accel[:, 0]), atol=1e-4)  # 4 decimals
    still = accel[:, 0] < 4.0
    assert abs(np.linalg.norm(accel[still, 1:], axis=1).mean() - G_MPS2) < 0.05

    decoder = NmeaDecoder(skip_comments=True)
    fixes = decoder.feed(0.0, files.nmea.read_bytes()) + decoder.end_epoch()
    assert len(fixes) == len(rx) and all(f.valid for f in fixes)

    truth = np.loadtxt(files.truth_csv, delimiter=",", skiprows=1, usecols=(0, 1))
    assert abs(truth[-1, 1] - 400.0) < 3.0  # 1 Hz rows: the last is within a second of the end
    steps = files.steps_csv.read_text().splitlines()
    assert len(steps) - 1 == runner.step_times_s.size
    assert len(files.epochs_csv.read_text().splitlines()) - 1 == len(rx)
