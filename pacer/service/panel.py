"""The runner's side of ``pacer run``: buttons and LED, the workout chooser, the status.

The buttons put :class:`~pacer.models.ControlEvent` records into the runtime's inbox;
the LED pattern and the systemd status line follow where the session is (the
Pipeline's last :class:`~pacer.coach.outputs.EngineStatus`).
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from typing import TYPE_CHECKING

from pacer.models import ControlEvent, Cue, CueKind, Phase

if TYPE_CHECKING:
    from pacer.config import Config
    from pacer.hw.controls import Controls, LedPattern
    from pacer.runtime import Pipeline, Record
    from pacer.seams import Speaker

Log = Callable[[str], None]


def open_controls(config: Config, inbox: queue.Queue[Record], clock: Callable[[], float],
                  log: Log) -> Controls | None:
    """The configured buttons and LED, or None (said once) when there is no GPIO."""
    c = config.controls
    try:
        from pacer.hw.controls import Controls

        return Controls(inbox.put, clock=clock, start_pin=c.start_pin, stop_pin=c.stop_pin,
                        led_pin=c.led_pin, buzzer_pin=c.buzzer_pin, hold_s=c.hold_s,
                        bounce_s=c.bounce_ms / 1000.0)
    except Exception as exc:  # broad catch on purpose: no GPIO: coach on, buttons off
        log(f"buttons and LED unavailable: {exc}")
        return None


def choose_workout(names: list[str], inbox: queue.Queue[Record], clock: Callable[[], float],
                   controls: Controls | None, audio: Speaker | None, stopped: Callable[[], bool],
                   log: Log) -> str | None:
    """Announce the workouts of the short list; the buttons choose (pacer.coach.chooser).
    None when ``stopped()`` before a choice."""
    from pacer.coach.chooser import WorkoutChooser

    chooser = WorkoutChooser(names)

    def say(texts: list[str]) -> None:
        for text in texts:
            log(text)
            if audio is not None:
                audio.say(Cue(clock(), CueKind.STATUS, text, priority=3))

    say(chooser.start(clock()))
    while chooser.chosen is None and not stopped():
        try:
            ev = inbox.get(timeout=0.1)
        except queue.Empty:
            ev = None
        if controls is not None:
            controls.poll(clock())
        if isinstance(ev, ControlEvent):
            say(chooser.on_control(ev))
        say(chooser.poll(clock()))
    return chooser.chosen


def status_line(pipeline: Pipeline, gps_ready: bool) -> str:
    """The systemd STATUS line: waiting for GPS, free run, or the step and its phase."""
    if not gps_ready:
        return "waiting for GPS fix"
    if pipeline.engine is None:
        return "recording (free run)"
    status = pipeline.coach_status
    if status is None:
        return Phase.WAITING.value
    if status.step is None:
        return status.phase.value
    return f"{status.step.label}: {status.phase.value}"


def led_pattern(pipeline: Pipeline, gps_ready: bool) -> LedPattern:
    from pacer.hw.controls import LedPattern

    if not gps_ready:
        return LedPattern.WAITING_FOR_FIX
    status = pipeline.coach_status
    if status is not None and status.phase is Phase.PAUSED:
        return LedPattern.PAUSED
    return LedPattern.RECORDING


class GpsSense:
    """Says once when the receiver's bytes keep coming but none is a valid sentence (a
    wrong baud rate, a loose wire): the watchdog only proves the reader thread alive.

    ``check(now_s, reads, sentences)`` each pass, with the receiver reads and the valid
    sentences so far; it returns the message the first time the reads have advanced for
    ``after_s`` seconds without one sentence, else None.
    """

    def __init__(self, baudrate: int, after_s: float = 10.0) -> None:
        self.baudrate = baudrate
        self.after_s = after_s
        self._reads = 0
        self._sentences = 0
        self._since_s: float | None = None  # reads without a sentence since then
        self.said = False

    def check(self, now_s: float, reads: int, sentences: int) -> str | None:
        if sentences != self._sentences:
            self._sentences, self._since_s = sentences, None
        elif reads != self._reads and self._since_s is None:
            self._since_s = now_s
        self._reads = reads
        if self.said or self._since_s is None or now_s - self._since_s < self.after_s:
            return None
        self.said = True
        return (f"GPS gives no valid data: check the baud rate ([gps] baudrate = "
                f"{self.baudrate}) and the wiring; the run goes on")
