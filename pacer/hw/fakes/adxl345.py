"""A register-level fake ADXL345 for tests and simulation.

Modelled on the ADXL345 data sheet rev E: DEVID 0xE5, standby until POWER_CTL.Measure,
BW_RATE output data rate, DATA_FORMAT range and FULL_RES (10-bit fixed range or
3.9 mg/LSB full resolution), little-endian data registers, a 32-entry FIFO in bypass,
FIFO or stream mode, entries popped by a read that covers the data registers,
FIFO_STATUS entries, INT_SOURCE (DATA_READY, Watermark, Overrun; cleared by reading the
data), INT_ENABLE/INT_MAP and an active-high INT1 line (INT_INVERT honoured). Not
modelled: tap/activity/free-fall detection, offsets, trigger mode, self-test, SPI.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from pacer.hw import adxl345 as reg
from pacer.hw.fakes.bus import Clock, FakeChip, InterruptPin, Signal, quantise

__all__ = ["FakeADXL345"]

_FIFO_MODE_FIFO = 0b01 << 6


class FakeADXL345(FakeChip):
    """A fake ADXL345 whose FIFO fills from ``signal`` at an off-nominal rate.

    Parameters
    ----------
    signal
        Sample times (s) -> ``(n, 3)`` m/s^2.
    clock
        Time source (``time.monotonic`` live, a simulated clock in fast runs).
    rate_error
        Oscillator error; -0.031 makes 100 Hz come out at 96.9 Hz.
    int_pin
        gpiozero ``MockPin`` driven as INT1 (INT2 is not wired).
    devid
        Identity register value (0xE5; other values emulate a wrong chip).
    """

    def __init__(self, signal: Signal, *, clock: Clock, rate_error: float = -0.031,
                 int_pin: InterruptPin | None = None, devid: int = reg.DEVID_VALUE) -> None:
        self.devid = devid
        self.regs = bytearray(64)
        self.regs[reg.BW_RATE] = 0x0A  # reset value: 100 Hz
        self.fifo: deque[bytes] = deque()
        self._latest = bytes(6)
        self._overrun = False
        super().__init__(signal, clock=clock, rate_error=rate_error, int_pin=int_pin)

    # ----------------------------------------------------------- configuration
    def _sampling(self) -> bool:
        return bool(self.regs[reg.POWER_CTL] & reg.POWER_MEASURE)

    def _nominal_rate_hz(self) -> float:
        code = self.regs[reg.BW_RATE] & 0x0F
        return 3200.0 / (1 << (0x0F - code))

    def _fifo_mode(self) -> int:
        return self.regs[reg.FIFO_CTL] & 0xC0

    def _capacity_samples(self) -> int:
        return reg.FIFO_DEPTH

    def _format(self) -> tuple[float, int, int]:
        """(LSB per g, min count, max count) of the current DATA_FORMAT."""
        data_format = self.regs[reg.DATA_FORMAT]
        range_code = data_format & 0x03
        if data_format & reg.FORMAT_FULL_RES:
            bits = 10 + range_code  # 10 bits at 2 g ... 13 bits at 16 g
            return reg.FULL_RES_LSB_PER_G, -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        return reg.FULL_RES_LSB_PER_G / (1 << range_code), -512, 511

    # ----------------------------------------------------------- samples
    def _store(self, accel_mps2: np.ndarray, skipped: int) -> None:
        lsb_per_g, lo, hi = self._format()
        counts = quantise(accel_mps2, lsb_per_g, lo, hi).astype("<i2")
        entries = [row.tobytes() for row in counts]
        self._latest = entries[-1]
        if self._fifo_mode() == reg.FIFO_MODE_BYPASS:
            return  # the data registers show the newest sample; nothing is kept
        if skipped:
            self._overrun = True
            self.samples_overwritten += skipped
        for entry in entries:
            if len(self.fifo) >= reg.FIFO_DEPTH:
                self._overrun = True
                if self._fifo_mode() == _FIFO_MODE_FIFO:
                    self.samples_overwritten += 1
                    continue  # FIFO mode: stop collecting when full
                self.fifo.popleft()  # stream mode: oldest overwritten
                self.samples_overwritten += 1
            self.fifo.append(entry)

    def _int_source(self) -> int:
        source = 0
        if self.fifo:
            source |= reg.INT_DATA_READY
        watermark = self.regs[reg.FIFO_CTL] & 0x1F
        if self._fifo_mode() != reg.FIFO_MODE_BYPASS and len(self.fifo) >= max(watermark, 1):
            source |= reg.INT_WATERMARK
        if self._overrun:
            source |= reg.INT_OVERRUN
        return source

    def _int_level(self) -> bool:
        on_int1 = self._int_source() & self.regs[reg.INT_ENABLE] & ~self.regs[reg.INT_MAP]
        return bool(on_int1) != bool(self.regs[reg.DATA_FORMAT] & 0x20)  # INT_INVERT

    # ----------------------------------------------------------- registers
    def _register_byte(self, register: int) -> int:
        if register == reg.DEVID:
            return self.devid
        if register == reg.INT_SOURCE:
            return self._int_source()
        if register == reg.FIFO_STATUS:
            return min(len(self.fifo), reg.FIFO_DEPTH) & reg.FIFO_ENTRIES_MASK
        if reg.DATAX0 <= register < reg.DATAX0 + 6:
            head = self.fifo[0] if self.fifo else self._latest
            return head[register - reg.DATAX0]
        return self.regs[register & 0x3F]

    def _read_register(self, register: int, length: int) -> bytes:
        data = bytes(self._register_byte((register + i) & 0x3F) for i in range(length))
        if register < reg.DATAX0 + 6 and register + length > reg.DATAX0:
            # Reading the data registers pops one FIFO entry and clears the
            # DATA_READY/Watermark/Overrun sources (data sheet, INT_SOURCE).
            if self.fifo and self._fifo_mode() != reg.FIFO_MODE_BYPASS:
                self.fifo.popleft()
            self._overrun = False
        return data

    def _write_register(self, register: int, data: bytes) -> None:
        for offset, value in enumerate(data):
            r = (register + offset) & 0x3F
            read_only = (reg.DEVID, reg.INT_SOURCE, reg.FIFO_STATUS)
            if r in read_only or reg.DATAX0 <= r < reg.DATAX0 + 6:
                continue  # read-only
            rate_before = self.true_rate_hz
            if r == reg.FIFO_CTL and value & 0xC0 == reg.FIFO_MODE_BYPASS:
                self.fifo.clear()
                self._overrun = False
            self.regs[r] = value
            if self.true_rate_hz != rate_before:
                self._restart_sampling()
