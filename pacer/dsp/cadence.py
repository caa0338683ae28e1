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
:func:`pacer.dsp.steps.window_cadence` (autocorrelation; the step or stride decision of
:mod:`pacer.dsp.gait_period`, helped by the GPS speed given to :meth:`CadenceTracker.note_speed`
and the last confident cadence; see there) and, when it finds a cadence, to
:func:`pacer.dsp.footfalls.footfall_positions` with the freshly estimated step period
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
from typing import NamedTuple

import numpy as np

from pacer.dsp.footfalls import footfall_positions
from pacer.dsp.gait_period import GUESS_CONFIDENCE
from pacer.dsp.steps import (
    RUN_BAND_SPM,
    WALK_BAND_SPM,
    estimate_cadence,
    window_cadence,
)
from pacer.models import AccelBlock, Footfall

SPEED_FRESH_S = 3.0  # a GPS speed this old still describes the window
PREV_FRESH_S = 5.0  # the last confident cadence settles an ambiguous octave this long
PREV_MIN_CONFIDENCE = 0.5
CONFIRM_REL = 0.08  # a cadence this far from the previous hop's waits for confirmation

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


class _Grid:
    """The uniform grid of ``|a|``: a linear buffer that holds at least the last ``keep``.

    ``count`` is the number of samples ever written; ``window(a, b)`` is a view (no
    copy) of samples ``a .. b-1``, valid until the next ``extend``. When the buffer is
    full, the last ``keep`` samples move to its front (one copy every few dozen hops).
    """

    def __init__(self, keep: int) -> None:
        self._keep = keep
        self._buf = np.empty(4 * keep)
        self._first = 0  # absolute index of _buf[0]
        self._size = 0  # samples held
        self.count = 0  # total samples ever written

    def extend(self, v: np.ndarray) -> None:
        m = v.size
        if m > self._keep:
            self._first += self._size + m - self._keep
            self._size, self.count = 0, self.count + m - self._keep
            v, m = v[-self._keep :], self._keep
        if self._size + m > self._buf.size:
            hold = min(self._size, self._keep - m)
            self._buf[:hold] = self._buf[self._size - hold : self._size]
            self._first += self._size - hold
            self._size = hold
        self._buf[self._size : self._size + m] = v
        self._size += m
        self.count += m

    @property
    def first(self) -> int:
        """Absolute index of the oldest sample held."""
        return self._first

    def window(self, start: int, stop: int) -> np.ndarray:
        """Samples with absolute indices [start, stop) (must still be held), as a view."""
        return self._buf[start - self._first : stop - self._first]


class _Pending(NamedTuple):
    """One block waiting for the next hop's resampling."""

    t0_s: float
    rate_hz: float
    samples: np.ndarray  # (n, 3), m/s^2
    t_s: np.ndarray | None  # sample times when not t0_s + arange(n) / rate_hz (trimmed)
    mag: np.ndarray | None  # |a| when already computed (a block with NaN samples)


