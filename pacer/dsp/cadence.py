"""Live running/walking cadence and footfalls from accelerometer blocks.

Pure numpy, no clock reads: time arrives inside :class:`pacer.models.AccelBlock`.

Notes
-----
Signal. The orientation-free magnitude ``|a|`` of each sample (m/s^2) is resampled by
linear interpolation onto a uniform grid at the calibrated rate of the first block
after a (re)start; later blocks whose calibrated rate drifts a little are mapped onto
the same grid through their own time stamps, so small rate changes neither shift nor
stretch the signal. ``lost_samples > 0``, a time jump, or a rate change of more than
20 % restarts the tracker (buffer cleared, no exception).

Estimate (every ``hop_s``, over the last ``window_s``):

1. Motion intensity = standard deviation of the magnitude. Below ``STILL_STD_MPS2``
   the runner is standing: ``cadence_spm=None``, mode ``"still"``. Running is only
   considered when the window shows a flight phase: the 5th percentile of the
   magnitude below ``RUN_FLOOR_MPS2`` (~0.45 g; the centre of mass is in free fall
   between steps, while walking keeps the magnitude near 1 g). This stops a thigh
   (trouser pocket) signal, as intense as trunk running, from being read as running.
2. Autocorrelation by FFT (zero padded to twice the window, so it is linear, not
   circular), band-limited to 0.6-12 Hz in the spectrum; the "unbiased"
   normalisation ``N / (N - lag)`` removes the triangular envelope that would pull
   peaks towards zero lag. Peaks are searched at integer lags.
3. Band choice (FIELD_NOTES: a search band spanning less than 2:1 cannot contain both
   the step and the stride period): ``RUN_BAND_SPM`` = 130-235 spm and
   ``WALK_BAND_SPM`` = 70-135 spm. A flight phase and an intensity above
   ``RUN_STD_MPS2`` select the running band first, with hysteresis. The other band
   is used instead when the chosen band has no interior peak (the maximum sits on the band edge), or, in the walking band, when
   the peak is a stride whose half lag carries almost the same correlation (a gentle
   jog with low trunk acceleration). Walking also searches the stride band of walking
   (35-67.5 strides/min): thigh (pocket), bag and arm placements move once per stride
   and correlate weakly at the step lag, so a strong stride-band peak that the
   step-band peak does not explain (it is not a whole number of those steps) gives
   the cadence as 2 / stride.
4. Sub-sample refinement: each peak found near 1, 2, 3 and 4 times the first-guess
   lag is moved to the true maximum of the band-limited autocorrelation by two
   Newton steps on its closed form (a cosine sum over the pass-band bins, so the
   interpolation is exact for the band-limited signal, not a parabola), and the step
   period is the least-squares fit ``sum(k p_k) / sum(k^2)``, which cuts the error of
   a single peak by roughly the number of peaks. Confidence is the normalised
   autocorrelation at the step lag (0..1); below ``MIN_CONFIDENCE`` there is motion
   but no rhythm: ``None``, mode ``"unknown"``.

Footfalls come from :func:`pacer.dsp.steps.detect_footfalls` on the window with the
freshly estimated step period (initial contact: the steepest rise before each loading
peak); each footfall is reported once. When the rhythm was found per stride (pocket,
bag), no single event marks each step: footfalls then continue the step phase from
the last footfall at the estimated cadence, with half the confidence, so step counts
stay right while the metronome knows the phase is not measured.

References: Zijlstra & Hof (2003) trunk accelerations during walking; Moe-Nilssen &
Helbostad (2004), "Estimation of gait cycle characteristics by trunk accelerometry"
(unbiased autocorrelation, step vs stride peaks); mobgap ``cadence`` module for the
naming and the degenerate-input policy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pacer.dsp.steps import detect_footfalls
from pacer.models import AccelBlock, Footfall

__all__ = [
    "RUN_BAND_SPM",
    "WALK_BAND_SPM",
    "CadenceEstimate",
    "CadenceTracker",
    "estimate_cadence",
]

RUN_BAND_SPM = (130.0, 235.0)  # 1.81 : 1
WALK_BAND_SPM = (70.0, 135.0)  # 1.93 : 1
STILL_STD_MPS2 = 0.5  # magnitude std below this is standing (body-worn or in hand)
RUN_STD_MPS2 = 6.5  # above: running band; hysteresis +-RUN_HYST_MPS2
RUN_HYST_MPS2 = 0.75
RUN_FLOOR_MPS2 = 4.5  # 5th percentile of |a| below this (~0.45 g): a flight phase, running
MIN_CONFIDENCE = 0.4  # see docs/algorithms-cadence.md: 0.35-0.5 is a plateau on real walking
PASS_BAND_HZ = (0.6, 12.0)


@dataclass(frozen=True)
class CadenceEstimate:
    """Cadence over the window that ends at ``t_s`` (session seconds).

    ``cadence_spm`` is None when standing or without a rhythm; ``confidence`` is 0..1;
    ``mode`` is ``"run"``, ``"walk"``, ``"still"`` or ``"unknown"``.
    """

    t_s: float
    cadence_spm: float | None
    confidence: float
    mode: str


@dataclass(frozen=True)
class _Acf:
    """Autocorrelation of one window: coarse values plus what evaluates it anywhere."""

    r: np.ndarray  # normalised, unbiased, at integer lags 0 .. n // 2
    power: np.ndarray  # pass-band power spectrum bins
    omega: np.ndarray  # their angular frequencies, rad per sample
    n: int  # window length, samples


def _autocorrelation(x: np.ndarray, rate_hz: float) -> _Acf:
    """Band-limited (``PASS_BAND_HZ``), unbiased, normalised autocorrelation of ``x``."""
    n = x.size
    n_fft = 1 << int(np.ceil(np.log2(2 * n)))  # zero padding: linear, not circular
    spec = np.fft.rfft(x - x.mean(), n_fft)
    k_lo = max(1, int(np.ceil(PASS_BAND_HZ[0] * n_fft / rate_hz)))
    k_hi = min(n_fft // 2 - 1, int(np.floor(PASS_BAND_HZ[1] * n_fft / rate_hz)))
    band = spec[k_lo : k_hi + 1]
    power = band.real**2 + band.imag**2
    full = np.zeros(n_fft // 2 + 1)
    full[k_lo : k_hi + 1] = power
    ac = np.fft.irfft(full, n_fft)[: n // 2 + 1]
    lags = np.arange(ac.size)
    if ac[0] <= 0:
        return _Acf(np.zeros(ac.size), np.zeros(0), np.zeros(0), n)
    r = ac / ac[0] * (n / (n - lags))
    omega = 2.0 * np.pi * np.arange(k_lo, k_hi + 1) / n_fft
    return _Acf(r, power, omega, n)


def _newton_peaks(acf: _Acf, lags: np.ndarray, steps: int = 2) -> np.ndarray:
    """Move each lag (samples) to the nearby maximum of the band-limited autocorrelation.

    ``irfft`` of a one-sided spectrum without DC and Nyquist bins is
    ``(2 / n_fft) * sum_k P_k cos(omega_k * lag)``, valid between integer lags too, so
    its derivatives are closed-form; with the unbiased factor ``g = n / (n - lag)``,
    Newton steps on ``f = c g`` converge from the parabolic first guess in two steps.
    """
    tau = np.asarray(lags, dtype=np.float64).copy()
    n = float(acf.n)
    w, p = acf.omega, acf.power
    for _ in range(steps):
        ph = tau[:, None] * w[None, :]
        cos, sin = np.cos(ph), np.sin(ph)
        # (sum over bins rather than @: tiny BLAS calls cost more than they compute)
        c0 = (cos * p).sum(axis=1)
        c1 = -(sin * (p * w)).sum(axis=1)
        c2 = -(cos * (p * w * w)).sum(axis=1)
        g0 = n / (n - tau)
        g1, g2 = g0 / (n - tau), 2.0 * g0 / (n - tau) ** 2
        f1 = c1 * g0 + c0 * g1
        f2 = c2 * g0 + 2.0 * c1 * g1 + c0 * g2
        # Only step where the curvature says maximum, and never more than half a sample.
        step = np.where(f2 < 0, -f1 / np.where(f2 < 0, f2, -1.0), 0.0)
        tau += np.clip(step, -0.5, 0.5)
    return tau


def _peak_in(r: np.ndarray, lo: int, hi: int) -> tuple[float, float, bool]:
    """Maximum of ``r[lo:hi+1]``: (fractional index, value, is an interior local max)."""
    lo, hi = max(lo, 1), min(hi, r.size - 2)
    if hi <= lo:
        return float("nan"), -1.0, False
    i = lo + int(np.argmax(r[lo : hi + 1]))
    interior = lo < i < hi and r[i] >= r[i - 1] and r[i] >= r[i + 1]
    ym, y0, yp = r[i - 1], r[i], r[i + 1]
    den = ym - 2 * y0 + yp
    d = 0.5 * (ym - yp) / den if abs(den) > 1e-12 else 0.0
    d = float(np.clip(d, -0.5, 0.5))
    return i + d, float(y0 - 0.25 * (ym - yp) * d), interior


def _band_peak(
    r: np.ndarray, rate_hz: float, band_spm: tuple[float, float]
) -> tuple[float, float, bool]:
    """Autocorrelation peak among the step lags of ``band_spm`` (see :func:`_peak_in`)."""
    lo = int(np.floor(60.0 / band_spm[1] * rate_hz))
    hi = int(np.ceil(60.0 / band_spm[0] * rate_hz))
    return _peak_in(r, lo, hi)


def _refine(acf: _Acf, lag0: float) -> float:
    """Least-squares step lag (samples) from the peaks near k * lag0, k = 1..4.

    Each coarse peak is moved to the maximum of the band-limited autocorrelation
    (:func:`_newton_peaks`); the period is then ``sum(k p_k) / sum(k^2)``.
    """
    r = acf.r
    ks, ps = [1.0], [lag0]
    for k in range(2, 5):
        centre = k * lag0
        half = 0.15 * lag0
        if centre + half >= r.size - 2:
            break
        p, v, interior = _peak_in(r, int(centre - half), int(np.ceil(centre + half)))
        if interior and v > 0.3:
            ks.append(float(k))
            ps.append(p)
    pos = _newton_peaks(acf, np.asarray(ps))
    k_arr = np.asarray(ks)
    return float(np.dot(k_arr, pos) / np.dot(k_arr, k_arr))


def estimate_cadence(
    x: np.ndarray, rate_hz: float, prefer_run: bool | None = None
) -> tuple[float | None, float, str]:
    """Cadence of one window of acceleration magnitude.

    Parameters
    ----------
    x : ndarray, shape (n,)
        Acceleration magnitude (m/s^2), uniformly sampled at ``rate_hz``.
    rate_hz : float
        Calibrated sample rate.
    prefer_run : bool or None
        Previous mode, for hysteresis of the band choice (None: no history).

    Returns
    -------
    (cadence_spm or None, confidence 0..1, mode)
    """
    cadence_spm, confidence, mode, _ = _estimate_window(x, rate_hz, prefer_run)
    return cadence_spm, confidence, mode


def _estimate_window(
    x: np.ndarray, rate_hz: float, prefer_run: bool | None
) -> tuple[float | None, float, str, bool]:
    """:func:`estimate_cadence` plus whether the rhythm was found per stride."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size < 8 or not np.isfinite(rate_hz) or rate_hz <= 0:
        return None, 0.0, "unknown", False
    if not np.all(np.isfinite(x)):
        return None, 0.0, "unknown", False
    if x.size < 2.2 * 60.0 / WALK_BAND_SPM[0] * rate_hz:
        return None, 0.0, "unknown", False  # window too short to hold two slow steps
    std = float(np.std(x))
    if std < STILL_STD_MPS2:
        return None, 0.0, "still", False
    threshold = RUN_STD_MPS2 + (
        0.0 if prefer_run is None else (-RUN_HYST_MPS2 if prefer_run else RUN_HYST_MPS2)
    )
    # Running has a flight phase: the magnitude drops well below 1 g once per step.
    k5 = x.size // 20
    flight = float(np.partition(x, k5)[k5]) < RUN_FLOOR_MPS2  # 5th percentile
    run_first = flight and std >= threshold
    acf = _autocorrelation(x, rate_hz)
    run = _band_peak(acf.r, rate_hz, RUN_BAND_SPM)
    walk = _band_peak(acf.r, rate_hz, WALK_BAND_SPM)
    run_ok = run[2] and run[1] >= MIN_CONFIDENCE
    walk_ok = walk[2] and walk[1] >= MIN_CONFIDENCE
    # Is the walking-band peak at twice the running-band lag (a stride, or a step whose
    # second harmonic made the running-band peak)? Then the correlations decide.
    octave = run[2] and walk[2] and abs(walk[0] / run[0] - 2.0) < 0.15
    if not flight:
        use_run = False
    elif run_first:
        use_run = run_ok and not (octave and run[1] < 0.6 * walk[1])
    else:
        use_run = (run_ok and not walk_ok) or (octave and run_ok and run[1] > 0.85 * walk[1])
    if use_run:
        lag_refined = _refine(acf, run[0])
        return 60.0 * rate_hz / lag_refined, float(min(run[1], 1.0)), "run", False
    # Walking. Thigh (trouser pocket), bag and arm placements move once per stride: the
    # step lag may correlate weakly, or a spurious peak may win the step band, while the
    # stride lag is strong. The stride band of walking (35-67.5 strides/min) cannot hold
    # a step period or twice a stride, so a strong stride peak that the step-band peak
    # does not explain (not a whole number of its steps, e.g. 2 = stride, 3 for a
    # symmetric gait) decides.
    stride = _band_peak(acf.r, rate_hz, (WALK_BAND_SPM[0] / 2, WALK_BAND_SPM[1] / 2))
    stride_ok = stride[2] and stride[1] >= MIN_CONFIDENCE
    multiple = stride[0] / walk[0] if walk[2] else 0.0  # 2 for a stride, 3 for 3 steps
    explained = walk_ok and round(multiple) >= 2 and abs(multiple - round(multiple)) < 0.15
    if stride_ok and not explained and (not walk_ok or stride[1] > walk[1]):
        lag_refined = _refine(acf, stride[0]) / 2.0
        return 60.0 * rate_hz / lag_refined, float(min(stride[1], 1.0)), "walk", True
    if walk_ok:
        lag_refined = _refine(acf, walk[0])
        return 60.0 * rate_hz / lag_refined, float(min(walk[1], 1.0)), "walk", False
    return None, float(max(run[1], walk[1], stride[1], 0.0)), "unknown", False


