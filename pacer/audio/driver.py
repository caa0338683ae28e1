"""Real-time driver: the one thread that pulls mixer blocks and writes them to the sink.

Pacing: block ``[n0, n1)`` is written when the monotonic clock reaches
``origin + n1 / rate - lead_s``, so at most ``lead_s`` of audio is ever queued ahead of
real time. That bounds the latency a new phrase sees (it lands at the cursor, about
``lead_s`` ahead) and works the same on a real card (which also back-pressures through
the pipe, see ``AlsaSink``) and on ALSA ``null``/``file`` devices or a WAV file, which
consume instantly.

If the thread falls behind by more than ``max_behind_s`` (a stalled process), the
timeline is re-anchored instead of bursting the backlog; ``underruns`` counts it.
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
    ) -> None:
        self.mixer = mixer
        self.sink = sink
        self.lead_s = lead_s
        self._before = before_block
        self._after = after_block
        self._clock = clock
        self._max_behind_s = max_behind_s
        self._stop = threading.Event()
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

    def stop(self, timeout_s: float = 2.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _run(self) -> None:
        rate = self.mixer.rate_hz
        block_n = self.mixer.block_n
        while not self._stop.is_set():
            n0 = self.mixer.cursor_n
            n1 = n0 + block_n
            due = self.origin_s + n1 / rate - self.lead_s
            now = self._clock()
            if now < due:
                self._stop.wait(due - now)
                continue
            if now - due > self._max_behind_s:
                self.underruns += 1
                self.origin_s = now - n0 / rate + self.lead_s
                log.warning("audio driver fell %.0f ms behind; re-anchored", 1e3 * (now - due))
            try:
                if self._before is not None:
                    self._before(n0, n1)
                block = self.mixer.pull(block_n)
                self.sink.write(block)
                if self._after is not None:
                    self._after(n0, n1)
            except Exception:
                self.errors += 1
                if self.errors == 1 or self.errors % 500 == 0:
                    log.exception("audio driver error (%d so far)", self.errors)
                self._stop.wait(block_n / rate)
