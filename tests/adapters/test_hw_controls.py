"""Buttons and LED on gpiozero's mock pins; debounce and hold with injected time."""

from __future__ import annotations

from pacer.hw.controls import ButtonLogic, Controls, LedPattern
from pacer.models import Control


def test_press_emits_on_release_and_hold_emits_once_while_held() -> None:
    logic = ButtonLogic(Control.START_LAP, Control.PAUSE, hold_s=1.5, bounce_s=0.03)
    assert logic.edge(10.0, True) == []
    events = logic.edge(10.2, False)
    assert [(e.t_s, e.control) for e in events] == [(10.2, Control.START_LAP)]
    logic.edge(20.0, True)
    assert logic.poll(21.0) == []
    held = logic.poll(21.6)
    assert [(e.t_s, e.control) for e in held] == [(21.5, Control.PAUSE)]
    assert logic.poll(22.0) == []
    assert logic.edge(23.0, False) == []  # a hold is not also a press


def test_bounce_is_ignored() -> None:
    logic = ButtonLogic(Control.START_LAP, None, bounce_s=0.03)
    edges = [(5.0, True), (5.005, False), (5.010, True), (5.2, False), (5.21, True), (5.215, False)]
    events = [e for t, p in edges for e in logic.edge(t, p)]
    # the bounce 10 ms after the release is ignored, so the button still reads pressed
    # until an edge that comes after the bounce window
    assert [e.control for e in events] == [Control.START_LAP]


def test_controls_on_mock_pins(mock_factory) -> None:
    now = [0.0]
    got = []
    controls = Controls(got.append, clock=lambda: now[0], start_pin=23, stop_pin=24,
                        led_pin=25, pin_factory=mock_factory)
    start, stop = mock_factory.pin(23), mock_factory.pin(24)
    now[0] = 1.0
    start.drive_low()
    now[0] = 1.3
    start.drive_high()
    now[0] = 5.0
    stop.drive_low()
    now[0] = 5.5
    controls.poll()
    assert got[-1].control == Control.START_LAP  # stop not yet held long enough
    now[0] = 6.6
    controls.poll()
    stop.drive_high()
    assert [(e.t_s, e.control) for e in got] == [(1.3, Control.START_LAP), (6.5, Control.END)]
    controls.show(LedPattern.READY)
    assert mock_factory.pin(25).state == 1
    controls.show(LedPattern.OFF)
    assert mock_factory.pin(25).state == 0
    controls.close()
