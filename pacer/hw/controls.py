"""Buttons, status LED and buzzer through gpiozero.

The decision logic is pure: :class:`ButtonLogic` turns debounced edges with injected
time stamps into :class:`~pacer.models.ControlEvent` values, so it is tested without
pins and is immune to scheduling. :class:`Controls` is the thin gpiozero edge: it stamps
pin edges with the session clock and feeds the logic; holds are detected by
:meth:`Controls.poll`, which the runtime calls each pass of its loop.

Buttons are wired between the GPIO and ground with the internal pull-up (pressed =
low). gpiozero's own ``bounce_time`` uses a timer per pin; we debounce in the logic
instead, with the same time stamps as everything else.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from pacer.models import Control, ControlEvent


class _Closable(Protocol):
    """A gpiozero device as :class:`Controls` keeps it: to be closed at the end."""

    def close(self) -> None: ...


@dataclass
class ButtonLogic:
    """Debounce and press/hold classification for one button.

    A press shorter than ``hold_s`` emits ``press_control`` on release; holding for
    ``hold_s`` emits ``hold_control`` once, while still held (the runner hears the
    result without letting go). Edges closer than ``bounce_s`` to the last accepted
    edge are ignored.
    """

    press_control: Control | None
    hold_control: Control | None
    hold_s: float = 1.5
    bounce_s: float = 0.03
    _pressed_at_s: float | None = None
    _last_edge_s: float = -1e9
    _held: bool = False

    def edge(self, t_s: float, pressed: bool) -> list[ControlEvent]:
        if t_s - self._last_edge_s < self.bounce_s:
            return []
        if pressed == (self._pressed_at_s is not None):
            return []  # no change of state (a lost edge or a repeated callback)
        self._last_edge_s = t_s
        if pressed:
            self._pressed_at_s = t_s
            self._held = False
            return []
        events: list[ControlEvent] = []
        events += self.poll(t_s)
        if not self._held and self.press_control is not None:
            events.append(ControlEvent(t_s, self.press_control))
        self._pressed_at_s = None
        return events

    def poll(self, t_s: float) -> list[ControlEvent]:
        """Emit the hold event once the button has been held for ``hold_s``."""
        if self._pressed_at_s is None or self._held:
            return []
        if t_s - self._pressed_at_s >= self.hold_s:
            self._held = True
            if self.hold_control is not None:
                return [ControlEvent(self._pressed_at_s + self.hold_s, self.hold_control)]
        return []


class LedPattern(enum.Enum):
    OFF = (0.0, 0.0)
    WAITING_FOR_FIX = (0.2, 1.8)  # slow blink
    READY = (1.0, 0.0)  # steady on
    RECORDING = (0.05, 0.95)  # heartbeat
    PAUSED = (0.5, 0.5)
    PROBLEM = (0.1, 0.1)  # fast blink


class Controls:
    """gpiozero edge for the start/lap button, stop button, status LED and buzzer.

    Parameters
    ----------
    sink
        Receives each :class:`ControlEvent` (the runtime's queue ``put``).
    clock
        Session clock (seconds); every edge is stamped with it.
    start_pin, stop_pin, led_pin, buzzer_pin
        BCM pin numbers, or None when not wired.
    pin_factory
        gpiozero pin factory (``MockFactory()`` in tests); None for gpiozero's default.
    """

    def __init__(
        self,
        sink: Callable[[ControlEvent], None],
        *,
        clock: Callable[[], float],
        start_pin: int | None = 23,
        stop_pin: int | None = 24,
        led_pin: int | None = 25,
        buzzer_pin: int | None = None,
        hold_s: float = 1.5,
        bounce_s: float = 0.03,
        pin_factory: object = None,
    ) -> None:
        from gpiozero import LED, Buzzer, DigitalInputDevice  # device library: lazy

        self._sink = sink
        self._clock = clock
        self._lock = threading.Lock()
        self._devices: list[_Closable] = []
        self._logic: list[tuple[ButtonLogic, _Closable]] = []
        for pin, logic in (
            (start_pin, ButtonLogic(Control.START_LAP, Control.PAUSE, hold_s, bounce_s)),
            (stop_pin, ButtonLogic(None, Control.END, hold_s, bounce_s)),
        ):
            if pin is None:
                continue
            dev = DigitalInputDevice(pin, pull_up=True, pin_factory=pin_factory)
            dev.when_activated = self._edge_handler(logic, True)
            dev.when_deactivated = self._edge_handler(logic, False)
            self._devices.append(dev)
            self._logic.append((logic, dev))
        self.led = LED(led_pin, pin_factory=pin_factory) if led_pin is not None else None
        self.buzzer = (
            Buzzer(buzzer_pin, pin_factory=pin_factory) if buzzer_pin is not None else None
        )
        self._devices += [d for d in (self.led, self.buzzer) if d is not None]
        self.pattern = LedPattern.OFF

    def _edge_handler(self, logic: ButtonLogic, pressed: bool) -> Callable[[], None]:
        def handler() -> None:
            t_s = self._clock()
            with self._lock:
                events = logic.edge(t_s, pressed)
            for ev in events:
                self._sink(ev)

        return handler

    def poll(self, t_s: float | None = None) -> None:
        """Detect holds of buttons still pressed (call a few times a second)."""
        t = self._clock() if t_s is None else t_s
        with self._lock:
            events = [ev for logic, _ in self._logic for ev in logic.poll(t)]
        for ev in events:
            self._sink(ev)

    def show(self, pattern: LedPattern) -> None:
        """Set the status LED pattern (gpiozero blinks it in its own background thread)."""
        if pattern == self.pattern or self.led is None:
            self.pattern = pattern
            return
        self.pattern = pattern
        on_s, off_s = pattern.value
        if on_s == 0.0:
            self.led.off()
        elif off_s == 0.0:
            self.led.on()
        else:
            self.led.blink(on_time=on_s, off_time=off_s)

    def beep(self, duration_s: float = 0.1) -> None:
        if self.buzzer is not None:
            self.buzzer.blink(on_time=duration_s, off_time=0.0, n=1)

    def close(self) -> None:
        for dev in self._devices:
            dev.close()
        self._devices.clear()
