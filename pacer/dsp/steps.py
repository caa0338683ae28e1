"""One window of gait signal: the step period (cadence).

Pure numpy, no clock reads. :class:`pacer.dsp.cadence.CadenceTracker` streams the
acceleration magnitude and calls :func:`window_cadence` once per hop on its latest
window, then :func:`pacer.dsp.footfalls.footfall_positions` with the step period found.

Notes
-----
Cadence. For one window of magnitude (``window_s`` = 4 s in the tracker):

1. Motion intensity = standard deviation of the magnitude. Below ``STILL_STD_MPS2`` the
   runner is standing: ``cadence_spm=None``, mode ``"still"``.
2. Autocorrelation by FFT (zero padded to twice the window, so it is linear, not
   circular), band-limited to 0.6-12 Hz in the spectrum; the "unbiased" normalisation
   ``N / (N - lag)`` removes the triangular envelope that would pull peaks towards zero
   lag.
3. Step or stride: all local maxima between the shortest step (``MAX_STEP_SPM``, 0.25 s)
   and the longest stride (``MIN_STRIDE_PER_MIN``, 2 s) go to
   :func:`pacer.dsp.gait_period.step_period`, which takes the shortest well-correlated
   period, halves it when its halves alternate (left and right steps), and settles a
   period that could be a slow step or a running stride by what a step rate can be,
   the GPS speed's implied step length, the intensity and the previous cadence. No
   band is chosen beforehand and no threshold belongs to one placement.
4. Sub-sample refinement: each peak found near 1, 2, 3 and 4 times the chosen lag
   is moved to the true maximum of the band-limited autocorrelation by two Newton steps
   on its closed form (a cosine sum over the pass-band bins, so the interpolation is
   exact for the band-limited signal, not a parabola), and the period is the
   least-squares fit ``sum(k p_k) / sum(k^2)``, which cuts the error of a single peak by
   roughly the number of peaks. Confidence is the normalised autocorrelation at the
   lag measured (0..1), capped when the octave was a guess; below ``MIN_CONFIDENCE``
   there is motion but no rhythm: ``None``, mode ``"unknown"``.
5. Mode: ``"run"`` from ``RUN_MODE_SPM`` (135 spm, +-5 of hysteresis), else ``"walk"``.
   Across people cadence barely separates a fast walk from a slow jog (a 134 spm walk
   and a 140 spm jog in the same data set), so the mode is a label for the cadence
   range, not a gait classification.

Footfalls: :mod:`pacer.dsp.footfalls` (its names are re-exported here).

References (cadence): Zijlstra & Hof (2003) trunk accelerations during walking;
Moe-Nilssen & Helbostad (2004), "Estimation of gait cycle characteristics by trunk
accelerometry" (unbiased autocorrelation, step vs stride peaks); mobgap ``cadence``
module for the naming and the degenerate-input policy.
"""

from __future__ import annotations

import cmath
import functools
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from pacer.dsp.footfalls import detect_footfalls, footfall_positions, smooth
from pacer.dsp.gait_period import step_period

__all__ = [
    "RUN_BAND_SPM",
    "WALK_BAND_SPM",
    "detect_footfalls",
    "estimate_cadence",
    "footfall_positions",
    "smooth",
    "window_cadence",
]

RUN_BAND_SPM = (130.0, 240.0)  # the cadence range of running (mode "run" from 135)
WALK_BAND_SPM = (70.0, 140.0)  # the cadence range of walking
MAX_STEP_SPM = 240.0  # shortest lag searched: 0.25 s
MIN_STRIDE_PER_MIN = 30.0  # longest lag searched: 2 s (a 60 spm walk's stride)
STILL_STD_MPS2 = 0.5  # magnitude std below this is standing (body-worn or in hand)
RUN_MODE_SPM = 135.0  # mode "run" from here, hysteresis +-RUN_MODE_HYST_SPM
RUN_MODE_HYST_SPM = 5.0
MIN_CONFIDENCE = 0.4  # see docs/algorithms-cadence.md: 0.35-0.5 is a plateau on real walking
PASS_BAND_HZ = (0.6, 12.0)


