"""RateEstimator: regression of burst time on cumulative sample count (pure)."""

from __future__ import annotations

import numpy as np
import pytest

from pacer.hw.rate import RateEstimator


def bursts(true_rate_hz, duration_s, interval_s, rng, jitter_s=0.0):
    """(cumulative count, stamp) of bursts every ``interval_s`` with uniform stamp jitter."""
    t = np.arange(interval_s, duration_s, interval_s)
    counts = np.floor(t * true_rate_hz).astype(int)
    stamps = counts / true_rate_hz + rng.uniform(0.0, jitter_s, len(t))
    return counts, stamps


def test_too_few_bursts_keep_the_nominal_rate():
    est = RateEstimator(100.0)
    est.add(10, 0.1)
    est.add(20, 0.2)
    assert est.rate_hz == 100.0


def test_noise_free_bursts_give_the_true_rate():
    est = RateEstimator(100.0)
    for n, t in zip(*bursts(102.3, 10.0, 0.1, np.random.default_rng(0)), strict=True):
        est.add(int(n), float(t))
    assert est.rate_hz == pytest.approx(102.3, rel=1e-6)


@pytest.mark.parametrize("true_rate_hz", [96.9, 100.0, 102.3, 104.0])
def test_jittered_stamps_and_stalls(true_rate_hz):
    rng = np.random.default_rng(7)
    counts, stamps = bursts(true_rate_hz, 10.0, 0.1, rng, jitter_s=0.02)
    stalls = rng.random(len(stamps)) < 0.05
    stamps[stalls] += 0.25  # a thread that was descheduled for a quarter second
    est = RateEstimator(100.0)
    for n, t in zip(counts, stamps, strict=True):
        est.add(int(n), float(t))
    # 0.1 % is the accuracy the cadence estimate needs (0.2 spm at 170 spm)
    assert abs(est.rate_hz / true_rate_hz - 1) < 1e-3
    assert est.rate_rel_stderr < 1e-3


def test_segments_share_the_period_but_not_the_intercept():
    est = RateEstimator(100.0)
    rate = 97.0
    for k in range(1, 30):  # first segment
        est.add(10 * k, 10 * k / rate)
    est.new_segment()  # 1.7 s lost; counts restart
    for k in range(1, 30):
        est.add(10 * k, 5.0 + 10 * k / rate)
    assert est.rate_hz == pytest.approx(rate, rel=1e-6)
    assert est.fitted_time_s(100) == pytest.approx(5.0 + 100 / rate)


def test_window_follows_a_drifting_oscillator():
    est = RateEstimator(100.0, window_s=20.0)
    t_switch_s, n_switch = 0.0, 0
    for rate in (101.0, 99.0):
        for k in range(1, 401):  # 40 s at each rate
            est.add(n_switch + int(np.floor(0.1 * k * rate)), t_switch_s + 0.1 * k)
        t_switch_s += 40.0
        n_switch += int(np.floor(40.0 * rate))
    assert est.rate_hz == pytest.approx(99.0, rel=1e-3)


def test_bad_nominal_rate_is_rejected():
    with pytest.raises(ValueError):
        RateEstimator(0.0)
