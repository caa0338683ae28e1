"""A fake MCP3008 ADC on gpiozero's mock SPI, wired to an analog ADXL335.

The MCP3008 protocol (data sheet DS21295, figure 6-1): after chip select, the host
sends a start bit, the single/differential bit and three channel bits; the chip then
clocks out a null bit and the 10-bit result, MSB first. gpiozero's software SPI over
``MockFactory`` pins drives this class bit by bit, so gpiozero's real ``MCP3008`` class
(and pacer's :class:`~pacer.hw.adxl335.ADXL335` on top of it) is what runs.

Channels 0-2 carry the ADXL335's XOUT, YOUT, ZOUT for the signal at ``clock()``:
``zero_g_v + sensitivity_v_per_g * a / g`` (clipped to 0..Vref), quantised as
``floor(1024 * Vin / Vref)``.

This module imports gpiozero at import time; :mod:`pacer.hw.fakes` loads it only when
``FakeMCP3008`` is first asked for.
"""

from __future__ import annotations

import numpy as np
from gpiozero.pins.mock import MockSPIDevice

from pacer.hw.adxl335 import MCP3008_CODES, Adxl335Calibration
from pacer.hw.fakes.bus import Clock, Signal
from pacer.units import G_MPS2

__all__ = ["FakeMCP3008"]


class FakeMCP3008(MockSPIDevice):  # type: ignore[misc]
    """MCP3008 slave on mock SPI whose channels 0-2 are an ADXL335 seeing ``signal``.

    Parameters
    ----------
    signal
        Sample times (s) -> ``(n, 3)`` m/s^2.
    clock
        Time source; each conversion samples the signal at ``clock()``.
    calibration
        The ADXL335's true zero-g voltages and sensitivities.
    vref_v
        Reference voltage of the ADC.
    pins
        BCM numbers of SCLK, MOSI, MISO and CE0 (gpiozero's SPI0 defaults).
    pin_factory
        A gpiozero ``MockFactory`` (None: ``Device.pin_factory``).
    """

    rx_buf: list[int]  # bits received since the last reset (MockSPIDevice)
    tx_buf: list[int]  # bits queued for MISO

    def __init__(self, signal: Signal, *, clock: Clock,
                 calibration: Adxl335Calibration | None = None, vref_v: float = 3.3,
                 pins: tuple[int, int, int, int] = (11, 10, 9, 8),
                 pin_factory: object = None) -> None:
        clock_pin, mosi_pin, miso_pin, select_pin = pins
        super().__init__(clock_pin, mosi_pin, miso_pin, select_pin, pin_factory=pin_factory)
        self.signal = signal
        self.clock = clock
        self.calibration = calibration or Adxl335Calibration()
        self.vref_v = float(vref_v)
        self.channel_v = np.zeros(8)  # channels 3-7 read 0 V
        self.conversions = 0
        self._state = "idle"

    def voltages_now(self) -> np.ndarray:
        """The ADXL335 output voltages (x, y, z) for the signal at ``clock()``."""
        accel = np.asarray(self.signal(np.array([self.clock()])), dtype=np.float64)
        volts = (np.asarray(self.calibration.zero_g_v)
                 + np.asarray(self.calibration.sensitivity_v_per_g) * accel[0] / G_MPS2)
        return np.clip(volts, 0.0, self.vref_v)

    def on_start(self) -> None:
        super().on_start()
        self._state = "idle"

    def on_bit(self) -> None:
        rx_buf = self.rx_buf
        if self._state == "idle":
            if rx_buf[-1]:  # start bit
                self._state = "mode"
                self.rx_buf = []
        elif self._state == "mode":
            self._state = "single" if rx_buf[-1] else "diff"
            self.rx_buf = []
        elif self._state in ("single", "diff"):
            if len(rx_buf) == 3:
                self._convert(self._state == "diff", self.rx_word())
                self._state = "result"
        elif self._state == "result" and not self.tx_buf:
            self._state = "idle"
            self.rx_buf = []

    def _convert(self, differential: bool, channel: int) -> None:
        volts = self.channel_v.copy()
        volts[:3] = self.voltages_now()
        vin = volts[channel] - volts[channel ^ 1] if differential else volts[channel]
        code = int(np.clip(np.floor(MCP3008_CODES * vin / self.vref_v), 0, MCP3008_CODES - 1))
        self.conversions += 1
        # sample period (one bit), null bit, then the 10 result bits, MSB first
        self.tx_word(code, 12)
