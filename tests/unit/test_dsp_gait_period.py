"""Known answers for the step/stride decision (pacer.dsp.gait_period)."""

from __future__ import annotations

import pytest

from pacer.dsp.gait_period import GUESS_CONFIDENCE, step_period

RATE_HZ = 100.0


def lag(per_min: float) -> float:
    """Lag in samples of a period repeating ``per_min`` times a minute."""
    return 60.0 * RATE_HZ / per_min


def cadence(period) -> float:
    return 60.0 * RATE_HZ * period.divisor / period.lag


def test_trunk_running_step_and_stride_both_correlate():
    peaks = [(lag(160.0), 0.7), (lag(80.0), 0.95)]
    p = step_period(peaks, RATE_HZ, 9.0)
    assert cadence(p) == pytest.approx(160.0)
    assert not p.per_stride and p.confidence > 0.5


def test_the_step_is_measured_on_the_stride_when_it_correlates():
    """Left and right steps of different length split the step peak; the stride lag
    carries the period."""
    peaks = [(lag(163.0), 0.6), (lag(152.0), 0.61), (lag(78.6), 0.9)]
    p = step_period(peaks, RATE_HZ, 8.0)
    assert cadence(p) == pytest.approx(157.2)
    assert p.divisor == 2


def test_walking_step_is_the_shortest_good_period():
    peaks = [(lag(110.0), 0.9), (lag(55.0), 0.92), (lag(36.7), 0.85)]
    p = step_period(peaks, RATE_HZ, 2.0, window_n=400)
    assert cadence(p) == pytest.approx(110.0)


def test_stride_only_signal_below_any_step_rate_is_doubled():
    """A trouser pocket or a bag: the stride correlates, the step does not."""
    peaks = [(lag(55.0), 0.9)]
    p = step_period(peaks, RATE_HZ, 5.0)
    assert cadence(p) == pytest.approx(110.0)
    assert p.per_stride


@pytest.mark.parametrize(("std_mps2", "expected_spm"), [(9.0, 160.0), (2.5, 80.0)])
def test_ambiguous_period_settled_by_intensity(std_mps2, expected_spm):
    """80 per minute with nothing at half the lag: an ankle's running stride or a slow
    walker's step; a running intensity says stride, a walking one says step."""
    p = step_period([(lag(80.0), 0.95)], RATE_HZ, std_mps2)
    assert cadence(p) == pytest.approx(expected_spm)
    assert p.confidence > 0.5


@pytest.mark.parametrize(("speed_mps", "expected_spm"), [(3.5, 160.0), (0.9, 80.0)])
def test_ambiguous_period_settled_by_gps_speed(speed_mps, expected_spm):
    """80 spm at 3.5 m/s would be 2.6 m steps; 160 spm at 0.9 m/s a walker's 0.34 m."""
    p = step_period([(lag(80.0), 0.95)], RATE_HZ, 5.0, speed_mps=speed_mps)
    assert cadence(p) == pytest.approx(expected_spm)
    assert p.confidence > 0.5


def test_unsettled_octave_is_a_guess_that_is_not_spoken():
    p = step_period([(lag(80.0), 0.95)], RATE_HZ, 5.0)
    assert p.confidence <= GUESS_CONFIDENCE < 0.5
    p_prev = step_period([(lag(80.0), 0.95)], RATE_HZ, 5.0, prev_spm=158.0)
    assert cadence(p_prev) == pytest.approx(160.0)
    assert p_prev.confidence <= GUESS_CONFIDENCE


def test_long_lag_does_not_outvote_the_stride():
    """Three steps at 1.7 s of a 4 s window correlate on few products."""
    peaks = [(lag(106.0), 0.2), (lag(53.0), 0.8), (lag(35.3), 0.95)]
    p = step_period(peaks, RATE_HZ, 2.5, window_n=400)
    assert cadence(p) == pytest.approx(106.0)


def test_no_peaks_or_no_correlation():
    assert step_period([], RATE_HZ, 5.0) is None
    assert step_period([(lag(100.0), -0.2)], RATE_HZ, 5.0) is None
