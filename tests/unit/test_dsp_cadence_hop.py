"""The cadence hop's cheaper arithmetic gives what the plain definitions give.

The tracker's hop (pacer/dsp/steps.py, footfalls.py, cadence.py) computes some things in a
cheaper way than their definition: the 3-sample moving average as two adds, the Newton
sums of the autocorrelation peak by a running product of phasors, the footfall search
on lists, the grid as a linear buffer read through views. Each is checked here against
the definition written out directly.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from helpers.dsp_cadence_synth import blocks, gait

from pacer.dsp import steps
from pacer.dsp.cadence import CadenceTracker, _Grid
from pacer.dsp.footfalls import detect_footfalls, footfall_positions, smooth


def _moving_average(x: np.ndarray, w: int) -> np.ndarray:
    """Centred mean over the samples that exist (the definition ``smooth`` documents)."""
    h = w // 2
    return np.array([x[max(0, i - h) : i + h + 1].mean() for i in range(x.size)])


@pytest.mark.parametrize("n", [3, 4, 17, 400])
def test_three_sample_smoothing_is_the_moving_average(n):
    x = np.random.default_rng(n).normal(9.8, 6.0, n)
    y = smooth(x, 3)
    np.testing.assert_allclose(y, _moving_average(x, 3), rtol=1e-15, atol=0)
    if n >= 5:  # and the general path (wider windows) agrees with the same definition
        np.testing.assert_allclose(smooth(x, 5), _moving_average(x, 5), rtol=1e-13, atol=0)


def _newton_direct(acf, lags, steps_n=2):
    """Newton steps with the cosine and sine of every bin evaluated directly."""
    omega, n = acf.plan.omega, float(acf.n)
    power = acf.coef[0]
    tau = [float(t) for t in lags]
    for _ in range(steps_n):
        for i, t in enumerate(tau):
            c0 = float(np.sum(power * np.cos(omega * t)))
            c1 = float(-np.sum(power * omega * np.sin(omega * t)))
            c2 = float(-np.sum(power * omega**2 * np.cos(omega * t)))
            g0 = n / (n - t)
            g1, g2 = g0 / (n - t), 2.0 * g0 / (n - t) ** 2
            f1 = c1 * g0 + c0 * g1
            f2 = c2 * g0 + 2.0 * c1 * g1 + c0 * g2
            step = -f1 / f2 if f2 < 0 else 0.0
            tau[i] = t + min(max(step, -0.5), 0.5)
    return tau


@pytest.mark.parametrize("spm, run", [(172.0, True), (108.0, False)])
def test_newton_peaks_match_direct_evaluation(spm, run):
    synth = gait(spm, 6.0, 100.0, run=run, seed=3)
    mag = np.linalg.norm(synth.samples_mps2, axis=1)[100:500]
    acf = steps._autocorrelation(mag, 100.0)
    lag0 = 6000.0 / spm
    guesses = [lag0 * k + 0.3 for k in range(1, 5)]
    fast = steps._newton_peaks(acf, guesses)
    direct = _newton_direct(acf, guesses)
    assert fast == pytest.approx(direct, abs=1e-9)
    # they moved: the guesses were off the peaks
    assert max(abs(a - b) for a, b in zip(fast, guesses, strict=True)) > 0.01


def test_steps_still_exports_the_footfall_search():
    assert steps.detect_footfalls is detect_footfalls
    assert steps.smooth is smooth


def test_footfall_positions_is_detect_footfalls():
    synth = gait(170.0, 8.0, 100.0, run=True, seed=5)
    x = np.linalg.norm(synth.samples_mps2, axis=1)[:400]
    for start in (0, 37, 250, 390):
        listed = footfall_positions(x, 100.0, 60.0 / 170.0, start=start)
        assert listed == detect_footfalls(x, 100.0, 60.0 / 170.0, start=start).tolist()
    assert len(footfall_positions(x, 100.0, 60.0 / 170.0)) >= 8
    # detect_footfalls still refuses windows with a NaN; nothing to find in a flat one
    bad = x.copy()
    bad[10] = np.nan
    assert detect_footfalls(bad, 100.0, 0.35).size == 0
    assert footfall_positions(np.full(400, 9.8), 100.0, 0.35) == []


def test_grid_windows_are_the_samples_written():
    grid = _Grid(50)
    written = []
    rng = np.random.default_rng(0)
    for size in rng.integers(1, 40, 200).tolist() + [120, 3]:  # 120 > keep: a jump
        v = rng.normal(size=size)
        grid.extend(v)
        written.extend(v.tolist())
        assert grid.count == len(written)
        assert grid.first <= grid.count - min(grid.count, 50)  # holds at least the last 50
        lo = grid.count - min(grid.count, 50)
        assert grid.window(lo, grid.count).tolist() == written[lo:]


def test_tracker_keeps_overlapping_and_nan_blocks_as_before():
    """Early-stamped (overlapping) blocks and a few NaN samples change nothing much."""
    synth = gait(168.0, 20.0, 100.0, rate_error=0.01, run=True, seed=9)
    clean = blocks(synth, 100.0, block_s=0.25)
    messy = []
    for i, b in enumerate(clean):
        s = np.array(b.samples_mps2, dtype=float)
        t0 = b.t0_s
        if i % 7 == 3:
            t0 -= 1.5 / b.rate_hz  # overlaps the previous block by 1-2 samples
        if i % 11 == 5:
            s[[2, 9]] = np.nan
        messy.append(dataclasses.replace(b, samples_mps2=s, t0_s=t0))

    def run(bs):
        tracker = CadenceTracker()
        est = [e for b in bs for e in tracker.push(b)]
        return est, tracker.footfalls(), tracker.restarts

    est_c, ff_c, _ = run(clean)
    est_m, ff_m, restarts = run(messy)
    assert restarts == 0
    assert len(est_m) == len(est_c)
    good = [(a, b) for a, b in zip(est_m, est_c, strict=True) if b.cadence_spm is not None]
    assert len(good) >= 14
    for a, b in good:
        assert a.cadence_spm is not None
        assert math.isclose(a.cadence_spm, b.cadence_spm, abs_tol=1.0)
    assert abs(len(ff_m) - len(ff_c)) <= 1