@dataclass(frozen=True)
class _Plan:
    """What one window length and rate need, computed once (a hop reuses it)."""

    n_fft: int  # FFT length: zero padded to >= 2 n, so the correlation is linear
    k_lo: int  # pass-band bins k_lo .. k_hi
    k_hi: int
    unbiased: np.ndarray  # n / (n - lag) at lags 0 .. n // 2
    omega: np.ndarray  # pass-band angular frequencies, rad per sample
    # rows [1, omega^2, omega]: times the band power, the weights of the three sums of
    # a Newton step (value, second and first derivative of the cosine sum)
    weights: np.ndarray


@functools.lru_cache(maxsize=16)  # a tracker uses one or two; calibrated rates may wander
def _plan(n: int, rate_hz: float) -> _Plan:
    n_fft = 1 << int(np.ceil(np.log2(2 * n)))
    k_lo = max(1, int(np.ceil(PASS_BAND_HZ[0] * n_fft / rate_hz)))
    k_hi = min(n_fft // 2 - 1, int(np.floor(PASS_BAND_HZ[1] * n_fft / rate_hz)))
    lags = np.arange(n // 2 + 1)
    omega = 2.0 * np.pi * np.arange(k_lo, k_hi + 1) / n_fft
    return _Plan(n_fft, k_lo, k_hi, n / (n - lags), omega,
                 np.stack((np.ones_like(omega), omega * omega, omega)))


class _Acf(NamedTuple):
    """Autocorrelation of one window: coarse values plus what evaluates it anywhere.

    (A named tuple: one is made per hop, and it builds faster than a frozen dataclass.)
    """

    r: np.ndarray  # normalised, unbiased, at integer lags 0 .. n // 2
    r_list: list[float]  # the same as Python floats (scalar peak arithmetic is cheaper)
    plan: _Plan
    # (3, bins): rows P_k, P_k omega_k^2, P_k omega_k (P_k the band power): times the
    # cosines and sines of omega_k lag, the three sums of a Newton step
    coef: np.ndarray
    n: int  # window length, samples


def _autocorrelation(x: np.ndarray, rate_hz: float, centred: np.ndarray | None = None) -> _Acf:
    """Band-limited (``PASS_BAND_HZ``), unbiased, normalised autocorrelation of ``x``.

    ``centred`` is ``x - x.mean()`` when the caller already has it.
    """
    n = x.size
    plan = _plan(n, rate_hz)
    spec = np.fft.rfft(x - x.mean() if centred is None else centred, plan.n_fft)
    # |X_k|^2 of the pass band, written straight into the one-sided spectrum that the
    # inverse transform takes: (re, im) pairs squared and summed, == re**2 + im**2
    full = np.zeros(plan.n_fft // 2 + 1)
    band = spec[plan.k_lo : plan.k_hi + 1].view(np.float64)
    power = np.add.reduce(
        np.multiply(band, band).reshape(-1, 2), axis=1, out=full[plan.k_lo : plan.k_hi + 1]
    )
    ac = np.fft.irfft(full, plan.n_fft)[: n // 2 + 1]
    a0 = float(ac[0])
    if not a0 > 0:
        r = np.zeros(ac.size)
        return _Acf(r, r.tolist(), plan, np.zeros((3, 0)), n)
    r = np.multiply(np.divide(ac, a0, out=ac), plan.unbiased, out=ac)
    return _Acf(r, r.tolist(), plan, power * plan.weights, n)


def _newton_peaks(acf: _Acf, lags: list[float], steps: int = 2) -> list[float]:
    """Move each lag (samples) to the nearby maximum of the band-limited autocorrelation.

    ``irfft`` of a one-sided spectrum without DC and Nyquist bins is
    ``(2 / n_fft) * sum_k P_k cos(omega_k * lag)``, valid between integer lags too, so
    its derivatives are closed-form; with the unbiased factor ``g = n / (n - lag)``,
    Newton steps on ``f = c g`` converge from the parabolic first guess in two steps.
    The bins are equally spaced (``omega_k = (k_lo + j) d``), so over the band
    ``exp(i omega_k lag) = exp(i omega_lo lag) z^j`` with ``z = exp(i d lag)``: one
    running product down the bins gives ``z^j`` for all lags (a few hundred complex
    multiplications instead of as many complex exponentials; the rounding grows by
    about one unit in the last place per bin, ~1e-14 relative), one matrix product of
    its float view with ``acf.coef`` the three sums over ``j`` for all lags together,
    and a rotation by ``exp(i omega_lo lag)`` per lag puts back the first bin's phase.
    The per-lag update (at most four lags) is scalar arithmetic.
    """
    tau = [float(t) for t in lags]
    n = float(acf.n)
    plan = acf.plan
    if acf.coef.shape[1] == 0:  # no power in the band: nothing to climb
        return tau
    w_lo = float(plan.omega[0])
    d_omega = 2.0 * math.pi / plan.n_fft
    powers = np.empty((plan.omega.size, len(tau)), dtype=np.complex128)
    powers[0] = 1.0  # z^0; the running product below keeps it
    for _ in range(steps):
        powers[1:] = [cmath.exp(complex(0.0, d_omega * t)) for t in tau]
        np.multiply.accumulate(powers, axis=0, out=powers)
        # (3, 2 lags): per lag [re, im] of sum_j W_j z^j, for the weights W = P (row 0),
        # P omega^2 (row 1) and P omega (row 2)
        sums = (acf.coef @ powers.view(np.float64)).tolist()
        p_re, p2_re, p1_re = sums
        for i, t in enumerate(tau):
            rot = cmath.exp(complex(0.0, w_lo * t))
            a, b = rot.real, rot.imag
            j, k = 2 * i, 2 * i + 1
            c0 = a * p_re[j] - b * p_re[k]  # sum P cos(omega lag)
            c2 = b * p2_re[k] - a * p2_re[j]  # -sum P omega^2 cos(omega lag)
            c1 = -(a * p1_re[k] + b * p1_re[j])  # -sum P omega sin(omega lag)
            g0 = n / (n - t)
            g1, g2 = g0 / (n - t), 2.0 * g0 / (n - t) ** 2
            f1 = c1 * g0 + c0 * g1
            f2 = c2 * g0 + 2.0 * c1 * g1 + c0 * g2
            # Only step where the curvature says maximum, and never more than half a sample.
            step = -f1 / f2 if f2 < 0 else 0.0
            tau[i] = t + min(max(step, -0.5), 0.5)
    return tau


def _peak_in(acf: _Acf, lo: int, hi: int) -> tuple[float, float, bool]:
    """Maximum of ``r[lo:hi+1]``: (fractional index, value, is an interior local max)."""
    r = acf.r_list
    lo, hi = max(lo, 1), min(hi, len(r) - 2)
    if hi <= lo:
        return float("nan"), -1.0, False
    seg = r[lo : hi + 1]  # a few dozen floats: list max/index beat np.argmax's overhead
    i = lo + seg.index(max(seg))  # the first maximum, as np.argmax
    ym, y0, yp = r[i - 1], r[i], r[i + 1]
    interior = lo < i < hi and y0 >= ym and y0 >= yp
    den = ym - 2 * y0 + yp
    d = 0.5 * (ym - yp) / den if abs(den) > 1e-12 else 0.0
    d = min(max(d, -0.5), 0.5)
    return i + d, y0 - 0.25 * (ym - yp) * d, interior


def _peaks(acf: _Acf, lo: int, hi: int) -> list[tuple[float, float]]:
    """Local maxima of the autocorrelation at lags ``lo..hi``: (fractional lag, value).

    Each is refined by a parabola through it and its neighbours (the coarse position
    the step/stride decision needs; the final period is refined by :func:`_refine`).
    """
    r = acf.r
    lo, hi = max(lo, 1), min(hi, r.size - 2)
    if hi <= lo:
        return []
    mid = r[lo : hi + 1]
    # the local maxima in one vectorised pass; the few found are refined on floats
    idx = ((mid > r[lo - 1 : hi]) & (mid >= r[lo + 1 : hi + 2])).nonzero()[0].tolist()
    rl = acf.r_list
    out = []
    for i in idx:
        k = i + lo
        ym, y0, yp = rl[k - 1], rl[k], rl[k + 1]
        den = ym - 2.0 * y0 + yp
        d = 0.5 * (ym - yp) / den if abs(den) > 1e-12 else 0.0
        d = min(max(d, -0.5), 0.5)
        out.append((k + d, y0 - 0.25 * (ym - yp) * d))
    return out


def _refine(acf: _Acf, lag0: float) -> float:
    """Least-squares step lag (samples) from the peaks near k * lag0, k = 1..4.

    Each coarse peak is moved to the maximum of the band-limited autocorrelation
    (:func:`_newton_peaks`); the period is then ``sum(k p_k) / sum(k^2)``.
    """
    size = len(acf.r_list)
    ks, ps = [1.0], [lag0]
    for k in range(2, 5):
        centre = k * lag0
        half = 0.15 * lag0
        if centre + half >= size - 2:
            break
        p, v, interior = _peak_in(acf, int(centre - half), math.ceil(centre + half))
        if interior and v > 0.3:
            ks.append(float(k))
            ps.append(p)
    pos = _newton_peaks(acf, ps)
    return sum(k * p for k, p in zip(ks, pos, strict=True)) / sum(k * k for k in ks)


def estimate_cadence(
    x: np.ndarray,
    rate_hz: float,
    prefer_run: bool | None = None,
    *,
    speed_mps: float | None = None,
) -> tuple[float | None, float, str]:
    """Cadence of one window of acceleration magnitude.

    Parameters
    ----------
    x : ndarray, shape (n,)
        Acceleration magnitude (m/s^2), uniformly sampled at ``rate_hz``.
    rate_hz : float
        Calibrated sample rate.
    prefer_run : bool or None
        Previous mode, for the hysteresis of the run/walk label (None: no history).
    speed_mps : float or None
        GPS ground speed, when known (settles a step/stride ambiguity).

    Returns
    -------
    (cadence_spm or None, confidence 0..1, mode)
    """
    cadence_spm, confidence, mode, _ = window_cadence(x, rate_hz, prefer_run,
                                                      speed_mps=speed_mps)
    return cadence_spm, confidence, mode


def window_cadence(
    x: np.ndarray,
    rate_hz: float,
    prefer_run: bool | None,
    *,
    speed_mps: float | None = None,
    prev_spm: float | None = None,
) -> tuple[float | None, float, str, bool]:
    """:func:`estimate_cadence` plus whether the rhythm was found per stride.

    ``speed_mps`` (GPS ground speed) and ``prev_spm`` (the last cadence) only help to
    choose between a step and a stride when the signal itself cannot tell
    (:func:`pacer.dsp.gait_period.step_period`). Returns ``(cadence_spm or None,
    confidence, mode, per_stride)``; ``per_stride`` is True when the cadence came from
    the stride lag (pocket, bag, ankle), where no single event marks each step.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size < 8 or not math.isfinite(rate_hz) or rate_hz <= 0:
        return None, 0.0, "unknown", False
    mean = float(np.add.reduce(x)) / x.size
    if not math.isfinite(mean):  # a NaN or an infinity anywhere
        return None, 0.0, "unknown", False
    if x.size < 2.2 * 60.0 / WALK_BAND_SPM[0] * rate_hz:
        return None, 0.0, "unknown", False  # window too short to hold two slow steps
    centred = x - mean
    std = math.sqrt(float(np.add.reduce(centred * centred)) / x.size)  # == np.std(x)
    if std < STILL_STD_MPS2:
        return None, 0.0, "still", False
    acf = _autocorrelation(x, rate_hz, centred)
    lo = math.floor(60.0 / MAX_STEP_SPM * rate_hz)
    hi = math.ceil(60.0 / MIN_STRIDE_PER_MIN * rate_hz)
    period = step_period(_peaks(acf, lo, hi), rate_hz, std, window_n=x.size,
                         speed_mps=speed_mps, prev_spm=prev_spm)
    if period is None or period.confidence < MIN_CONFIDENCE:
        conf = 0.0 if period is None else max(period.confidence, 0.0)
        return None, conf, "unknown", False
    lag = _refine(acf, period.lag) / period.divisor  # one step, samples
    cadence_spm = 60.0 * rate_hz / lag
    run_from = RUN_MODE_SPM + (0.0 if prefer_run is None else
                               (-RUN_MODE_HYST_SPM if prefer_run else RUN_MODE_HYST_SPM))
    mode = "run" if cadence_spm >= run_from else "walk"
    return cadence_spm, period.confidence, mode, period.per_stride