class _Ring:
    """Fixed-capacity float ring buffer; ``last(n)`` returns a contiguous copy."""

    def __init__(self, capacity: int) -> None:
        self._buf = np.zeros(capacity)
        self._cap = capacity
        self.count = 0  # total samples ever written

    def clear(self) -> None:
        self.count = 0

    def extend(self, v: np.ndarray) -> None:
        if v.size > self._cap:
            self.count += v.size - self._cap
            v = v[-self._cap :]
        start = self.count % self._cap
        end = start + v.size
        if end <= self._cap:
            self._buf[start:end] = v
        else:
            k = self._cap - start
            self._buf[start:] = v[:k]
            self._buf[: end - self._cap] = v[k:]
        self.count += v.size

    @property
    def available(self) -> int:
        return min(self.count, self._cap)

    def slice(self, start: int, stop: int) -> np.ndarray:
        """Samples with absolute indices [start, stop) (must still be held)."""
        idx = np.arange(start, stop) % self._cap
        return self._buf[idx]


class CadenceTracker:
    """Streaming cadence and footfalls from :class:`~pacer.models.AccelBlock` s.

    Parameters
    ----------
    window_s : float
        Analysis window (latency t90 is about this long).
    hop_s : float
        One estimate per hop, timestamped at the end of its window.
    """

    def __init__(self, *, window_s: float = 4.0, hop_s: float = 1.0) -> None:
        if not (window_s > 0 and hop_s > 0):
            raise ValueError("window_s and hop_s must be positive")
        self.window_s = float(window_s)
        self.hop_s = float(hop_s)
        self._latest: CadenceEstimate | None = None
        self._footfalls: list[Footfall] = []
        self._ring: _Ring | None = None
        self._restart_pending = True
        self.restarts = 0  # gaps, time jumps and rate changes seen (diagnostics)

    @property
    def latest(self) -> CadenceEstimate | None:
        return self._latest

    def footfalls(self) -> list[Footfall]:
        """Footfalls detected since the last call (oldest first)."""
        out, self._footfalls = self._footfalls, []
        return out

    # ------------------------------------------------------------------ input
    def _restart(self, block: AccelBlock) -> None:
        self.restarts += 0 if self._ring is None else 1
        self._rate_hz = float(block.rate_hz)
        self._grid_t0_s = float(block.t0_s)
        cap = int(np.ceil((self.window_s + 2 * self.hop_s + 2.0) * self._rate_hz)) + 8
        self._ring = _Ring(cap)
        self._prev: tuple[float, float] | None = None
        self._next_hop_s = self._grid_t0_s + self.hop_s
        self._ff_cursor = 0  # absolute grid index before which footfalls were reported
        self._ff_last: float | None = None  # grid position of the last footfall
        self._mode_run: bool | None = None
        self._restart_pending = False

    def push(self, block: AccelBlock) -> list[CadenceEstimate]:
        """Feed one block; returns the estimates whose hop times it completed."""
        rate = float(block.rate_hz)
        samples = np.asarray(block.samples_mps2, dtype=np.float64)
        if not np.isfinite(rate) or rate <= 0 or samples.ndim != 2 or samples.shape[1] != 3:
            self._restart_pending = True
            return []
        if samples.shape[0] == 0:
            return []
        mag = np.sqrt(np.sum(samples * samples, axis=1))
        bad = ~np.isfinite(mag)
        if bad.any():
            if bad.mean() > 0.5:
                self._restart_pending = True
                return []
            good = np.flatnonzero(~bad)
            mag = np.interp(np.arange(mag.size), good, mag[good])
        t0 = float(block.t0_s)
        if not np.isfinite(t0):
            self._restart_pending = True
            return []
        if not self._restart_pending and self._prev is not None:
            expected = self._prev[0] + 1.0 / rate
            jump = abs(t0 - expected) > 2.5 / rate + 0.02
            rate_change = abs(rate / self._rate_hz - 1.0) > 0.2
            if block.lost_samples > 0 or jump or rate_change:
                self._restart_pending = True
        if self._restart_pending or self._ring is None:
            self._restart(block)
        return self._ingest(t0 + np.arange(mag.size) / rate, mag)

    def _ingest(self, t_s: np.ndarray, mag: np.ndarray) -> list[CadenceEstimate]:
        ring = self._ring
        assert ring is not None
        if self._prev is not None:
            t_s = np.concatenate(([self._prev[0]], t_s))
            mag = np.concatenate(([self._prev[1]], mag))
        k_last = int(np.floor((t_s[-1] - self._grid_t0_s) * self._rate_hz + 1e-9))
        k0 = ring.count
        grid = np.empty(0)
        if k_last >= k0:
            k = np.arange(k0, k_last + 1)
            grid = np.interp(self._grid_t0_s + k / self._rate_hz, t_s, mag)
        self._prev = (float(t_s[-1]), float(mag[-1]))
        out: list[CadenceEstimate] = []
        while True:
            k_end = round((self._next_hop_s - self._grid_t0_s) * self._rate_hz)
            if k_end > k0 + grid.size:
                break
            # Fill the ring only up to this hop, so a long block cannot overrun it.
            ring.extend(grid[ring.count - k0 : k_end - k0])
            out.append(self._estimate(k_end, self._next_hop_s))
            self._next_hop_s += self.hop_s
        ring.extend(grid[ring.count - k0 :])
        if out:
            self._latest = out[-1]
        return out

    # ------------------------------------------------------------------ analysis
    def _estimate(self, k_end: int, t_end_s: float) -> CadenceEstimate:
        ring = self._ring
        assert ring is not None
        n = round(self.window_s * self._rate_hz)
        k_start = k_end - n
        if k_start < max(0, ring.count - ring.available):
            return CadenceEstimate(t_end_s, None, 0.0, "unknown")
        x = ring.slice(k_start, k_end)
        cadence, confidence, mode, per_stride = _estimate_window(x, self._rate_hz, self._mode_run)
        if mode in ("run", "walk"):
            self._mode_run = mode == "run"
        if cadence is None:
            self._ff_cursor = max(self._ff_cursor, k_end - n // 4)
            return CadenceEstimate(t_end_s, None, confidence, mode)
        self._collect_footfalls(x, k_start, 60.0 / cadence, confidence, per_stride)
        return CadenceEstimate(t_end_s, cadence, confidence, mode)

    def _collect_footfalls(
        self,
        x: np.ndarray,
        k_start: int,
        step_period_s: float,
        confidence: float,
        per_stride: bool,
    ) -> None:
        period = step_period_s * self._rate_hz  # samples
        if per_stride:
            # Stride-periodic placements (thigh, bag) show no single event per step:
            # carry the step phase on at the estimated cadence from the last footfall,
            # so counts stay right, and say so with half the confidence.
            last = self._ff_last
            if last is None or last < k_start - 2 * period:
                last = float(max(self._ff_cursor, k_start)) - period
            n = int(np.floor((k_start + x.size - 0.5 * period - last) / period))
            pos = last + period * np.arange(1, max(n, 0) + 1)
            confidence *= 0.5
        else:
            pos = detect_footfalls(x, self._rate_hz, step_period_s) + k_start
        pos = pos[pos >= self._ff_cursor]
        if pos.size == 0:
            return
        for p in pos:  # a few per hop, not per sample
            self._footfalls.append(
                Footfall(t_s=float(self._grid_t0_s + p / self._rate_hz), confidence=confidence)
            )
        self._ff_last = float(pos[-1])
        self._ff_cursor = int(np.floor(pos[-1] + 0.5 * period))
