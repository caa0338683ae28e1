"""AudioOut: the facade the runtime talks to (speech cues, metronome, soundtrack).

Two modes, one code path below the facade:

* **live** (``live=True``): ``say()`` hands the text to the speech worker and returns at
  once; when the PCM is ready the mixer plays it as soon as the rules allow (unless it
  has expired or was pre-empted). A :class:`RealtimeDriver` thread writes the timeline
  to the sink (ALSA, null) and, with ``wav_path``, to a WAV file as well. Metronome
  clicks are generated just ahead of the cursor by that thread.
* **offline** (``live=False``, ``pacer sim --fast``/``replay --fast``): mixer time *is*
  session time. ``say()`` renders synchronously (no live loop is waiting) and places the
  phrase at ``cue.t_s``; ``advance(t_s)`` lays the clicks up to ``t_s`` and renders the
  timeline into the WAV file. Say a cue before advancing past its ``t_s``.

``close()`` returns one :class:`~pacer.audio.outcome.CueOutcome` per cue, in ``say()``
order. The synthesizer for an engine name is chosen in :mod:`pacer.audio.synth`.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future
from pathlib import Path

from pacer.audio.driver import RealtimeDriver
from pacer.audio.metronome import Metronome
from pacer.audio.mixer import Mixer, Sink
from pacer.audio.outcome import CueOutcome, CueRecord, cue_outcomes
from pacer.audio.pcm import Pcm
from pacer.audio.sinks import AlsaSink, NullSink, TeeSink, WavSink
from pacer.audio.synth import DEFAULT_ENGINE, ENGINES, synth_factories
from pacer.audio.worker import SpeechWorker
from pacer.errors import AudioError
from pacer.models import Cue, Footfall, MetronomeMode

__all__ = ["DEFAULT_ENGINE", "ENGINES", "AudioOut", "CueOutcome", "synth_factories"]

log = logging.getLogger(__name__)


def _open_sinks(sink: str, live: bool, device: str, rate_hz: int,
                wav_path: str | Path | None) -> tuple[Sink, str]:
    """The sink (or a tee of sinks) audio goes to, and why the live sink is not the one
    asked for ("" if it is): a live ALSA device that fails to open becomes a null sink."""
    sinks: list[Sink] = []
    sink_error = ""
    if live and sink == "alsa":
        try:
            sinks.append(AlsaSink(device, rate_hz))
        except AudioError as exc:  # degrade, never stop: the session and WAV go on
            sink_error = str(exc)
            log.warning("no live audio: %s", exc)
            sinks.append(NullSink(rate_hz))
    elif live:
        sinks.append(NullSink(rate_hz))
    if wav_path is not None:
        sinks.append(WavSink(wav_path, rate_hz))
    if not sinks:
        sinks.append(NullSink(rate_hz))
    return (sinks[0] if len(sinks) == 1 else TeeSink(*sinks)), sink_error


class AudioOut:
    """Speech cues and metronome onto one audio timeline.

    Parameters
    ----------
    engine : {"pyttsx3", "espeak", "none"}
        Primary synthesizer (the other one is the fallback); "none" speaks nothing.
    sink : {"alsa", "null"}
        Live output (ignored offline). If ALSA cannot be opened the output degrades to
        null (logged once, reason in ``sink_error``) and everything else goes on.
    wav_path : path or None
        Also write the soundtrack here (offline: the only output).
    live : bool
    voice, rate_wpm, volume
        Speech settings (from the config).
    device : str
        ALSA device for ``sink="alsa"``.
    rate_hz : int
    block_s : float
        Mixer block length (live: one driver wake-up per block).
    lead_s : float
        Live: audio queued ahead of real time (at least one block).
    render_timeout_s : float
        Worker: a render slower than this counts as a hang.
    """

    def __init__(
        self,
        *,
        engine: str = DEFAULT_ENGINE,
        sink: str = "alsa",
        wav_path: str | Path | None = None,
        live: bool,
        voice: str | None = None,
        rate_wpm: int = 175,
        volume: float = 1.0,
        device: str = "default",
        rate_hz: int = 22050,
        block_s: float = 0.02,
        lead_s: float = 0.05,
        render_timeout_s: float = 2.0,
    ) -> None:
        if engine not in ENGINES:
            raise AudioError(
                f"unknown speech engine {engine!r}; choose one of {', '.join(ENGINES)}"
            )
        if sink not in ("alsa", "null"):
            raise AudioError(f"unknown audio sink {sink!r}; choose alsa or null")
        self.live = live
        self.engine = engine
        self.rate_hz = rate_hz
        self._render_timeout_s = render_timeout_s
        # sink_error: why the live sink is not the one asked for ("" if it is)
        self.sink, self.sink_error = _open_sinks(sink, live, device, rate_hz, wav_path)
        self.mixer = Mixer(self.sink, rate_hz=rate_hz, block_s=block_s)
        self._worker: SpeechWorker | None = None
        if engine != "none":
            primary, fallback = synth_factories(
                engine, voice=voice, rate_wpm=rate_wpm, volume=volume, rate_hz=rate_hz
            )
            self._worker = SpeechWorker(primary, fallback, timeout_s=render_timeout_s)
        self._records: list[CueRecord] = []
        self._awaiting: list[CueRecord] = []  # live: placed, first sample not yet written
        self._rendering = 0  # live: cues handed to the worker, not yet placed
        self._lock = threading.Lock()
        self._metro: Metronome | None = None
        self._clicks_until_s = -math.inf  # metronome windows laid so far (mixer time)
        self._cadence_spm: float | None = None
        self._feet: list[Footfall] = []  # mixer time
        self._offset_s = math.inf  # live: mixer time minus session time (min over calls)
        self._closed = False
        self._driver: RealtimeDriver | None = None
        if live:
            self._driver = RealtimeDriver(
                self.mixer,
                self.sink,
                lead_s=max(lead_s, block_s),
                before_block=self._before_block,
                after_block=self._after_block,
                idle=self._idle,
                coarse=self._clicks_only,
            )
            self._driver.start()

    # ------------------------------------------------------------------ speech

    def say(self, cue: Cue) -> None:
        """Speak ``cue``; never blocks in live mode."""
        if self._closed:
            raise AudioError("AudioOut.say after close")
        rec = CueRecord(
            cue, time.monotonic(), self._mixer_clock_s() if self.live else self.mixer.now_s
        )
        with self._lock:
            self._records.append(rec)
        if self.live:
            self._note_session_time(cue.t_s)
        if self._worker is None:
            rec.reason = "no speech engine"
            return
        if self.live:
            with self._lock:
                self._rendering += 1
            if self._driver is not None:
                self._driver.wake()  # fine blocks from now: the phrase lands at the cursor
        fut = self._worker.request(cue.text)
        if self.live:
            fut.add_done_callback(lambda f: self._rendered(rec, f))
            return
        try:
            pcm = fut.result(timeout=self._render_timeout_s * 8)
        except Exception as exc:
            rec.reason = f"synthesis failed: {exc}"
            return
        rec.engine = pcm.engine
        rec.pid = self.mixer.schedule_speech(cue.t_s, pcm, cue.priority, expires_s=cue.expires_s)

    def prefetch(self, texts: Iterable[str]) -> None:
        """Render phrases into the cache ahead of need; never blocks.

        The coach knows most of what it will say (the next rep's preview, "3", "2",
        "1", "go"); cached phrases skip synthesis, which on a Pi is most of a cue's
        latency (see docs/audio.md).
        """
        if self._worker is None or self._closed:
            return
        for text in texts:
            if text.strip():
                self._worker.request(text)

    def _rendered(self, rec: CueRecord, fut: Future[Pcm]) -> None:
        """Worker thread: the PCM is ready; put it on the timeline now."""
        try:
            self._place_rendered(rec, fut)
        finally:
            with self._lock:
                self._rendering -= 1

    def _place_rendered(self, rec: CueRecord, fut: Future[Pcm]) -> None:
        try:
            pcm = fut.result()
        except Exception as exc:
            rec.reason = f"synthesis failed: {exc}"
            return
        rec.engine = pcm.engine
        cue = rec.cue
        expires = None
        if cue.expires_s is not None:
            expires = rec.say_mixer_s + (cue.expires_s - cue.t_s)
            if not math.isfinite(expires):  # a cue of a session that saw no record (t_s -inf)
                expires = None
        rec.pid = self.mixer.schedule_speech(self.mixer.now_s, pcm, cue.priority, expires_s=expires)
        with self._lock:
            self._awaiting.append(rec)
        if self._driver is not None:
            self._driver.wake(write_now=True)

    def _after_block(self, n0: int, n1: int) -> None:
        """Driver thread: stamp when each phrase's first sample reached the sink."""
        now = time.monotonic()
        with self._lock:
            pending = list(self._awaiting)
        if not pending:
            return
        for r in pending:
            assert r.pid is not None
            out = self.mixer.outcome(r.pid)
            if out.dropped or out.start_s is None:
                r.first_wall_s = math.nan
                continue
            start_n = round(out.start_s * self.rate_hz)
            if start_n < n1:  # written by now (normally in this very block)
                r.first_wall_s = now
                r.start_n = start_n
        with self._lock:
            self._awaiting = [r for r in self._awaiting if r.first_wall_s is None]

    # ------------------------------------------------------------------ metronome

    def set_metronome(self, target_cadence_spm: float | None,
                      mode: MetronomeMode = MetronomeMode.FIXED) -> None:
        """Start, retarget or (``None``) stop the metronome.

        A retarget keeps the phase (and, adaptive, the current rate) and takes effect
        after the clicks already laid ahead of the cursor (at most two blocks, live).
        """
        with self._lock:
            if target_cadence_spm is None:
                self._metro = None
                if self.live:
                    self.mixer.clear_clicks_after(self.mixer.now_s)
            elif self._metro is not None and self._metro.mode == mode:
                self._metro.retarget(target_cadence_spm)
            else:
                self._metro = Metronome(target_cadence_spm, mode=mode)
        if self._driver is not None:
            self._driver.wake()

    def advance(
        self,
        t_s: float,
        *,
        current_cadence_spm: float | None = None,
        footfalls: Iterable[Footfall] = (),
    ) -> None:
        """Session time has reached ``t_s``: feed the metronome; offline, render up to it."""
        if self.live:
            self._note_session_time(t_s)
            off = self._offset_s
            with self._lock:
                self._cadence_spm = current_cadence_spm
                self._feet.extend(Footfall(f.t_s + off, f.confidence) for f in footfalls)
            return
        with self._lock:
            self._cadence_spm = current_cadence_spm
            self._feet.extend(footfalls)
        self._lay_clicks(t_s)
        if t_s > self.mixer.now_s:
            self.mixer.write_until(t_s)

    def _note_session_time(self, t_s: float) -> None:
        # The call comes a little after the event, so each estimate is late by the
        # caller's delay: the smallest one is the best (both clocks are monotonic).
        self._offset_s = min(self._offset_s, self._mixer_clock_s() - t_s)

    def _mixer_clock_s(self) -> float:
        """Live: mixer time corresponding to now (the sample playing now)."""
        assert self._driver is not None
        return self._driver.mixer_clock_s()

    def _idle(self) -> bool:
        """Driver thread: nothing to play (no metronome, nothing planned)."""
        return self._metro is None and self._rendering == 0 and self.mixer.idle()

    def _clicks_only(self) -> bool:
        """Driver thread: the metronome, and no speech planned or being rendered."""
        return self._metro is not None and self._rendering == 0 and not self.mixer.has_speech()

    def _lay_clicks(self, until_s: float) -> None:
        with self._lock:
            metro, feet, cadence = self._metro, self._feet, self._cadence_spm
            self._feet = []
            start = self._clicks_until_s if math.isfinite(self._clicks_until_s) else until_s
            if metro is None:
                self._clicks_until_s = until_s
                return
            if not math.isfinite(self._clicks_until_s) and not self.live:
                start = self.mixer.now_s
            if until_s <= start:
                return
            times, accents = metro.click_events(
                start, until_s, current_cadence_spm=cadence, footfalls=feet
            )
            self._clicks_until_s = until_s
        for t, a in zip(times.tolist(), accents.tolist(), strict=True):
            self.mixer.schedule_click(t, accent=a)

    def _before_block(self, n0: int, n1: int) -> None:
        """Driver thread: make sure clicks exist one block beyond this one."""
        ahead_s = (n1 + self.mixer.block_n) / self.rate_hz
        if not math.isfinite(self._clicks_until_s):
            self._clicks_until_s = n0 / self.rate_hz
        self._lay_clicks(ahead_s)

    # ------------------------------------------------------------------ shutdown

    def close(self, *, drain_timeout_s: float = 15.0) -> list[CueOutcome]:
        """Let queued speech finish (live: at most ``drain_timeout_s``), close everything."""
        if self._closed:
            return self._outcomes()
        self._closed = True
        deadline = time.monotonic() + drain_timeout_s
        if self.live and self._driver is not None:
            while time.monotonic() < deadline:  # wait for renders in flight
                with self._lock:
                    busy = any(r.pid is None and not r.reason for r in self._records)
                if not busy:
                    break
                time.sleep(0.01)
            end_s = self.mixer.speech_end_s()
            while time.monotonic() < deadline and self.mixer.now_s < end_s:
                time.sleep(0.01)
            self._driver.stop()
        else:
            end_s = self.mixer.speech_end_s()
            if end_s > self.mixer.now_s:
                self.mixer.write_until(end_s)
        if self._worker is not None:
            self._worker.close()
        self.sink.close()
        return self._outcomes()

    def _outcomes(self) -> list[CueOutcome]:
        with self._lock:
            records = list(self._records)
        return cue_outcomes(records, self.mixer, live=self.live, lost_spans=self._lost_spans())

    def _lost_spans(self) -> list[tuple[int, int]]:
        """Sample ranges the live sink dropped (it counts from the mixer's sample 0)."""
        sinks = self.sink.sinks if isinstance(self.sink, TeeSink) else (self.sink,)
        return [span for s in sinks if isinstance(s, AlsaSink) for span in s.dropped_spans]
