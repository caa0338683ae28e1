"""Footfalls (initial contacts) in one window of acceleration magnitude.

Pure numpy, no clock reads. :class:`pacer.dsp.cadence.CadenceTracker` calls
:func:`footfall_positions` once per hop on its latest window, with the step period that
:func:`pacer.dsp.steps.window_cadence` just estimated; :func:`detect_footfalls` is the
same search for any array. (Moved here from :mod:`pacer.dsp.steps`, which re-exports
these names.)

Notes
-----
Footfalls. A footfall is the instant of initial contact (foot strike). It is found in
two stages on the orientation-free acceleration magnitude:

1. One *loading peak* per step: the largest value of the lightly smoothed magnitude
   within half a step period on either side (vectorised: the local maxima are checked
   against their neighbourhoods in one fancy-indexed array). Knowing the step period
   from the autocorrelation is what makes this robust: the neighbourhood admits one peak
   per step, so the impact transient plus the active peak of a running step, or the
   double hump of a walking step, give one footfall, not two. (A wider neighbourhood
   would also suppress the second hump of a thigh signal, but it loses the weaker of
   alternating left/right steps.) Peaks that do not stand above the window mean by
   ``min_prominence`` standard deviations are dropped (shuffling).
2. *Contact*: the steepest rise of the magnitude in the ``contact_search`` step periods
   before the loading peak. In running the body is in free fall before contact (|a| near
   0) and the impact transient rises within ~10-15 ms of the strike; in walking the heel
   strike is the sharpest rise of the step. The slope is a central difference of the
   magnitude smoothed over 20 ms; its maximum is refined to a fraction of a sample with
   a parabola through the best sample and its two neighbours. The steepest point lags
   the true contact by a few ms (the impact needs ~12 ms to peak and the active loading
   keeps rising): medians of 3-5 ms at hip and waist and 7-10 ms at the chest (impact
   damped by the spine) on :mod:`pacer.sim.accel` running. Extending the tangent back to
   the pre-contact level was tried and overshot by 8-16 ms the other way (the impact
   transient is concave from its start), so the plain steepest point is used.

The loading peak itself lags contact by about half the ground contact time (~0.1 s
running), and that lag changes with speed and footwear, so it is not used as the
footfall time.

References (footfalls): Brajdic & Harle, "Walk detection and step counting on
unconstrained smartphones", UbiComp 2013 (windowed peak detection; the study behind the
Oxford step-counter data); Lee et al. 2010, "Detection of spatio-temporal gait
parameters by using wearable motion sensors" (initial contact from the trunk
acceleration rise); Bangle.js ``libs/misc/stepcount.c`` for a minimum-interval rule.
"""

from __future__ import annotations

import functools
import math

import numpy as np

__all__ = ["detect_footfalls", "footfall_positions", "smooth"]


@functools.lru_cache(maxsize=16)
def _smooth_den(n: int, w: int) -> np.ndarray:
    """How many samples exist under a centred window of ``w`` at each of ``n`` positions."""
    return _frozen(np.convolve(np.ones(n), np.ones(w), mode="same"))


def smooth(x: np.ndarray, width_samples: int) -> np.ndarray:
    """Centred moving average of ``x`` over ``width_samples`` (odd, >= 1), same length.

    Edges are averaged over the samples that exist (no zero padding bias).
    """
    w = max(1, int(width_samples) | 1)  # force odd so the filter is centred
    if w == 1 or x.size == 0:
        return x.astype(np.float64, copy=True)
    if w == 3 and x.size >= 3:
        # The footfall search's width at 50-100 Hz, written out: the same sums in the
        # same order as the convolution's dot products, without its per-sample calls.
        x = np.asarray(x, dtype=np.float64)
        y = np.empty(x.size)
        inner = y[1:-1]
        np.add(x[:-2], x[1:-1], out=inner)
        inner += x[2:]
        inner /= 3.0
        # the two edges average two samples (on floats: numpy scalar arithmetic is slow)
        y[0] = (float(x[0]) + float(x[1])) / 2.0
        y[-1] = (float(x[-2]) + float(x[-1])) / 2.0
        return y
    smoothed: np.ndarray = np.convolve(x, _ones(w), mode="same") / _smooth_den(x.size, w)
    return smoothed


@functools.lru_cache(maxsize=16)
def _ones(w: int) -> np.ndarray:
    """The moving-average kernel ``np.ones(w)``, kept per width."""
    return _frozen(np.ones(w))


