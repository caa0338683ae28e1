"""Real-time driver: the one thread that pulls mixer blocks and writes them to the sink.

Pacing: block ``[n0, n1)`` is written when the monotonic clock reaches
``origin + n1 / rate - lead_s``, so at most ``lead_s`` of audio is ever queued ahead of
real time. That bounds the latency a new phrase sees (it lands at the cursor, about
``lead_s`` ahead) and works the same on a real card (which also back-pressures through
the pipe, see ``AlsaSink``) and on ALSA ``null``/``file`` devices or a WAV file, which
consume instantly.

If the thread falls behind by more than ``max_behind_s`` (a stalled process), the
timeline is re-anchored instead of bursting the backlog; ``underruns`` counts it.

Asleep while silent: when ``idle()`` says nothing is planned (no phrase, no click, no
metronome) and ``idle_after_s`` of silence has been written after the last sound, the
thread stops writing and sleeps until :meth:`wake` (a producer scheduled something).
The sink is simply not fed meanwhile (``aplay`` blocks on its pipe; the card runs out
of silence). On waking, the timeline is re-anchored so the cursor's block is due at
once: a phrase placed at the cursor starts with the next write, its first syllable
whole, and the clicks keep their spacing from there. ``pauses`` counts the sleeps.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from pacer.audio.mixer import Mixer, Sink

log = logging.getLogger(__name__)

BlockHook = Callable[[int, int], None]


class RealtimeDriver:
    """Drive ``mixer`` into ``sink`` in real time on a daemon thread.

    Parameters
    ----------
    mixer, sink
    lead_s : float
        Audio kept queued ahead of the clock.
    before_block : callable or None
        ``f(n0, n1)`` called (driver thread) before block ``[n0, n1)`` is rendered --
        used to schedule metronome clicks just ahead of the cursor.
    after_block : callable or None
        ``f(n0, n1)`` called after the block was handed to the sink.
    clock : callable
        Monotonic seconds (injectable for tests).
    max_behind_s : float
    idle : callable or None
        ``idle()`` -> True when nothing is planned from the cursor on (None: never
        sleeps).
    idle_after_s : float
        Silence written after the last sound before the thread sleeps.
    coarse : callable or None
        ``coarse()`` -> True when only clicks are planned (no speech playing, planned
        or being rendered): blocks of ``coarse_block_s`` with ``coarse_lead_s`` of lead
        then, a third of the wake-ups, the clicks still sample-exact on the timeline.
    coarse_block_s, coarse_lead_s : float
    """

    def __init__(
        self,
        mixer: Mixer,
        sink: Sink,
        *,
        lead_s: float = 0.05,
        before_block: BlockHook | None = None,
        after_block: BlockHook | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_behind_s: float = 0.25,
        idle: Callable[[], bool] | None = None,
        idle_after_s: float = 0.5,
        coarse: Callable[[], bool] | None = None,
        coarse_block_s: float = 0.06,
        coarse_lead_s: float = 0.08,
    ) -> None:
        self.mixer = mixer
        self.sink = sink
        self.lead_s = lead_s
        self._before = before_block
        self._after = after_block
        self._clock = clock
        self._max_behind_s = max_behind_s
        self._stop = threading.Event()
        self._idle = idle
        self._idle_after_n = round(idle_after_s * mixer.rate_hz)
        self._wake = threading.Event()
        self._write_now = False
        self._coarse = coarse
        self._coarse_n = max(mixer.block_n, round(coarse_block_s * mixer.rate_hz))
        self._coarse_lead_s = max(coarse_lead_s, coarse_block_s)
        self.paused = False  # asleep while silent (see the module)
        self.pauses = 0
        self.origin_s = 0.0  # monotonic time of mixer sample 0
        self.underruns = 0
        self.errors = 0
        self._thread = threading.Thread(target=self._run, name="pacer-audio", daemon=True)

    def start(self) -> None:
        self.origin_s = self._clock() - self.mixer.now_s
        self._thread.start()

    def wall_s(self, n: int) -> float:
        """Monotonic time at which mixer sample ``n`` is due to play."""
        return self.origin_s + n / self.mixer.rate_hz

    def mixer_clock_s(self) -> float:
        """Mixer time of the sample playing now (asleep: of the first one after waking)."""
        if self.paused:
            return (self.mixer.cursor_n + self.mixer.block_n) / self.mixer.rate_hz - self.lead_s
        return self._clock() - self.origin_s

    def wake(self, *, write_now: bool = False) -> None:
        """Something was scheduled or is coming: end a silent sleep or a coarse wait.

        ``write_now``: a phrase was just placed at the cursor: write its first block at
        once instead of at its due time (the audio already queued still plays first)."""
        if write_now:
            self._write_now = True
        self._wake.set()

    def stop(self, timeout_s: float = 2.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _run(self) -> None:
        rate = self.mixer.rate_hz
        block_n = self.mixer.block_n
        silent_from_n: int | None = None  # cursor when the plan last became empty
        while not self._stop.is_set():
            n0 = self.mixer.cursor_n
            if self._idle is not None and self._idle():
                if silent_from_n is None:
                    silent_from_n = n0
                elif n0 - silent_from_n >= self._idle_after_n:
                    self._sleep_while_idle()
                    silent_from_n = None
                    continue
            else:
                silent_from_n = None
            coarse = self._coarse is not None and self._coarse()
            n1 = n0 + (self._coarse_n if coarse else block_n)
            lead_s = self._coarse_lead_s if coarse else self.lead_s
            due = self.origin_s + n1 / rate - lead_s
            now = self._clock()
            if self._write_now:  # a phrase waits at the cursor: at most one block early
                self._write_now = False
                due = min(due, now)
            if now < due:
                if self._wake.wait(due - now):  # speech or the metronome: look again
                    self._wake.clear()
                continue
            if now - due > self._max_behind_s:
                self.underruns += 1
                self.origin_s = now - n0 / rate + lead_s
                log.warning("audio driver fell %.0f ms behind; re-anchored", 1e3 * (now - due))
            try:
                if self._before is not None:
                    self._before(n0, n1)
                block = self.mixer.pull(n1 - n0)
                self.sink.write(block)
                if self._after is not None:
                    self._after(n0, n1)
            except Exception:
                self.errors += 1
                if self.errors == 1 or self.errors % 500 == 0:
                    log.exception("audio driver error (%d so far)", self.errors)
                self._stop.wait(block_n / rate)

    def _sleep_while_idle(self) -> None:
        """Sleep until :meth:`wake` (or stop), then re-anchor so the cursor's block is
        due now. Checks ``idle()`` again each second, in case a producer never woke it."""
        assert self._idle is not None
        self._wake.clear()
        if not self._idle():  # scheduled between the check and the clear
            return
        self.paused = True
        self.pauses += 1
        while not self._stop.is_set() and not self._wake.wait(1.0) and self._idle():
            pass
        n1 = self.mixer.cursor_n + self.mixer.block_n
        self.origin_s = max(self.origin_s, self._clock() + self.lead_s - n1 / self.mixer.rate_hz)
        self.paused = False
