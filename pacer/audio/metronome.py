"""Metronome: click times at a cadence (fixed, adaptive ramp, or locked to footfalls).

Pure: time arrives as data (``t0_s``/``t1_s`` windows on the session timeline, the
runner's cadence and detected footfalls); no clock, no IO. The object keeps the phase
between calls, so consecutive windows give one continuous click train.

Notes
-----
* **fixed** -- clicks every ``60 / target_cadence_spm`` seconds from the first window's start.
* **adaptive** -- the click rate starts at the runner's current cadence (the first
  ``current_cadence_spm`` given, else the target) and moves toward the target by at most
  ``step_spm_per_s`` per second of elapsed time, updated at every click, so a runner at
  164 spm asked for 176 spm is led up over ~6 s at 2 spm/s instead of fighting the beat.
* **locked** -- the rate stays at the target and the phase follows the runner: each
  footfall's phase error against the click grid (wrapped to +-half a period) is averaged,
  confidence-weighted, over the footfalls seen since the last click, and ``lock_gain`` of
  it (capped at ``max_shift_frac`` of a period) shifts the next click. This is a
  first-order phase-locked loop: with footfalls at the target rate the error shrinks by
  ``(1 - lock_gain)`` per click (Gardner, *Phaselock Techniques*, 3rd ed., ch. 2).
  Footfalls may be old (detectors report them late): only their phase matters.

The click *sound* is :func:`click_pcm`: an exponentially damped sine burst with a 1 ms
attack (no step discontinuity, so no broadband "tick" beyond the tone).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from pacer.audio.pcm import Pcm, to_int16
from pacer.models import Footfall, MetronomeMode

#: the modes that play (``MetronomeMode.OFF`` is the caller not asking for clicks)
MODES = (MetronomeMode.FIXED, MetronomeMode.ADAPTIVE, MetronomeMode.LOCKED)


class Metronome:
    """Click-time generator.

    Parameters
    ----------
    target_cadence_spm : float
        Target cadence in steps per minute (one click per step).
    mode : {"fixed", "adaptive", "locked"}
    step_spm_per_s : float
        Adaptive: largest rate change per second.
    lock_gain : float
        Locked: fraction of the measured phase error corrected per click (0..1).
    max_shift_frac : float
        Locked: largest phase correction per click, as a fraction of the period.
    accent_every : int
        Accent one click in this many (0: none); see :meth:`click_events`.
    """

    def __init__(
        self,
        target_cadence_spm: float,
        *,
        mode: MetronomeMode | str = MetronomeMode.FIXED,
        step_spm_per_s: float = 2.0,
        lock_gain: float = 0.3,
        max_shift_frac: float = 0.15,
        accent_every: int = 0,
    ) -> None:
        if mode not in MODES:
            names = ", ".join(m.value for m in MODES)
            raise ValueError(f"metronome mode must be one of {names}, got {mode!r}")
        if not (30.0 <= target_cadence_spm <= 300.0):
            raise ValueError(f"metronome target {target_cadence_spm} spm is outside 30..300 spm")
        self.target_cadence_spm = float(target_cadence_spm)
        self.mode = MetronomeMode(mode)
        self.step_spm_per_s = float(step_spm_per_s)
        self.lock_gain = float(lock_gain)
        self.max_shift_frac = float(max_shift_frac)
        self.accent_every = int(accent_every)
        self._next_s: float | None = None  # time of the next click not yet emitted
        self._rate_spm: float | None = None  # current click rate
        self._count = 0  # clicks emitted so far (for accents)
        self._last_footfall_s = -math.inf  # newest footfall consumed
        self._feet: list[Footfall] = []  # locked: footfalls not yet used
        self.last_phase_error_s: float | None = None  # locked: latest measured error

    def retarget(self, target_cadence_spm: float) -> None:
        """Change the target, keeping phase (and, adaptive, the current rate)."""
        if not (30.0 <= target_cadence_spm <= 300.0):
            raise ValueError(f"metronome target {target_cadence_spm} spm is outside 30..300 spm")
        self.target_cadence_spm = float(target_cadence_spm)
        if self.mode is not MetronomeMode.ADAPTIVE:
            self._rate_spm = self.target_cadence_spm

    def clicks(
        self,
        t0_s: float,
        t1_s: float,
        *,
        current_cadence_spm: float | None = None,
        footfalls: Iterable[Footfall] = (),
    ) -> np.ndarray:
        """Click times in ``[t0_s, t1_s)`` (float64 seconds, ascending)."""
        return self.click_events(
            t0_s, t1_s, current_cadence_spm=current_cadence_spm, footfalls=footfalls
        )[0]

    def click_events(
        self,
        t0_s: float,
        t1_s: float,
        *,
        current_cadence_spm: float | None = None,
        footfalls: Iterable[Footfall] = (),
    ) -> tuple[np.ndarray, np.ndarray]:
        """Click times in ``[t0_s, t1_s)`` and a same-length bool array of accents.

        Windows should be contiguous and increasing; a window that starts after a gap
        continues the phase (fixed/locked) or restarts the train at ``t0_s`` (adaptive).
        """
        if self._rate_spm is None:
            start = current_cadence_spm if self.mode is MetronomeMode.ADAPTIVE else None
            in_range = start is not None and 30.0 <= start <= 300.0
            self._rate_spm = float(start) if start and in_range else self.target_cadence_spm
        if self._next_s is None:
            self._next_s = float(t0_s)
        elif self._next_s < t0_s:  # a gap: skip the clicks that fell in it
            if self.mode is MetronomeMode.ADAPTIVE:
                self._next_s = float(t0_s)
            else:
                period = 60.0 / self._rate_spm
                self._next_s += math.ceil((t0_s - self._next_s) / period - 1e-9) * period
        if self.mode is MetronomeMode.LOCKED:
            newest_s = self._feet[-1].t_s if self._feet else self._last_footfall_s
            self._feet.extend(
                sorted((f for f in footfalls if f.t_s > newest_s), key=lambda f: f.t_s)
            )
        times: list[float] = []
        accents: list[bool] = []
        while self._next_s < t1_s:
            t = self._next_s
            times.append(t)
            accents.append(self.accent_every > 0 and self._count % self.accent_every == 0)
            self._count += 1
            period = 60.0 / self._rate_spm
            if self.mode is MetronomeMode.ADAPTIVE:
                step = self.step_spm_per_s * period
                delta = self.target_cadence_spm - self._rate_spm
                self._rate_spm += max(-step, min(step, delta))
                period = 60.0 / self._rate_spm
            nxt = t + period
            if self.mode is MetronomeMode.LOCKED:
                nxt += self._phase_correction(t, period)
            self._next_s = nxt
        return np.asarray(times, dtype=np.float64), np.asarray(accents, dtype=bool)

    def _phase_correction(self, click_s: float, period_s: float) -> float:
        """Consume the footfalls up to this click; return the shift of the next click."""
        k = 0
        while k < len(self._feet) and self._feet[k].t_s <= click_s:
            k += 1
        used, self._feet = self._feet[:k], self._feet[k:]
        if not used:
            return 0.0
        t = np.array([f.t_s for f in used])
        w = np.array([max(f.confidence, 0.0) for f in used])
        self._last_footfall_s = float(t[-1])
        if w.sum() <= 0:
            return 0.0
        err = (t - click_s + period_s / 2) % period_s - period_s / 2  # footfall minus grid
        mean_err = float(np.sum(w * err) / w.sum())
        self.last_phase_error_s = mean_err
        cap = self.max_shift_frac * period_s
        return max(-cap, min(cap, self.lock_gain * mean_err))


def click_pcm(
    rate_hz: int,
    *,
    accent: bool = False,
    freq_hz: float = 1800.0,
    duration_s: float = 0.035,
    decay_s: float = 0.006,
    level: float = 0.5,
) -> Pcm:
    """A metronome click: damped sine burst (accent: a fifth higher and 1.6x louder)."""
    n = max(1, round(duration_s * rate_hz))
    t = np.arange(n) / rate_hz
    f = freq_hz * (1.5 if accent else 1.0)
    amp = min(1.0, level * (1.6 if accent else 1.0)) * 32767.0
    attack = np.minimum(1.0, t / 0.001)
    y = amp * attack * np.exp(-t / decay_s) * np.sin(2 * np.pi * f * t)
    return Pcm(to_int16(y), rate_hz, "click")
