"""The mixer: one timeline of speech phrases and metronome clicks, rendered in blocks.

The mixer is the single owner of the audio output. Producers *schedule* onto the
timeline (any thread); a driver *pulls* blocks from the cursor and writes them to the
sink -- the real-time driver in ``driver.py`` live, :meth:`Mixer.write_until` offline.

Timeline: sample ``n`` is at ``n / rate_hz`` seconds of mixer time. Everything before
the cursor has been handed to the sink and is fixed; everything after it may still be
re-planned.

Speech rules (one voice at a time, nothing talks over anything):

* A phrase starts at the later of its requested time and the cursor.
* If the channel is busy with an equal- or higher-priority phrase, it queues after it
  with ``gap_s`` of silence. A phrase whose start would pass its ``expires`` time is
  dropped (it is no longer true).
* A higher-priority phrase pre-empts a lower one: one that is already playing is cut
  with a ``fade_s`` fade-out; one that has not started is moved behind the newcomer
  (and dropped if that makes it expire).

Clicks are ducked, not fought: while speech plays their gain falls to ``duck_gain``,
with linear ramps of ``duck_ramp_s`` that start before the phrase (the plan is known).
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from pacer.audio.metronome import click_pcm
from pacer.audio.pcm import Pcm, resample, to_int16


class Sink(Protocol):
    """Where blocks of int16 mono PCM go. ``write`` may block, but only briefly."""

    rate_hz: int

    def write(self, block: np.ndarray) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class PhraseOutcome:
    """What became of a scheduled phrase (mixer seconds; None start when dropped)."""

    phrase_id: int
    requested_s: float
    start_s: float | None
    duration_s: float
    dropped: bool
    truncated: bool
    priority: int
    engine: str


class _Phrase:
    __slots__ = (
        "dropped",
        "end_n",
        "engine",
        "expires_n",
        "n",
        "pid",
        "priority",
        "requested_n",
        "samples",
        "start_n",
        "truncated",
    )

    def __init__(
        self, pid: int, requested_n: int, pcm: Pcm, priority: int, expires_n: int | None
    ) -> None:
        self.pid = pid
        self.requested_n = requested_n
        self.samples: np.ndarray | None = pcm.samples
        self.n = pcm.n
        self.start_n = requested_n
        self.end_n = requested_n + pcm.n
        self.priority = priority
        self.expires_n = expires_n
        self.dropped = False
        self.truncated = False
        self.engine = pcm.engine


class Mixer:
    """Speech and clicks on one timeline.

    Parameters
    ----------
    sink : Sink or None
        Where :meth:`write_until` (and the real-time driver) put blocks.
    rate_hz : int
        Output sample rate; scheduled PCM is resampled to it.
    block_s : float
        Block length the drivers pull.
    duck_gain : float
        Click gain while speech plays (0.25 = -12 dB).
    duck_ramp_s, fade_s, gap_s : float
        Ducking ramp, fade-out of a pre-empted phrase, silence between queued phrases.
    click_gain, speech_gain : float
        Levels (1.0 = as rendered).
    """

    def __init__(
        self,
        sink: Sink | None = None,
        *,
        rate_hz: int = 22050,
        block_s: float = 0.02,
        duck_gain: float = 0.25,
        duck_ramp_s: float = 0.03,
        fade_s: float = 0.01,
        gap_s: float = 0.15,
        click_gain: float = 1.0,
        speech_gain: float = 1.0,
    ) -> None:
        self.sink = sink
        self.rate_hz = int(rate_hz)
        self.block_n = max(1, round(block_s * rate_hz))
        self.duck_gain = float(duck_gain)
        self._ramp_n = max(1, round(duck_ramp_s * rate_hz))
        self._fade_n = max(1, round(fade_s * rate_hz))
        self._gap_n = round(gap_s * rate_hz)
        self.click_gain = float(click_gain)
        self.speech_gain = float(speech_gain)
        self._click = click_pcm(self.rate_hz).samples.astype(np.float64)
        self._accent = click_pcm(self.rate_hz, accent=True).samples.astype(np.float64)
        self._click_len = max(self._click.size, self._accent.size)
        self._lock = threading.RLock()
        self._cursor = 0
        self._phrases: list[_Phrase] = []  # planned, not dropped, not finished; by start
        self._all: dict[int, _Phrase] = {}
        self._click_n: list[int] = []  # sorted
        self._click_accent: list[bool] = []
        self._next_id = 0

    # ------------------------------------------------------------------ time

    @property
    def cursor_n(self) -> int:
        """First sample not yet rendered for the sink."""
        with self._lock:
            return self._cursor

    @property
    def now_s(self) -> float:
        """Mixer time of the cursor (the earliest time anything new can sound)."""
        return self.cursor_n / self.rate_hz

    def _n(self, t_s: float) -> int:
        return round(t_s * self.rate_hz)

    # ------------------------------------------------------------------ scheduling

    def schedule_speech(
        self, t_s: float, pcm: Pcm, priority: int = 1, *, expires_s: float | None = None
    ) -> int:
        """Place a phrase at ``t_s`` (or as soon after as the rules allow); return its id."""
        pcm = resample(pcm, self.rate_hz)
        with self._lock:
            pid = self._next_id
            self._next_id += 1
            ph = _Phrase(
                pid,
                self._n(t_s),
                pcm,
                int(priority),
                None if expires_s is None else self._n(expires_s),
            )
            self._all[pid] = ph
            if ph.n == 0:
                ph.start_n = ph.end_n = max(ph.requested_n, self._cursor)
                ph.samples = None
            else:
                self._place(ph)
            return pid

    def _place(self, ph: _Phrase) -> None:
        s = max(ph.requested_n, self._cursor)
        bumped: list[_Phrase] = []
        while True:
            if ph.expires_n is not None and s > ph.expires_n:
                ph.dropped = True
                ph.samples = None
                break
            conflict = None
            for p in self._phrases:
                gap = 0 if p.truncated else self._gap_n
                if p.end_n + gap > s and p.start_n < s + ph.n + self._gap_n:
                    conflict = p
                    break
            if conflict is None:
                ph.start_n, ph.end_n = s, s + ph.n
                bisect.insort(self._phrases, ph, key=lambda p: p.start_n)
                break
            if ph.priority > conflict.priority:
                if conflict.start_n < self._cursor:  # playing: cut it with a fade
                    cut = max(s, self._cursor + self._fade_n)
                    conflict.end_n = min(conflict.end_n, cut)
                    conflict.truncated = True
                    s = max(s, conflict.end_n)
                else:  # not started: move it behind the newcomer
                    self._phrases.remove(conflict)
                    bumped.append(conflict)
            else:
                s = conflict.end_n + (0 if conflict.truncated else self._gap_n)
        for b in bumped:
            self._place(b)

    def schedule_click(self, t_s: float, accent: bool = False) -> None:
        """Put a click at ``t_s`` (ignored if that time was already rendered)."""
        n = self._n(t_s)
        with self._lock:
            if n < self._cursor:
                return
            i = bisect.bisect_right(self._click_n, n)
            self._click_n.insert(i, n)
            self._click_accent.insert(i, bool(accent))

    def clear_clicks_after(self, t_s: float) -> None:
        """Forget scheduled clicks at or after ``t_s`` (metronome switched off/retargeted)."""
        n = self._n(t_s)
        with self._lock:
            i = bisect.bisect_left(self._click_n, n)
            del self._click_n[i:], self._click_accent[i:]

    # ------------------------------------------------------------------ outcomes

    def outcome(self, phrase_id: int) -> PhraseOutcome:
        """Current plan (final once the phrase has started or been dropped)."""
        with self._lock:
            p = self._all[phrase_id]
            return PhraseOutcome(
                phrase_id=p.pid,
                requested_s=p.requested_n / self.rate_hz,
                start_s=None if p.dropped else p.start_n / self.rate_hz,
                duration_s=0.0 if p.dropped else (p.end_n - p.start_n) / self.rate_hz,
                dropped=p.dropped,
                truncated=p.truncated,
                priority=p.priority,
                engine=p.engine,
            )

    def idle(self) -> bool:
        """Nothing planned from the cursor on: no phrase (or its ducking ramp) and no
        click left to render; the blocks from here are silence until something is
        scheduled."""
        with self._lock:
            if self._phrases:
                return False
            return not self._click_n or self._click_n[-1] + self._click_len <= self._cursor

    def has_speech(self) -> bool:
        """A phrase is planned or playing (or its ducking ramp is not over)."""
        with self._lock:
            return bool(self._phrases)

    def speech_end_s(self) -> float:
        """Mixer time when the last planned phrase ends (the cursor if none)."""
        with self._lock:
            end = max((p.end_n for p in self._phrases), default=self._cursor)
            return max(end, self._cursor) / self.rate_hz

    # ------------------------------------------------------------------ rendering

    def render(self, t0_s: float, t1_s: float) -> np.ndarray:
        """Mix ``[t0_s, t1_s)`` without moving the cursor (pure read of the plan).

        Reliable from the cursor on; finished phrases before it are forgotten.
        """
        with self._lock:
            return self._render(self._n(t0_s), self._n(t1_s))

    def pull(self, n: int | None = None) -> np.ndarray:
        """Render the next ``n`` samples (default one block) and advance the cursor."""
        n = self.block_n if n is None else int(n)
        with self._lock:
            n0 = self._cursor
            out = self._render(n0, n0 + n)
            self._cursor = n0 + n
            self._prune()
            return out

    def write_until(self, t_s: float) -> int:
        """Offline driver: render blocks up to mixer time ``t_s`` into the sink.

        Returns the number of samples written.
        """
        if self.sink is None:
            raise ValueError("Mixer.write_until needs a sink")
        target = self._n(t_s)
        written = 0
        while True:
            with self._lock:
                left = target - self._cursor
            if left <= 0:
                return written
            block = self.pull(min(self.block_n, left))
            self.sink.write(block)
            written += block.size

    def _render(self, n0: int, n1: int) -> np.ndarray:
        size = max(0, n1 - n0)
        r = self._ramp_n
        phrases = []
        for p in self._phrases:
            if p.start_n - r >= n1:
                break
            if p.end_n + r > n0 and p.samples is not None:
                phrases.append(p)
        i0 = bisect.bisect_left(self._click_n, n0 - self._click_len + 1)
        i1 = bisect.bisect_left(self._click_n, n1)
        if not phrases and i1 <= i0:  # silence (most blocks): no float work
            return np.zeros(size, np.int16)
        out = np.zeros(size, np.float64)
        idx = np.arange(n0, n1)
        duck = np.zeros(size, np.float64)
        for p in phrases:
            env = np.minimum((idx - (p.start_n - r)) / r, ((p.end_n + r) - idx) / r)
            np.maximum(duck, np.clip(env, 0.0, 1.0), out=duck)
            a, b = max(n0, p.start_n), min(n1, p.end_n)
            if a >= b:
                continue
            assert p.samples is not None  # kept above
            seg = p.samples[a - p.start_n : b - p.start_n].astype(np.float64) * self.speech_gain
            if p.truncated:  # fade out over the last fade_n samples before the cut
                fade = np.clip((p.end_n - np.arange(a, b)) / self._fade_n, 0.0, 1.0)
                seg *= fade
            out[a - n0 : b - n0] += seg
        if i1 > i0:
            clicks = np.zeros(size, np.float64)
            for cn, acc in zip(self._click_n[i0:i1], self._click_accent[i0:i1], strict=True):
                wave = self._accent if acc else self._click
                a, b = max(n0, cn), min(n1, cn + wave.size)
                if a < b:
                    clicks[a - n0 : b - n0] += wave[a - cn : b - cn]
            out += clicks * self.click_gain * (1.0 - (1.0 - self.duck_gain) * duck)
        return to_int16(out)

    def _prune(self) -> None:
        keep = []
        for p in self._phrases:
            if p.end_n + self._ramp_n <= self._cursor:
                p.samples = None  # outcome stays in _all; the audio is no longer needed
            else:
                keep.append(p)
        self._phrases = keep
        i = bisect.bisect_left(self._click_n, self._cursor - self._click_len)
        if i:
            del self._click_n[:i], self._click_accent[:i]