def _magnitude(samples: np.ndarray) -> np.ndarray:
    """Orientation-free ``|a|`` of (n, 3) samples."""
    mag: np.ndarray = np.sqrt(np.add.reduce(samples * samples, axis=1))
    return mag


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
        self._grid: _Grid | None = None
        self._restart_pending = True
        self._counting = np.arange(128, dtype=np.float64)  # see _arange
        self._speed: tuple[float, float] | None = None  # (t_s, GPS ground speed m/s)
        self._prev: tuple[float, float] | None = None  # (t_s, cadence_spm) last confident
        self.restarts = 0  # gaps, time jumps and rate changes seen (diagnostics)

    @property
    def latest(self) -> CadenceEstimate | None:
        return self._latest

    def footfalls(self) -> list[Footfall]:
        """Footfalls detected since the last call (oldest first)."""
        out, self._footfalls = self._footfalls, []
        return out

    def note_speed(self, t_s: float, speed_mps: float | None) -> None:
        """The ground speed (GPS) at ``t_s``; used for ``SPEED_FRESH_S`` to tell a
        runner's stride from a walker's step when the signal cannot (step length)."""
        if speed_mps is None or not (math.isfinite(t_s) and math.isfinite(speed_mps)):
            return
        self._speed = (float(t_s), float(speed_mps))

    # ------------------------------------------------------------------ input
    def _restart(self, block: AccelBlock) -> None:
        self.restarts += 0 if self._grid is None else 1
        self._rate_hz = float(block.rate_hz)
        self._grid_t0_s = float(block.t0_s)
        keep = int(np.ceil((self.window_s + 2 * self.hop_s + 2.0) * self._rate_hz)) + 8
        self._grid = _Grid(keep)
        self._prev_t: float | None = None  # time of the last sample taken in
        # blocks not yet resampled, and the last resampled sample (t, |a|) they continue;
        # AccelBlocks are immutable records, so holding their arrays until the hop is safe
        self._pending: list[_Pending] = []
        self._anchor: tuple[float, float] | None = None
        self._next_hop_s = self._grid_t0_s + self.hop_s
        self._ff_cursor = 0  # absolute grid index before which footfalls were reported
        self._ff_last: float | None = None  # grid position of the last footfall
        self._mode_run: bool | None = None
        self._last_spm: float | None = None  # the previous hop's cadence
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
        if self._restart_pending or self._grid is None:
            self._restart(block)
        return self._ingest(_Pending(t0, rate, samples, None, mag))

    def _arange(self, n: int) -> np.ndarray:
        """``0.0, 1.0, .. n - 1`` (a view of one array kept for the tracker's life)."""
        if self._counting.size < n:
            self._counting = np.arange(max(n, 2 * self._counting.size), dtype=np.float64)
        return self._counting[:n]

    def _ingest(self, block: _Pending) -> list[CadenceEstimate]:
        """Queue one block; when a hop is due, resample the queue and run the hops."""
        grid = self._grid
        assert grid is not None
        n = block.samples.shape[0]
        # the sample times t0 + arange(n) / rate, as numpy would compute them: the
        # last one here on floats, all of them at the hop
        t_last = block.t0_s + (n - 1) / block.rate_hz
        if self._prev_t is not None:
            # A block stamped a little early (the rate regression moved) overlaps the
            # last one: keep only its samples after the last sample already placed
            # (the times increase, so those are a tail).
            if not t_last > self._prev_t:
                return []
            if not block.t0_s > self._prev_t:
                t_s = block.t0_s + self._arange(n) / block.rate_hz
                first = int(np.searchsorted(t_s, self._prev_t, side="right"))
                mag = None if block.mag is None else block.mag[first:]
                block = _Pending(block.t0_s, block.rate_hz, block.samples[first:], t_s[first:], mag)
        self._prev_t = t_last
        self._pending.append(block)
        k_last = math.floor((t_last - self._grid_t0_s) * self._rate_hz + 1e-9)
        k_end = round((self._next_hop_s - self._grid_t0_s) * self._rate_hz)
        if k_end > max(k_last + 1, grid.count):
            return []  # no hop due: resample the blocks together when one is
        k0 = grid.count
        values = self._resample(k0, k_last)
        out: list[CadenceEstimate] = []
        while True:
            k_end = round((self._next_hop_s - self._grid_t0_s) * self._rate_hz)
            if k_end > k0 + values.size:
                break
            # Fill the grid only up to this hop, so a long block cannot overrun it.
            grid.extend(values[grid.count - k0 : k_end - k0])
            out.append(self._estimate(k_end, self._next_hop_s))
            self._next_hop_s += self.hop_s
        grid.extend(values[grid.count - k0 :])
        if out:
            self._latest = out[-1]
        return out

    def _resample(self, k0: int, k_last: int) -> np.ndarray:
        """Grid values ``k0 .. k_last`` from the queued blocks (emptying the queue).

        Everything since the last hop is interpolated in one go: the grid values are
        linear interpolation on the same segments (the chain of samples starts at the
        last sample already resampled), so this is what block-by-block resampling gives.
        """
        pending, self._pending = self._pending, []
        anchored = self._anchor is not None
        size = sum(p.samples.shape[0] for p in pending) + anchored
        t_all, m_all = np.empty(size), np.empty(size)
        if self._anchor is not None:
            t_all[0], m_all[0] = self._anchor
        known = any(p.mag is not None for p in pending)  # blocks that had NaN samples
        if not known:
            stacked = pending[0].samples if len(pending) == 1 else np.concatenate(
                [p.samples for p in pending])
            np.sqrt(np.add.reduce(stacked * stacked, axis=1, out=m_all[anchored:]),
                    out=m_all[anchored:])
        pos = int(anchored)
        for p in pending:
            n = p.samples.shape[0]
            t_seg = t_all[pos : pos + n]
            if p.t_s is None:
                np.add(np.divide(self._arange(n), p.rate_hz, out=t_seg), p.t0_s, out=t_seg)
            else:
                t_seg[:] = p.t_s
            if p.mag is not None:
                m_all[pos : pos + n] = p.mag
            elif known:
                m_all[pos : pos + n] = _magnitude(p.samples)
            pos += n
        self._anchor = (float(t_all[-1]), float(m_all[-1]))
        if k_last < k0:
            return np.empty(0)
        t_grid = self._arange(k_last + 1 - k0) + k0
        np.add(np.divide(t_grid, self._rate_hz, out=t_grid), self._grid_t0_s, out=t_grid)
        values: np.ndarray = np.interp(t_grid, t_all, m_all)
        return values

    # ------------------------------------------------------------------ analysis
    def _estimate(self, k_end: int, t_end_s: float) -> CadenceEstimate:
        grid = self._grid
        assert grid is not None
        n = round(self.window_s * self._rate_hz)
        k_start = k_end - n
        if k_start < max(0, grid.first):
            return CadenceEstimate(t_end_s, None, 0.0, "unknown")
        x = grid.window(k_start, k_end)
        speed = self._speed
        speed_mps = (speed[1] if speed is not None and abs(t_end_s - speed[0]) <= SPEED_FRESH_S
                     else None)
        prev = self._prev
        prev_spm = prev[1] if prev is not None and t_end_s - prev[0] <= PREV_FRESH_S else None
        cadence, confidence, mode, per_stride = window_cadence(
            x, self._rate_hz, self._mode_run, speed_mps=speed_mps, prev_spm=prev_spm)
        if mode in ("run", "walk"):
            self._mode_run = mode == "run"
        last, self._last_spm = self._last_spm, cadence
        if cadence is not None and (last is None or abs(cadence / last - 1.0) > CONFIRM_REL):
            # a new rhythm is only as sure as a guess until the next hop confirms it
            confidence = min(confidence, GUESS_CONFIDENCE)
        if cadence is not None and confidence >= PREV_MIN_CONFIDENCE:
            self._prev = (t_end_s, cadence)
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
            count = math.floor((k_start + x.size - 0.5 * period - last) / period)
            positions = [last + period * i for i in range(1, max(count, 0) + 1)]
            confidence *= 0.5
        else:
            # A footfall lies at most half a sample after its loading peak, so peaks
            # before the cursor cannot give a new one: search only from there.
            start = max(0, self._ff_cursor - k_start)
            positions = [p + k_start for p in footfall_positions(
                x, self._rate_hz, step_period_s, start=start)]
        positions = [p for p in positions if p >= self._ff_cursor]
        if not positions:
            return
        for p in positions:  # a few per hop, not per sample
            self._footfalls.append(
                Footfall(t_s=self._grid_t0_s + p / self._rate_hz, confidence=confidence)
            )
        self._ff_last = positions[-1]
        self._ff_cursor = math.floor(positions[-1] + 0.5 * period)
