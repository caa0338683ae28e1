"""The Pipeline: records in, the pure core advanced by the data's time stamps.

:class:`Pipeline` takes timestamped records (receiver bytes, fixes, accelerometer
blocks, device and control events) in time order and advances the pure core: the
estimator and the workout engine; it forwards what the engine returns (cues, metronome,
reps) to the audio and the session store. What it talks to is typed in
:mod:`pacer.seams`. It reads no clock: live, simulated and replayed runs differ only in
who calls it and with which time stamps, so a fast replay produces the session the live
run would have.

Two drivers feed a Pipeline from a source: :func:`run_records` at the bottom of this
module (an iterator of records already in time order: fast simulation, replay) and
:func:`pacer.queue_driver.run_queue` (threads at the IO edges putting records into a
queue: real-time simulation, ``pacer run``).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable

from pacer.coach.outputs import EngineOutput, EngineStatus, MetronomeSetting
from pacer.gps.decoder import NmeaDecoder
from pacer.models import (
    AccelBlock,
    CadenceSample,
    ControlEvent,
    Cue,
    DeviceEvent,
    DeviceState,
    Estimate,
    Fix,
    HeartRateSample,
    MetronomeMode,
    NmeaBytes,
    Rep,
    SkipCounters,
)
from pacer.seams import Coach, Estimator, Printer, Recorder, Speaker

Record = (NmeaBytes | Fix | AccelBlock | DeviceEvent | ControlEvent | HeartRateSample
          | CadenceSample)

#: the longest silence of every input that is ticked through second by second: a
#: longer one is a gap (a watch's auto-pause, a corrupt or crafted time stamp), jumped
#: with one event, so no input can make a session tick through hours of empty seconds
MAX_GAP_S = 180.0
#: gaps recorded as events one by one; past this many only their count is added at the end
MAX_GAP_EVENTS = 100


def record_time_s(record: Record) -> float:
    if isinstance(record, AccelBlock):
        return record.t_end_s
    return record.t_s


class Pipeline:
    """Advance the pure core from records; emit 1 Hz estimates, cues, reps, store writes.

    Parameters
    ----------
    estimator
        Fixes and accelerometer blocks in, an estimate per tick out.
    engine
        The workout engine, or None for free running. Its outputs are forwarded: cues
        at once to the audio, the store and the printer; the metronome setting at each
        tick (where the audio timeline advances); finished reps at the next tick.
    audio
        The audio path (speech and metronome), or None.
    store
        The session store, or None (not recording).
    printer
        Receives estimates, cues and events for the terminal.
    period_s
        Estimate period (1 s: the session's estimate table and the coach run at 1 Hz).
    max_gap_s
        Longest silence of the inputs that is ticked through (:data:`MAX_GAP_S`; see
        :meth:`advance_to`).
    flush_every_ticks
        Store flush (fsync) every this many ticks: 1 live (a power cut loses at most a
        second); more in fast replays, where a tick takes microseconds and an fsync
        milliseconds.
    """

    def __init__(
        self,
        *,
        estimator: Estimator,
        engine: Coach | None = None,
        audio: Speaker | None = None,
        store: Recorder | None = None,
        printer: Printer | None = None,
        period_s: float = 1.0,
        store_raw: bool = True,
        flush_every_ticks: int = 1,
        max_gap_s: float = MAX_GAP_S,
    ) -> None:
        self.estimator = estimator
        self.engine = engine
        self.audio = audio
        self.store = store
        self.printer = printer
        self.period_s = period_s
        self.store_raw = store_raw
        self.flush_every_ticks = max(1, int(flush_every_ticks))
        self.max_gap_s = max_gap_s
        self.time_jumps = 0
        self.n_ticks = 0
        self.nmea_counters = SkipCounters()
        #: counters of the inputs (replayed files), stored with the session at the end
        self.input_counters: dict[str, SkipCounters] = {}
        #: the one GPS intake: receiver bytes -> framer -> parser -> Fix
        self.nmea = NmeaDecoder(self.nmea_counters)
        self.next_tick_s: float | None = None
        self.last_t_s = -math.inf
        self.n_fixes = 0
        self._fixes_at_tick = 0  # fixes taken when the last estimate was made
        self.n_blocks = 0
        self.n_samples = 0
        self.lost_samples = 0
        self.cues: list[Cue] = []
        self.reps: list[Rep] = []  # finished steps, as the engine handed them out
        #: records handled per device ("gps": receiver reads, "accel": blocks),
        #: the watchdog's proof that each edge thread is alive; each device's last state
        self.device_records: dict[str, int] = {"gps": 0, "accel": 0}
        self.device_state: dict[str, DeviceState] = {}
        self.last_estimate: Estimate | None = None
        #: where the workout is (the engine's last output); None when free running
        self.coach_status: EngineStatus | None = None
        self.workout_done = False  # the engine said the session is over
        self._reps_to_store: list[Rep] = []
        self._metronome_setting = MetronomeSetting(None, MetronomeMode.OFF)
        self._metronome = MetronomeSetting(None, MetronomeMode.OFF)  # what the audio plays
        self.finished = False

    # ------------------------------------------------------------------ records in
    def push(self, record: Record) -> None:
        """Dispatch one record (must come in non-decreasing time order, roughly)."""
        kind = type(record)  # the two kinds of a replay first: one test each
        if kind is Fix:
            self.advance_to(record.t_s)  # type: ignore[union-attr]
            self.on_fix(record)  # type: ignore[arg-type]
            return
        if kind is AccelBlock:
            self.advance_to(record.t_end_s)  # type: ignore[union-attr]
            self.on_accel(record)  # type: ignore[arg-type]
            return
        self.advance_to(record_time_s(record))
        if isinstance(record, NmeaBytes):
            self.on_nmea_bytes(record.t_s, record.data)
        elif isinstance(record, Fix):
            self.on_fix(record)
        elif isinstance(record, AccelBlock):
            self.on_accel(record)
        elif isinstance(record, DeviceEvent):
            self.on_device(record)
        elif isinstance(record, ControlEvent):
            self.on_control(record)
        elif isinstance(record, HeartRateSample):
            self.on_heart_rate(record)
        elif isinstance(record, CadenceSample):
            self._start_clock(record.t_s)
            self.estimator.push_cadence(record)
        else:  # pragma: no cover - programming error
            raise TypeError(f"not a record: {record!r}")

    def on_nmea_bytes(self, t_s: float, data: bytes) -> None:
        """Receiver bytes (any source): kept raw with the session, then decoded."""
        if self.store is not None and self.store_raw:
            self.store.append_nmea(t_s, data)
        # the watchdog's count: every read, sense or garbage, proves the reader thread alive
        self.device_records["gps"] += 1
        fixes = self.nmea.feed(t_s, data)
        for fix in fixes:
            self.on_fix(fix)

    def on_fix(self, fix: Fix) -> None:
        if self.next_tick_s is None:
            self._start_clock(fix.t_s)
        self.n_fixes += 1
        self.estimator.push_fix(fix)
        if self.store is not None:
            self.store.add_fix(fix)

    def on_accel(self, block: AccelBlock) -> None:
        if self.next_tick_s is None:
            self._start_clock(block.t0_s)
        self.n_blocks += 1
        self.device_records["accel"] += 1
        self.n_samples += block.samples_mps2.shape[0]
        self.lost_samples += block.lost_samples
        self.estimator.push_accel(block)
        if self.store is not None and self.store_raw:
            self.store.append_accel(block)

    def on_heart_rate(self, sample: HeartRateSample) -> None:
        self._start_clock(sample.t_s)
        self.device_records["heart_rate"] = self.device_records.get("heart_rate", 0) + 1
        self.estimator.push_heart_rate(sample)
        if self.store is not None:
            self.store.add_heart_rate(sample)

    def on_device(self, ev: DeviceEvent) -> None:
        self._start_clock(ev.t_s)
        self.device_state[ev.device] = ev.state
        self.device_records[ev.device] = self.device_records.get(ev.device, 0) + 1
        self.estimator.push_device(ev)
        if self.store is not None:
            self.store.add_event(ev.t_s, f"{ev.device}_{ev.state.value}", ev.message)
        if self.printer is not None:
            self.printer.event(ev.t_s, f"{ev.device} {ev.state.value}: {ev.message}".rstrip(": "))
        if self.engine is not None:
            self.forward(self.engine.on_device(ev))

    def on_control(self, ev: ControlEvent) -> None:
        self._start_clock(ev.t_s)
        if self.store is not None:
            self.store.add_event(ev.t_s, f"control_{ev.control.value}", "")
        if self.engine is not None:
            self.forward(self.engine.on_control(ev))

    # ------------------------------------------------------------------ time
    def _start_clock(self, t_s: float) -> None:
        if self.next_tick_s is None:
            self.next_tick_s = math.floor(t_s / self.period_s) * self.period_s + self.period_s

    def advance_to(self, t_s: float) -> None:
        """Emit every estimate tick up to ``t_s`` (the data's time, never a clock read).

        A jump of more than ``max_gap_s`` in the data's time (a receiver's wrong clock,
        a corrupt time stamp in a file) is not ticked through second by second: the
        hole is recorded as an event and the ticks resume at the new time.
        """
        next_tick_s = self.next_tick_s
        if next_tick_s is not None and t_s < next_tick_s:  # most records: no tick, no gap
            if t_s > self.last_t_s:
                self.last_t_s = t_s
            return
        if not math.isfinite(t_s):
            return
        if t_s > self.last_t_s:
            previous = self.last_t_s
            self.last_t_s = t_s
            if (self.next_tick_s is not None and math.isfinite(previous)
                    and t_s - max(previous, self.next_tick_s) > self.max_gap_s):
                self.time_jumps += 1
                if self.store is not None and self.time_jumps <= MAX_GAP_EVENTS:
                    self.store.add_event(previous, "time_jump",
                                         f"input time jumps {t_s - previous:.0f} s ahead; "
                                         "a gap, not ticked through")
                self.next_tick_s = math.floor(t_s / self.period_s) * self.period_s
        if self.next_tick_s is None:
            return
        while self.next_tick_s <= t_s:
            self._tick(self.next_tick_s)
            self.next_tick_s += self.period_s

    def _tick(self, t_s: float) -> None:
        self._fixes_at_tick = self.n_fixes
        est = self.estimator.estimate(t_s)
        self.last_estimate = est
        self.n_ticks += 1
        if self.store is not None:
            self.store.add_estimate(est)
        if self.engine is not None:
            self.forward(self.engine.on_estimate(est))
            self._store_new_reps()
            self._update_metronome()
        if self.audio is not None:
            self.audio.advance(
                t_s, current_cadence_spm=est.cadence_spm, footfalls=self.estimator.footfalls()
            )
        if self.printer is not None:
            self.printer.estimate(est, self.coach_status)
        if self.store is not None and self.n_ticks % self.flush_every_ticks == 0:
            self.store.set_counters("nmea", self.nmea_counters.as_dict())
            self.store.flush()

    def forward(self, out: EngineOutput) -> None:
        """The engine's outputs: cues now, the rest kept for the tick (see the class)."""
        self.coach_status = out.status
        self._metronome_setting = out.metronome
        if out.reps:
            self.reps += out.reps
            self._reps_to_store += out.reps
        if out.finished:
            self.workout_done = True
        self.emit(out.cues)

    def emit(self, cues: Iterable[Cue]) -> None:
        for cue in cues:
            self.cues.append(cue)
            if self.audio is not None and not cue.dropped:
                self.audio.say(cue)
            if self.store is not None:
                self.store.add_cue(cue)
            if self.printer is not None:
                self.printer.cue(cue)

    def _store_new_reps(self) -> None:
        if self.store is not None:
            for rep in self._reps_to_store:
                self.store.add_rep(rep)
        self._reps_to_store.clear()

    def _update_metronome(self) -> None:
        setting = self._metronome_setting
        if self.audio is None or setting.target_cadence_spm == self._metronome.target_cadence_spm:
            return
        self._metronome = setting
        self.audio.set_metronome(setting.target_cadence_spm, mode=setting.mode)

    # ------------------------------------------------------------------ end
    def finish(self, ended: str = "normal") -> None:
        """Flush the last partial epoch, final estimate, session summary; close the store."""
        if self.finished:
            return
        self.finished = True
        for fix in self.nmea.end_epoch():
            self.on_fix(fix)
        if self.next_tick_s is not None and (self.last_t_s > self.next_tick_s - self.period_s
                                             or self.n_fixes != self._fixes_at_tick):
            # the last records' estimate (a fix on the last tick's second came after it)
            self._tick(self.last_t_s)
        if self.engine is not None:
            self.forward(self.engine.finish(self.last_t_s))
            self._store_new_reps()
        outcomes = self.audio.close() if self.audio is not None else []
        if self.store is not None:
            for outcome in outcomes:
                self.store.update_cue(outcome)
            self.store.set_counters("nmea", self.nmea_counters.as_dict())
            for name, counters in self.input_counters.items():
                self.store.set_counters(f"input_{name}", counters.as_dict())
            if self.time_jumps > MAX_GAP_EVENTS:
                self.store.add_event(self.last_t_s, "time_jump", f"{self.time_jumps} gaps in "
                                     f"all; the first {MAX_GAP_EVENTS} are listed")
            self.store.set_counters(
                "accel",
                {"blocks": self.n_blocks, "samples": self.n_samples,
                 "lost_samples": self.lost_samples},
            )
            self.store.close(ended=ended)


# ---------------------------------------------------------------------- drivers


def run_records(
    pipeline: Pipeline,
    records: Iterable[Record],
    *,
    stop: threading.Event | None = None,
    ended: str = "normal",
) -> Pipeline:
    """Feed records already in time order (fast simulation, replay); finish the session."""
    try:
        for record in records:
            if stop is not None and stop.is_set():
                ended = "stopped"
                break
            pipeline.push(record)
            if pipeline.workout_done:
                break
            if pipeline.store is not None and pipeline.store.capped:
                ended = "size_cap"  # the session is full: a replay has nowhere to go
                break
    except KeyboardInterrupt:
        ended = "interrupted"
        raise
    finally:
        pipeline.finish(ended)
    return pipeline
