"""Cadence and step counting on real walking data (Oxford Step Counter, CC BY 4.0)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers.shared_data import needs_shared, shared_path

from pacer.dsp.cadence import CadenceTracker
from pacer.models import AccelBlock

REPO = Path(__file__).resolve().parents[2]
SLICE = REPO / "tests" / "data" / "accel" / "oxford_user1_neckpouch_slice.csv"
SHARED = shared_path("accel", "oxford_step_counter")


def replay(path: Path):
    """Blocks of ~1 s with the rate calibrated by regressing time on sample index."""
    d = np.loadtxt(path, delimiter=",")
    t_s = (d[:, 0] - d[0, 0]) / 1e9
    idx = np.arange(t_s.size)
    slope_s, t0_s = np.polyfit(idx, t_s, 1)
    tracker = CadenceTracker()
    estimates, footfalls = [], []
    for start in range(0, t_s.size, 100):
        block = AccelBlock(t0_s + start * slope_s, 1.0 / slope_s, d[start : start + 100, 1:4])
        estimates += tracker.push(block)
        footfalls += tracker.footfalls()
    truth_steps = d[-1, 5] - d[0, 5]
    return estimates, footfalls, truth_steps, t_s[-1]


def test_neck_pouch_slice_cadence_and_steps():
    estimates, footfalls, truth_steps, duration_s = replay(SLICE)
    truth_spm = 60.0 * truth_steps / duration_s
    walking = [e for e in estimates if e.t_s >= 4.0]
    assert all(e.mode == "walk" for e in walking)
    assert all(abs(e.cadence_spm - truth_spm) < 6.0 for e in walking)
    # Footfalls start once the first window is full, but cover the whole buffer.
    assert abs(len(footfalls) - truth_steps) <= 3


@needs_shared("accel", "oxford_step_counter")
@pytest.mark.parametrize("name", ["user1_neckpouch", "user2_hand", "user1_armband"])
def test_full_recordings_step_count(name):
    (path,) = SHARED.glob(f"{name}_*.csv")
    _, footfalls, truth_steps, _ = replay(path)
    assert abs(len(footfalls) - truth_steps) / truth_steps < 0.03
