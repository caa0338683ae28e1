"""Footfall (step) detection on the acceleration-magnitude signal.

Pure numpy, no clock reads. :class:`pacer.dsp.cadence.CadenceTracker` calls
:func:`detect_footfalls` once per hop, on the part of its buffer whose
neighbourhood is complete, with the step period it has just estimated.

Notes
-----
A footfall is the instant of initial contact (foot strike). It is found in two stages
on the orientation-free acceleration magnitude:

1. One *loading peak* per step: the largest value of the lightly smoothed magnitude
   within half a step period on either side (vectorised: the local maxima are
   checked against their neighbourhoods in one fancy-indexed array). Knowing the step period from the autocorrelation (see
   :mod:`pacer.dsp.cadence`) is what makes this robust: the neighbourhood admits one
   peak per step, so the impact transient plus the active peak of a running step, or
   the double hump of a walking step, give one footfall, not two. (A wider
   neighbourhood would also suppress the second hump of a thigh signal, but it loses
   the weaker of alternating left/right steps.) Peaks that do not stand above the
   window mean by ``min_prominence`` standard deviations are dropped (shuffling).
2. *Contact*: the steepest rise of the magnitude in the ``contact_search`` step periods
   before the loading peak. In running the body is in free fall before contact (|a|
   near 0) and the impact transient rises within ~10-15 ms of the strike; in walking the
   heel strike is the sharpest rise of the step. The slope is a central difference of
   the magnitude smoothed over 20 ms; its maximum is refined to a fraction of a
   sample with a parabola through the best sample and its two neighbours. The steepest
   point lags the true contact by a few ms (the impact needs ~12 ms to peak and the
   active loading keeps rising): 4-5 ms at the hip and 7-11 ms at the chest (impact
   damped by the spine) on :mod:`pacer.sim.accel` running. Extending the tangent back
   to the pre-contact level was tried and overshot by 8-16 ms the other way (the
   impact transient is concave from its start), so the plain steepest point is used.

The loading peak itself lags contact by about half the ground contact time (~0.1 s
running), and that lag changes with speed and footwear, so it is not used as the
footfall time.

References: Brajdic & Harle, "Walk detection and step counting on unconstrained
smartphones", UbiComp 2013 (windowed peak detection; the study behind the Oxford
step-counter data); Lee et al. 2010, "Detection of spatio-temporal gait parameters by
using wearable motion sensors" (initial contact from the trunk acceleration rise);
Bangle.js ``libs/misc/stepcount.c`` for a minimum-interval rule.
"""

from __future__ import annotations

import numpy as np

__all__ = ["detect_footfalls", "smooth"]


def smooth(x: np.ndarray, width_samples: int) -> np.ndarray:
    """Centred moving average of ``x`` over ``width_samples`` (odd, >= 1), same length.

    Edges are averaged over the samples that exist (no zero padding bias).
    """
    w = max(1, int(width_samples) | 1)  # force odd so the filter is centred
    if w == 1 or x.size == 0:
        return x.astype(np.float64, copy=True)
    kernel = np.ones(w)
    num = np.convolve(x, kernel, mode="same")
    den = np.convolve(np.ones_like(x, dtype=np.float64), kernel, mode="same")
    return num / den


def _parabolic_offset(ym: np.ndarray, y0: np.ndarray, yp: np.ndarray) -> np.ndarray:
    """Vertex offset (-0.5..0.5 samples) of the parabola through three equally spaced points."""
    denom = ym - 2.0 * y0 + yp
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.where(np.abs(denom) > 1e-12, 0.5 * (ym - yp) / denom, 0.0)
    return np.clip(delta, -0.5, 0.5)


def detect_footfalls(
    x: np.ndarray,
    rate_hz: float,
    step_period_s: float,
    *,
    smooth_s: float = 0.03,
    min_prominence: float = 0.3,
    contact_search: float = 0.45,
) -> np.ndarray:
    """Footfall (initial contact) positions, as fractional sample indices into ``x``.

    Parameters
    ----------
    x : ndarray, shape (n,)
        Acceleration magnitude in m/s^2 (any offset), uniformly sampled.
    rate_hz : float
        Sample rate of ``x``.
    step_period_s : float
        Current step period (60 / cadence_spm).
    smooth_s : float
        Width of the centred moving average applied before peak picking, in seconds.
    min_prominence : float
        A loading peak's smoothed value must exceed the mean of ``x`` by this many
        standard deviations of ``x``.
    contact_search : float
        How far before the loading peak (in step periods) contact is searched.

    Returns
    -------
    ndarray of float
        Increasing fractional indices, one per step. Only steps whose loading peak has
        its whole +-half-period neighbourhood inside ``x`` are returned, so calling this
        on successive overlapping windows finds the same steps each time.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or not np.all(np.isfinite(x)) or rate_hz <= 0 or step_period_s <= 0:
        return np.empty(0)
    half = round(0.5 * step_period_s * rate_hz)
    back = min(half, round(contact_search * step_period_s * rate_hz))
    if half < 2 or back < 2 or x.size < 2 * half + 1:
        return np.empty(0)
    y = smooth(x, round(smooth_s * rate_hz))
    sd = float(np.std(y))
    if sd <= 1e-9:
        return np.empty(0)
    # 1. Loading peaks: a sample is a peak when it is the maximum (first occurrence, so
    # flat tops give one peak) of the (2*half+1) samples centred on it, and prominent.
    # Only the few local maxima are checked against their neighbourhood.
    inner = np.arange(half, x.size - half)
    cand = inner[(y[inner] > y[inner - 1]) & (y[inner] >= y[inner + 1])]
    cand = cand[y[cand] > y.mean() + min_prominence * sd]
    if cand.size == 0:
        return np.empty(0)
    hood = cand[:, None] + np.arange(-half, half + 1)[None, :]
    peaks = cand[np.argmax(y[hood], axis=1) == half]
    if peaks.size == 0:
        return np.empty(0)
    # 2. Contact: the steepest rise in the `back` samples before each peak, on a lighter
    # smoothing (20 ms) so a 10-15 ms impact transient keeps its edge.
    slope = np.gradient(smooth(x, round(0.02 * rate_hz)))
    rows = peaks[:, None] - np.arange(back, -1, -1)[None, :]  # (n_peaks, back + 1), >= 0
    j = np.argmax(slope[rows], axis=1)
    at = np.clip(rows[np.arange(rows.shape[0]), j], 1, x.size - 2)
    out: np.ndarray = at + _parabolic_offset(slope[at - 1], slope[at], slope[at + 1])
    return out