def detect_footfalls(
    x: np.ndarray,
    rate_hz: float,
    step_period_s: float,
    *,
    smooth_s: float = 0.03,
    min_prominence: float = 0.3,
    contact_search: float = 0.45,
    start: int = 0,
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
    start : int
        Only steps whose loading peak is at index ``start`` or later are returned (a
        streaming caller that already has the earlier ones skips their search; the
        smoothing, mean and deviation still use the whole window, so the steps
        returned are the same as without ``start``).

    Returns
    -------
    ndarray of float
        Increasing fractional indices, one per step. Only steps whose loading peak has
        its whole +-half-period neighbourhood inside ``x`` are returned, so calling this
        on successive overlapping windows finds the same steps each time.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or not math.isfinite(float(np.add.reduce(x))):  # NaN or inf anywhere
        return np.empty(0)
    return np.array(footfall_positions(
        x, rate_hz, step_period_s, smooth_s=smooth_s, min_prominence=min_prominence,
        contact_search=contact_search, start=start,
    ))


def footfall_positions(
    x: np.ndarray,
    rate_hz: float,
    step_period_s: float,
    *,
    smooth_s: float = 0.03,
    min_prominence: float = 0.3,
    contact_search: float = 0.45,
    start: int = 0,
) -> list[float]:
    """:func:`detect_footfalls` as a list, for a 1-D float64 ``x`` known to be finite.

    The cadence tracker's windows are (it has checked them); the checks are then
    left out, and the few positions stay Python floats.
    """
    if rate_hz <= 0 or step_period_s <= 0:
        return []
    half = round(0.5 * step_period_s * rate_hz)
    back = min(half, round(contact_search * step_period_s * rate_hz))
    n = x.size
    if half < 2 or back < 2 or n < 2 * half + 1:
        return []
    width = round(smooth_s * rate_hz)
    y = smooth(x, width)
    y_mean = float(np.add.reduce(y)) / n
    dev = y - y_mean
    sd = math.sqrt(float(np.add.reduce(dev * dev)) / n)  # == np.std(y)
    if sd <= 1e-9:
        return []
    # 1. Loading peaks: a sample is a peak when it is the maximum (first occurrence, so
    # flat tops give one peak) of the (2*half+1) samples centred on it, and prominent.
    # Only the few local maxima are checked against their neighbourhood.
    lo = max(half, int(start))
    if lo >= n - half:
        return []
    seg = y[lo - 1 : n - half + 1]
    rises = seg[1:] > seg[:-1]  # y[i] > y[i - 1] for i = lo .. n - half
    # local maximum: rises into i and does not rise out of it (y[i] >= y[i + 1])
    is_peak = np.greater(rises[:-1], rises[1:])
    is_peak &= seg[1:-1] > y_mean + min_prominence * sd
    cand = is_peak.nonzero()[0] + lo
    if cand.size == 0:
        return []
    # 2. Contact: the steepest rise in the `back` samples before each peak, on a lighter
    # smoothing (20 ms) so a 10-15 ms impact transient keeps its edge.
    light_width = round(0.02 * rate_hz)
    z = y if max(1, light_width | 1) == max(1, width | 1) else smooth(x, light_width)
    slope = _gradient(z)
    # Both searches for all local maxima at once (a handful per window): the
    # neighbourhood's first maximum, and the steepest rise among its last back + 1
    # samples (the rows of the neighbourhood that end at the candidate, all >= 0).
    hood = cand[:, None] + _offsets(-half, half + 1)  # (n_cand, 2 half + 1)
    top = y[hood].argmax(axis=1).tolist()
    steepest = slope[hood[:, half - back : half + 1]].argmax(axis=1).tolist()
    return _contact_positions(cand.tolist(), top, steepest, slope, half, back)


def _gradient(z: np.ndarray) -> np.ndarray:
    """``np.gradient(z)`` (per sample): central differences, one-sided at the ends."""
    n = z.size
    slope = np.empty(n)
    np.subtract(z[2:], z[:-2], out=slope[1:-1])
    slope[1:-1] /= 2.0
    slope[0] = float(z[1]) - float(z[0])
    slope[-1] = float(z[-1]) - float(z[-2])
    return slope


def _contact_positions(
    cand: list[int], top: list[int], steepest: list[int], slope: np.ndarray,
    half: int, back: int,
) -> list[float]:
    """Contact positions (fractional samples) of the candidates that top their
    neighbourhood: the steepest rise refined to the sub-sample vertex (-0.5..0.5) of
    the parabola through the slope there and its two neighbours. A handful of steps
    per window, so on floats."""
    n = slope.size
    out = []
    for peak, t, k in zip(cand, top, steepest, strict=True):
        if t != half:  # not the maximum of its neighbourhood: no step here
            continue
        i = min(max(peak - back + k, 1), n - 2)
        ym, y0, yp = slope[i - 1 : i + 2].tolist()
        denom = ym - 2.0 * y0 + yp
        delta = 0.5 * (ym - yp) / denom if abs(denom) > 1e-12 else 0.0
        out.append(i + min(max(delta, -0.5), 0.5))
    return out


@functools.lru_cache(maxsize=64)
def _offsets(start: int, stop: int) -> np.ndarray:
    """``np.arange(start, stop)[None, :]``, kept (a few distinct step lengths per run)."""
    return _frozen(np.arange(start, stop)[None, :])


def _frozen(a: np.ndarray) -> np.ndarray:
    """``a`` made read-only: the cached arrays above are shared by every call."""
    a.flags.writeable = False
    return a
