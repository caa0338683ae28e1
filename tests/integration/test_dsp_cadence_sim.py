"""Cadence and footfalls on the project's runner simulator (pacer.sim) end to end."""

from __future__ import annotations

import numpy as np
import pytest

from pacer.dsp.cadence import CadenceTracker
from pacer.models import AccelBlock
from pacer.sim.accel import GaitSignal
from pacer.sim.runner import Effort, RunnerModel


def session(placement: str, rate_hz: float, rate_error: float, seed: int):
    runner = RunnerModel(
        [
            Effort("jog", duration_s=30.0),
            Effort("run", speed_mps=5.5, duration_s=30.0),
            Effort("walk", duration_s=30.0),
            Effort("stand", duration_s=15.0),
        ],
        seed=seed,
    )
    signal = GaitSignal(runner, placement=placement, seed=seed)
    true_rate_hz = rate_hz * (1.0 + rate_error)
    t_s = np.arange(int(runner.duration_s * true_rate_hz)) / true_rate_hz
    samples = signal(t_s)
    calibrated_hz = true_rate_hz * 1.001  # the sampler's regression, ~0.1 % off
    tracker = CadenceTracker()
    est, ff = [], []
    n = int(0.2 * true_rate_hz)
    for start in range(0, t_s.size, n):
        est += tracker.push(
            AccelBlock(start / calibrated_hz, calibrated_hz, samples[start : start + n])
        )
        ff += tracker.footfalls()
    scale = calibrated_hz / true_rate_hz  # tracker seconds -> true seconds
    return runner, est, np.array([f.t_s for f in ff]) * scale, scale


@pytest.mark.parametrize("placement", ["hip", "waist", "chest"])
@pytest.mark.parametrize(("rate_hz", "rate_error"), [(50.0, 0.03), (100.0, -0.03)])
def test_sim_session_cadence_modes_and_footfalls(placement, rate_hz, rate_error):
    runner, est, ff_s, scale = session(placement, rate_hz, rate_error, seed=3)
    t_s = np.array([e.t_s for e in est]) * scale
    truth = runner.truth
    # Truth cadence over the window just ended (mean of the 4 s before t).
    cum = np.concatenate(([0.0], np.cumsum(truth.cadence_spm[1:] * np.diff(truth.t_s))))
    mean_spm = (np.interp(t_s, truth.t_s, cum) - np.interp(t_s - 4.0, truth.t_s, cum)) / 4.0
    starts = runner.effort_start_s
    steady = np.zeros(t_s.size, dtype=bool)
    for a, b in zip(starts, runner.effort_end_s, strict=True):
        steady |= (t_s >= a + 10.0) & (t_s <= b)  # deceleration to a walk takes ~6 s
    modes = np.array([e.mode for e in est])
    values = np.array([np.nan if e.cadence_spm is None else e.cadence_spm for e in est])
    jog = steady & (t_s < starts[1])
    run = steady & (t_s >= starts[1]) & (t_s < starts[2])
    walk = steady & (t_s >= starts[2]) & (t_s < starts[3])
    stand = steady & (t_s >= starts[3])
    for sel, mode in ((jog, "run"), (run, "run"), (walk, "walk")):
        assert np.all(modes[sel] == mode)
        assert np.all(np.abs(values[sel] - mean_spm[sel]) < 3.0)
    assert np.all(modes[stand] == "still") and np.all(np.isnan(values[stand]))
    # Footfalls while running: one per true step, a few ms after contact.
    steps = runner.step_times_s
    running = (steps > starts[0] + 5.0) & (steps < starts[2] - 1.0)
    err = np.abs(steps[running][:, None] - ff_s[None, :]).min(axis=1)
    assert np.all(err < 0.04)
    assert np.median(err) < 0.015
