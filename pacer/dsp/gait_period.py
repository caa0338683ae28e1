"""Which autocorrelation peak is the step: the step/stride (octave) decision.

Pure Python on a handful of peaks, no clock reads. :func:`pacer.dsp.steps.window_cadence`
finds the peaks of one window's autocorrelation and calls :func:`step_period`.

Notes
-----
Gait repeats once per *stride* (two steps). Whether the autocorrelation of ``|a|`` also
peaks at the *step* lag depends on where the sensor sits: the trunk (hip, waist, lower
back, chest) sees both feet land and correlates well at the step lag; the wrist sees
the arm swing once per stride and, in running, also each landing; a trouser pocket, a
bag or an ankle move once per stride and barely show the other leg. Choosing between
the two from the signal alone, with no threshold tied to a placement:

1. **Fundamental.** The gait period ``T`` is the *shortest* lag whose correlation is
   within ``NEAR_BEST`` of the best peak between 0.25 s and 2 s (the shortest "good"
   period, as in the YIN pitch detector: longer lags that are multiples of it correlate
   as well and must not win). This comparison weights each peak by ``1 - lag / N``
   (the biased estimate): a long lag of a 4 s window rests on few products, and at
   the wrist three steps once outvoted the stride that way.
2. **Left/right alternation.** When a peak sits near ``T / 2`` with a correlation of at
   least ``ALTERNATION_MIN`` (absolute) and ``ALTERNATION_REL`` of the peak at ``T``,
   ``T`` holds two similar halves, two steps, and the step is ``T / 2`` (repeated once
   more for a window that only correlates at two strides). The period is still
   measured on ``T`` and divided: left and right steps often differ in length, which
   splits the step peak in two (seen on real hips), while the stride peak stays
   sharp. Half a *step* lag is
   strongly anti-correlated in every real recording we have (median -0.5 to -0.7, 95th
   percentile below -0.08), so the rule does not halve a true step.
3. **What the step rate can be.** ``60 / T`` below ``AMBIGUOUS_SPM[0]`` (70 spm) is no
   step rate: it is a stride, and the cadence is ``2 x 60 / T``. Above
   ``AMBIGUOUS_SPM[1]`` (100) ``T`` is the step. In between, with no alternation, ``T``
   is either a slow walker's step or a runner's stride (an ankle, a pocket while
   running). That is settled, in this order, by
   * the GPS speed when the caller has one: the implied step length
     ``speed / (cadence / 60)`` must lie in ``STEP_LENGTH_M`` (0.4-2.2 m), and above
     ``RUN_SPEED_MPS`` (2.2 m/s, beyond the walk-run transition near a Froude number of
     0.5) people run, at 130 spm or more;
   * the intensity: an ``|a|`` standard deviation above ``RUN_STD_MPS2`` (0.66 g) is not
     a walk slower than 100 spm, and one below ``WALK_STD_MPS2`` (0.41 g) is no run, at
     any body site (real running: 0.57-1.3 g at the chest, waist, wrist and ankle;
     walking 0.15-0.45 g at the trunk and wrist, up to 0.85 g at the ankle, whose
     walking period is the stride, below 70 per minute, and never reaches this rule);
   * the previous cadence (the octave closer to it in log-ratio);
   * otherwise the slow walk.
   Between the two intensities, a decision by the previous cadence or the default is a
   guess, and its confidence is capped at ``GUESS_CONFIDENCE`` (below the coach's 0.5
   for speaking a cadence).

Confidence is the normalised autocorrelation at the period ``T`` (the step lag, or the
stride lag when the step was inferred from it), capped at ``GUESS_CONFIDENCE`` when
``T`` fits fewer than ``MIN_CYCLES`` (3) times in the window: a rhythm seen twice is
not yet a rhythm (seen when a walker steps off a treadmill).

References: de Cheveigné & Kawahara (2002), "YIN, a fundamental frequency estimator
for speech and music" (shortest good period against sub-octave errors); Moe-Nilssen &
Helbostad (2004), "Estimation of gait cycle characteristics by trunk accelerometry"
(step and stride peaks of the unbiased autocorrelation, their ratio as step
regularity/symmetry); Alexander (1989), "Optimization and gaits in the locomotion of
vertebrates" (walk-run transition near Froude number 0.5); Cavanagh & Kram (1989),
"Stride length in distance running" (running cadence range).
"""

from __future__ import annotations

import math
from typing import NamedTuple

__all__ = ["GaitPeriod", "step_period"]

NEAR_BEST = 0.8  # the shortest peak within this fraction of the best is the period
ALTERNATION_MIN = 0.25  # a half-period peak at least this correlated is a step
ALTERNATION_REL = 0.3  # ... and at least this fraction of the full period's peak
AMBIGUOUS_SPM = (70.0, 100.0)  # 60 / T here: a slow step or a running stride
STEP_LENGTH_M = (0.4, 2.2)  # plausible metres per step
RUN_SPEED_MPS = 2.2  # above: running (walk-run transition ~2 m/s)
RUN_MIN_SPM = 130.0  # running cadence is at least this
RUN_STD_MPS2 = 6.5  # |a| std above this: no walk slower than AMBIGUOUS_SPM[1]
WALK_STD_MPS2 = 4.0  # |a| std below this: no run, at any body site
GUESS_CONFIDENCE = 0.45  # cap when the octave was guessed, not measured
MIN_CYCLES = 3.0  # a period seen fewer times in the window is only a guess
STEP_VISIBLE = 0.4  # a step lag correlating less: steps are not separately visible


