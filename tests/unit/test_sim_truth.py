"""Truth files written beside simulated data (pacer.sim.truth)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from pacer.sim.receiver import SimulatedReceiver
from pacer.sim.runner import RunnerModel
from pacer.sim.scenarios import default_session_efforts
from pacer.sim.truth import (
    EPOCH_COLUMNS,
    STEP_COLUMNS,
    TRUTH_COLUMNS,
    write_epochs_csv,
    write_steps_csv,
    write_truth_csv,
)


@pytest.fixture(scope="module")
def runner() -> RunnerModel:
    return RunnerModel(default_session_efforts(), seed=6)


def test_truth_csv_round_trips(runner: RunnerModel, tmp_path: Path) -> None:
    path = tmp_path / "truth.csv"
    n = write_truth_csv(runner, path, rate_hz=2.0)
    with open(path) as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == TRUTH_COLUMNS
        rows = list(reader)
    assert len(rows) == n == int(runner.duration_s * 2.0) + 1
    t = np.array([float(r["t_s"]) for r in rows])
    d = np.array([float(r["distance_m"]) for r in rows])
    assert np.allclose(np.diff(t), 0.5)
    assert np.all(np.diff(d) >= 0)
    st = runner.state_at(t)
    assert np.allclose(d, st.distance_m, atol=0.001)
    laps = np.array([int(r["lap"]) for r in rows])
    assert laps[-1] == int(st.lap[-1]) and laps.max() >= 10
    reps = {r["label"] for r in rows if r["label"].startswith("rep")}
    assert reps == {f"rep {i}" for i in range(1, 7)}


def test_steps_csv_lists_every_footfall(runner: RunnerModel, tmp_path: Path) -> None:
    path = tmp_path / "steps.csv"
    n = write_steps_csv(runner, path)
    with open(path) as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == STEP_COLUMNS
        rows = list(reader)
    assert len(rows) == n == runner.step_times_s.size
    t = np.array([float(r["t_s"]) for r in rows])
    assert np.allclose(t, runner.step_times_s, atol=1e-4)
    assert {r["foot"] for r in rows} == {"L", "R"}
    assert {r["gait"] for r in rows} == {"walk", "run"}


def test_epochs_csv_pairs_reports_with_truth(runner: RunnerModel, tmp_path: Path) -> None:
    rx = SimulatedReceiver(runner, seed=6)
    path = tmp_path / "epochs.csv"
    n = write_epochs_csv(rx, path)
    with open(path) as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == EPOCH_COLUMNS
        rows = list(reader)
    assert len(rows) == n == len(rx)
    lost = [r for r in rows if r["valid"] == "0"]
    assert lost and all(r["lat_deg"] == "" for r in lost)
    good = [r for r in rows if r["valid"] == "1"]
    err = np.array([float(r["speed_mps"]) - float(r["true_speed_mps"]) for r in good])
    assert 0.03 < err.std() < 0.3
    assert rows[0]["utc"].endswith("Z")
