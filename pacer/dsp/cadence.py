"""Live running/walking cadence and footfalls from accelerometer blocks.

Pure numpy, no clock reads: time arrives inside :class:`pacer.models.AccelBlock`.

Notes
-----
Signal. The orientation-free magnitude ``|a|`` of each sample (m/s^2) is resampled by
linear interpolation onto a uniform grid at the calibrated rate of the first block
after a (re)start; later blocks whose calibrated rate drifts a little are mapped onto
the same grid through their own time stamps, so small rate changes neither shift nor
stretch the signal. ``lost_samples > 0``, a time jump, or a rate change of more than
20 % restarts the tracker (buffer cleared, no exception). The blocks that arrive
between two hops are resampled together when the hop is due (one interpolation per hop
instead of one per block; the same linear segments, so the same grid values).

Every ``hop_s`` the last ``window_s`` of the grid goes to
:func:`pacer.dsp.steps.window_cadence` (autocorrelation, bands under 2:1, flight-phase
test for running, stride band for pockets; see there) and, when it finds a cadence, to
:func:`pacer.dsp.steps.detect_footfalls` with the freshly estimated step period
(initial contact: the steepest rise before each loading peak); each footfall is
reported once, about one hop plus half a step after it happened. When the rhythm was
found per stride (pocket, bag), no single event marks each step: footfalls then
continue the step phase from the last footfall at the estimated cadence, with half the
confidence, so step counts stay right while the metronome knows the phase is not
measured. Estimates before the first full window are ``None`` / ``"unknown"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pacer.dsp.steps import (
    RUN_BAND_SPM,
    WALK_BAND_SPM,
    detect_footfalls,
    estimate_cadence,
    window_cadence,
)
from pacer.models import AccelBlock, Footfall

__all__ = [
    "RUN_BAND_SPM",
    "WALK_BAND_SPM",
    "CadenceEstimate",
    "CadenceTracker",
    "estimate_cadence",
]


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


class _Ring:
    """Fixed-capacity float ring buffer indexed by absolute sample number.

    ``count`` is the number of samples ever written; ``slice(a, b)`` copies out samples
    ``a .. b-1`` while they are still held (the last ``capacity`` of them).
    """

    def __init__(self, capacity: int) -> None:
        self._buf = np.zeros(capacity)
        self._cap = capacity
        self.count = 0  # total samples ever written

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
        a, b = start % self._cap, stop % self._cap
        if stop - start == self._cap:
            return np.concatenate((self._buf[a:], self._buf[:a]))
        if a <= b:
            return self._buf[a:b].copy()
        return np.concatenate((self._buf[a:], self._buf[:b]))


def _magnitude(samples: np.ndarray) -> np.ndarray:
    """Orientation-free ``|a|`` of (n, 3) samples."""
    return np.sqrt(np.add.reduce(samples * samples, axis=1))


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
        self._offsets_key: tuple[int, float] | None = None
        self._offsets_s = np.empty(0)
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
        self._prev_t: float | None = None  # time of the last sample taken in
        # blocks not yet resampled (times, samples, |a| or None), and the last resampled
        # sample (t, |a|) they continue; AccelBlocks are immutable records, so holding
        # their arrays until the hop is safe
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]] = []
        self._anchor: tuple[np.ndarray, np.ndarray] | None = None
        self._next_hop_s = self._grid_t0_s + self.hop_s
        self._ff_cursor = 0  # absolute grid index before which footfalls were reported
        self._ff_last: float | None = None  # grid position of the last footfall
        self._mode_run: bool | None = None
        self._restart_pending = False

    def push(self, block: AccelBlock) -> list[CadenceEstimate]:
        """Feed one block; returns the estimates whose hop times it completed."""
        rate = float(block.rate_hz)
        samples = np.asarray(block.samples_mps2, dtype=np.float64)
        if not math.isfinite(rate) or rate <= 0 or samples.ndim != 2 or samples.shape[1] != 3:
            self._restart_pending = True
            return []
        if samples.shape[0] == 0:
            return []
        mag: np.ndarray | None = None  # |a| is computed for all the blocks of a hop at once
        # (ufunc methods directly: on 25-sample blocks the wrappers cost more than the math)
        if not math.isfinite(float(np.add.reduce(samples, axis=None))):  # NaN/inf somewhere
            mag = _magnitude(samples)
            bad = ~np.isfinite(mag)
            if bad.mean() > 0.5:
                self._restart_pending = True
                return []
            good = np.flatnonzero(~bad)
            mag = np.interp(np.arange(mag.size), good, mag[good])
        t0 = float(block.t0_s)
        if not math.isfinite(t0):
            self._restart_pending = True
            return []
        if not self._restart_pending and self._prev_t is not None:
            expected = self._prev_t + 1.0 / rate
            jump = abs(t0 - expected) > 2.5 / rate + 0.02
            rate_change = abs(rate / self._rate_hz - 1.0) > 0.2
            if block.lost_samples > 0 or jump or rate_change:
                self._restart_pending = True
        if self._restart_pending or self._ring is None:
            self._restart(block)
        return self._ingest(t0 + self._offsets(samples.shape[0], rate), samples, mag)

    def _offsets(self, n: int, rate: float) -> np.ndarray:
        """``arange(n) / rate``, kept while blocks keep their size and rate."""
        if self._offsets_key != (n, rate):
            self._offsets_key = (n, rate)
            self._offsets_s = np.arange(n) / rate
        return self._offsets_s

    def _ingest(
        self, t_s: np.ndarray, samples: np.ndarray, mag: np.ndarray | None
    ) -> list[CadenceEstimate]:
        """Queue one block (times, samples, and |a| if already known); run due hops."""
        ring = self._ring
        assert ring is not None
        if self._prev_t is not None:
            # A block stamped a little early (the rate regression moved) overlaps the
            # last one: keep only its samples after the last sample already placed
            # (the times increase, so those are a tail).
            if not t_s[-1] > self._prev_t:
                return []
            if not t_s[0] > self._prev_t:
                first = int(np.searchsorted(t_s, self._prev_t, side="right"))
                t_s, samples = t_s[first:], samples[first:]
                mag = None if mag is None else mag[first:]
        self._prev_t = float(t_s[-1])
        self._pending.append((t_s, samples, mag))
        k_last = math.floor((self._prev_t - self._grid_t0_s) * self._rate_hz + 1e-9)
        k_end = round((self._next_hop_s - self._grid_t0_s) * self._rate_hz)
        if k_end > max(k_last + 1, ring.count):
            return []  # no hop due: resample the blocks together when one is
        # Resample everything since the last hop in one go: the grid values are linear
        # interpolation on the same segments (the chain of samples starts at the last
        # sample already resampled), so this is what block-by-block resampling gives.
        pending, self._pending = self._pending, []
        if all(p[2] is None for p in pending):
            mags = [_magnitude(np.concatenate([p[1] for p in pending]))]
        else:
            mags = [_magnitude(p[1]) if p[2] is None else p[2] for p in pending]
        times = [p[0] for p in pending]
        if self._anchor is not None:
            times.insert(0, self._anchor[0])
            mags.insert(0, self._anchor[1])
        t_all = np.concatenate(times)
        m_all = np.concatenate(mags)
        self._anchor = (t_all[-1:], m_all[-1:])
        k0 = ring.count
        grid = np.empty(0)
        if k_last >= k0:
            k = np.arange(k0, k_last + 1)
            grid = np.interp(self._grid_t0_s + k / self._rate_hz, t_all, m_all)
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
        cadence, confidence, mode, per_stride = window_cadence(x, self._rate_hz, self._mode_run)
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
            # A footfall lies at most half a sample after its loading peak, so peaks
            # before the cursor cannot give a new one: search only from there.
            start = max(0, self._ff_cursor - k_start)
            pos = detect_footfalls(x, self._rate_hz, step_period_s, start=start) + k_start
        pos = pos[pos >= self._ff_cursor]
        if pos.size == 0:
            return
        for p in pos:  # a few per hop, not per sample
            self._footfalls.append(
                Footfall(t_s=float(self._grid_t0_s + p / self._rate_hz), confidence=confidence)
            )
        self._ff_last = float(pos[-1])
        self._ff_cursor = int(np.floor(pos[-1] + 0.5 * period))
