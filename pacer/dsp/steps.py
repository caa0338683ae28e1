"""Footfall (step) detection on the acceleration-magnitude signal.

Pure numpy, no clock reads. :class:`pacer.dsp.cadence.CadenceTracker` calls
:func:`detect_footfalls` once per hop, on the part of its buffer whose
neighbourhood is complete, with the step period it has just estimated.

Notes
-----
A footfall is taken as the impact peak of the orientation-free acceleration
magnitude: the largest value of the lightly smoothed magnitude within half a step
period on either side (a sliding maximum, so no per-sample Python loop). Knowing the
step period from the autocorrelation (see :mod:`pacer.dsp.cadence`) is what makes
this robust: the neighbourhood admits exactly one peak per step, so the double hump of a walking step or the impact transient plus the active
peak of a running step give one footfall, not two. A wider neighbourhood would also
suppress the second hump of a thigh (trouser pocket) signal, but it loses the weaker of
alternating left/right steps, so it stays at half a period. Peaks that do not stand above
the window mean by ``min_prominence`` standard deviations are dropped (standing,
shuffling). The peak time is refined to a fraction of a sample by fitting a parabola
through the peak sample and its two neighbours.

References: the "windowed peak detection" family of step counters, e.g. Brajdic &
Harle, "Walk detection and step counting on unconstrained smartphones", UbiComp 2013
(the study behind the Oxford step-counter data), and the Bangle.js step counter
(``libs/misc/stepcount.c``) for a minimum-interval rule.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

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


def detect_footfalls(
    x: np.ndarray,
    rate_hz: float,
    step_period_s: float,
    *,
    smooth_s: float = 0.03,
    min_prominence: float = 0.3,
    neighbourhood: float = 0.5,
) -> np.ndarray:
    """Footfall positions (fractional sample indices into ``x``) of a gait signal.

    Parameters
    ----------
    x : ndarray, shape (n,)
        Acceleration magnitude in m/s^2 (any offset), uniformly sampled.
    rate_hz : float
        Sample rate of ``x``.
    step_period_s : float
        Current step period (60 / cadence_spm).
    smooth_s : float
        Width of the moving average applied before peak picking, in seconds.
    min_prominence : float
        A footfall's smoothed value must exceed the mean of ``x`` by this many
        standard deviations of ``x``.
    neighbourhood : float
        A footfall is the maximum within this many step periods on either side, so two
        footfalls are at least this far apart. Larger values suppress second humps but
        lose the weaker of alternating left/right steps, so 0.5 is the default.

    Returns
    -------
    ndarray of float
        Sorted fractional indices. Only peaks whose whole neighbourhood
        lies inside ``x`` are returned, so calling this on successive overlapping
        windows gives the same peaks each time.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or not np.all(np.isfinite(x)) or rate_hz <= 0 or step_period_s <= 0:
        return np.empty(0)
    half = round(neighbourhood * step_period_s * rate_hz)
    if half < 1 or x.size < 2 * half + 1:
        return np.empty(0)
    y = smooth(x, round(smooth_s * rate_hz))
    sd = float(np.std(y))
    if sd <= 1e-9:
        return np.empty(0)
    # The centre of each (2*half+1)-sample window is a footfall when it is that window's
    # maximum (first occurrence, so flat tops give one peak) and prominent enough.
    win = sliding_window_view(y, 2 * half + 1)
    centre = np.arange(half, x.size - half)
    is_peak = (np.argmax(win, axis=1) == half) & (y[centre] > y.mean() + min_prominence * sd)
    idx = centre[is_peak]
    if idx.size == 0:
        return np.empty(0)
    # Parabolic sub-sample refinement through (idx-1, idx, idx+1).
    ym, y0, yp = y[idx - 1], y[idx], y[idx + 1]
    denom = ym - 2.0 * y0 + yp
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.where(np.abs(denom) > 1e-12, 0.5 * (ym - yp) / denom, 0.0)
    return idx + np.clip(delta, -0.5, 0.5)