class GaitPeriod(NamedTuple):
    """The step period chosen from one window's autocorrelation peaks."""

    lag: float  # the lag (samples) the period is measured on (the shortest good period)
    divisor: int  # steps in ``lag``: 1 (a step), 2 (a stride) or 4
    confidence: float  # 0..1
    per_stride: bool  # no peak at the step lag: steps are not separately visible


def _near(peaks: list[tuple[float, float]], lag: float, tol: float = 0.15
          ) -> tuple[float, float] | None:
    """The best peak within ``tol`` (relative) of ``lag``, or None."""
    best: tuple[float, float] | None = None
    for p in peaks:
        if abs(p[0] / lag - 1.0) <= tol and (best is None or p[1] > best[1]):
            best = p
    return best


def _plausible(cadence_spm: float, speed_mps: float) -> bool:
    step_m = speed_mps * 60.0 / cadence_spm
    if not STEP_LENGTH_M[0] <= step_m <= STEP_LENGTH_M[1]:
        return False
    return speed_mps < RUN_SPEED_MPS or cadence_spm >= RUN_MIN_SPM


def _octave_guess(
    single_spm: float, std_mps2: float, speed_mps: float | None, prev_spm: float | None
) -> tuple[bool, bool]:
    """(double the rate?, settled by the speed or the intensity?) in the ambiguous zone."""
    double_spm = 2.0 * single_spm
    if speed_mps is not None and math.isfinite(speed_mps) and speed_mps > 0.3:
        ok_single = _plausible(single_spm, speed_mps)
        ok_double = _plausible(double_spm, speed_mps)
        if ok_single != ok_double:
            return ok_double, True
    if std_mps2 >= RUN_STD_MPS2:
        return True, True
    if std_mps2 <= WALK_STD_MPS2:
        return False, True
    if prev_spm is not None and prev_spm > 0:
        return abs(math.log(double_spm / prev_spm)) < abs(math.log(single_spm / prev_spm)), False
    return False, False


def _first_near_best(peaks: list[tuple[float, float]], window_n: int | None
                     ) -> tuple[float, float] | None:
    """The shortest (lag in samples, correlation) peak within NEAR_BEST of the best.

    Correlations are weighted by ``1 - lag / window_n`` when ``window_n`` is given (the
    biased estimate). None when no peak correlates at all.
    """
    if not peaks:
        return None
    weight = [1.0 - lag / window_n if window_n else 1.0 for lag, _ in peaks]
    best = max(v * w for (_, v), w in zip(peaks, weight, strict=True))
    if best <= 0:
        return None
    return next(p for p, w in zip(peaks, weight, strict=True)
                if p[1] * w >= NEAR_BEST * best)


def _alternation_divisor(peaks: list[tuple[float, float]], lag: float, value: float
                         ) -> tuple[int, float]:
    """How many steps the peak at ``lag`` (samples) spans: 1, 2 or 4, and the
    correlation at the last half-lag that alternated (-1.0 when none did)."""
    divisor, half_value = 1, -1.0
    for _ in range(2):  # the stride, or two strides when only those correlate
        half = _near(peaks, lag / (2 * divisor))
        if half is None or half[1] < max(ALTERNATION_MIN, ALTERNATION_REL * value):
            break
        divisor, half_value = 2 * divisor, half[1]
    return divisor, half_value


def step_period(
    peaks: list[tuple[float, float]],
    rate_hz: float,
    std_mps2: float,
    *,
    window_n: int | None = None,
    speed_mps: float | None = None,
    prev_spm: float | None = None,
) -> GaitPeriod | None:
    """The step period from the autocorrelation peaks of one window.

    Parameters
    ----------
    peaks : list of (lag in samples, normalised correlation)
        Local maxima of the autocorrelation between the shortest step (0.25 s) and the
        longest stride searched, in increasing lag.
    rate_hz : float
        Sample rate of the window.
    std_mps2 : float
        Standard deviation of ``|a|`` over the window (motion intensity).
    window_n : int or None
        Window length (samples). When given, the period is chosen on the correlations
        weighted by ``1 - lag / window_n`` (the biased estimate): an unbiased value at
        a long lag rests on few products and must not outvote a shorter period.
    speed_mps : float or None
        Ground speed from GPS when known.
    prev_spm : float or None
        The previous cadence, for an octave the signal cannot settle.

    Returns
    -------
    GaitPeriod or None
        None when no peak correlates at all.
    """
    chosen = _first_near_best(peaks, window_n)
    if chosen is None:
        return None
    lag, value = chosen
    divisor, half_value = _alternation_divisor(peaks, lag, value)
    confidence = min(value, 1.0)
    if window_n and lag > window_n / MIN_CYCLES:
        confidence = min(confidence, GUESS_CONFIDENCE)  # seen too few times to speak
    single_spm = 60.0 * rate_hz * divisor / lag
    if divisor == 1 and single_spm >= AMBIGUOUS_SPM[1]:
        # a step: measure it on the stride when that correlates (left and right steps
        # may differ in length, which splits the step peak; the stride peak stays sharp)
        full = _near(peaks, 2.0 * lag)
        if full is not None and full[1] >= max(STEP_VISIBLE, value):
            return GaitPeriod(full[0], 2, confidence, False)
        return GaitPeriod(lag, 1, confidence, False)
    if divisor > 1 and single_spm >= AMBIGUOUS_SPM[0]:
        return GaitPeriod(lag, divisor, confidence, half_value < STEP_VISIBLE)
    if single_spm < AMBIGUOUS_SPM[0]:
        return GaitPeriod(lag, 2 * divisor, confidence, True)
    double, settled = _octave_guess(single_spm, std_mps2, speed_mps, prev_spm)
    if not settled:
        confidence = min(confidence, GUESS_CONFIDENCE)
    return GaitPeriod(lag, divisor * (2 if double else 1), confidence, double)
