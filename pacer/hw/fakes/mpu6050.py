"""A register-level fake MPU-6050 (accelerometer path) for tests and simulation.

Modelled on the MPU-6000/6050 Register Map rev 4.2: power-on reset values (asleep,
PWR_MGMT_1 = 0x40), the sample clock (8 kHz with the DLPF off, 1 kHz with it on, divided
by 1 + SMPLRT_DIV), AFS_SEL range, a 1024-byte FIFO fed only when USER_CTRL.FIFO_EN and
FIFO_EN.ACCEL are set, big-endian samples, FIFO_COUNT, FIFO_R_W reads that pop bytes,
INT_STATUS bits cleared on read, and the INT pin (level, latch, clear-on-any-read
options of INT_PIN_CFG). On overflow the oldest *bytes* are overwritten, so the stream
loses its 6-byte alignment exactly as the real chip's does. Not modelled: the gyroscope,
temperature, the DLPF's filtering, and self-test.
"""

from __future__ import annotations

import numpy as np

from pacer.hw import mpu6050 as reg
from pacer.hw.fakes.bus import Clock, FakeChip, InterruptPin, Signal, quantise

__all__ = ["FakeMPU6050"]


class FakeMPU6050(FakeChip):
    """A fake MPU-6050 whose FIFO fills from ``signal`` at an off-nominal rate.

    Parameters
    ----------
    signal
        Sample times (s) -> ``(n, 3)`` m/s^2.
    clock
        Time source (``time.monotonic`` live, a simulated clock in fast runs).
    rate_error
        Oscillator error; +0.023 makes 100 Hz come out at 102.3 Hz.
    fifo_bytes
        FIFO size (1024 on the MPU-6050).
    int_pin
        gpiozero ``MockPin`` driven as the INT line.
    who_am_i
        Identity register value (0x68; other values emulate look-alike chips).
    """

    def __init__(self, signal: Signal, *, clock: Clock, rate_error: float = +0.023,
                 fifo_bytes: int = reg.FIFO_SIZE_BYTES, int_pin: InterruptPin | None = None,
                 who_am_i: int = reg.WHO_AM_I_VALUE) -> None:
        self.fifo_bytes = int(fifo_bytes)
        self.who_am_i = who_am_i
        self.regs = bytearray(128)
        self.fifo = bytearray()
        self._latest = bytes(6)
        self._status = 0
        self._pulse = False
        super().__init__(signal, clock=clock, rate_error=rate_error, int_pin=int_pin)
        self._power_on_reset()

    def _power_on_reset(self) -> None:
        self.regs[:] = bytes(128)
        self.regs[reg.PWR_MGMT_1] = 0x40  # SLEEP
        self.fifo.clear()
        self._status = 0
        self._restart_sampling()

    # ----------------------------------------------------------- configuration
    def _sampling(self) -> bool:
        return not self.regs[reg.PWR_MGMT_1] & 0x40

    def _nominal_rate_hz(self) -> float:
        dlpf_cfg = self.regs[reg.CONFIG] & 0x07
        base_hz = 8000.0 if dlpf_cfg in (0, 7) else 1000.0
        return base_hz / (1 + self.regs[reg.SMPLRT_DIV])

    @property
    def lsb_per_g(self) -> float:
        return 16384.0 / (1 << ((self.regs[reg.ACCEL_CONFIG] >> 3) & 0x03))

    def _fifo_enabled(self) -> bool:
        return bool(self.regs[reg.USER_CTRL] & reg.USER_FIFO_EN
                    and self.regs[reg.FIFO_EN] & reg.ACCEL_FIFO_EN)

    def _capacity_samples(self) -> int:
        return self.fifo_bytes // reg.BYTES_PER_SAMPLE + 1

    # ----------------------------------------------------------- samples
    def _store(self, accel_mps2: np.ndarray, skipped: int) -> None:
        counts = quantise(accel_mps2, self.lsb_per_g, -32768, 32767)
        data = counts.astype(">i2").tobytes()
        self._latest = data[-6:]
        self._status |= reg.DATA_RDY_INT
        self._pulse = True
        if not self._fifo_enabled():
            return
        self.fifo += data
        excess = len(self.fifo) - self.fifo_bytes
        if excess > 0 or skipped:
            del self.fifo[:max(excess, 0)]
            self.samples_overwritten += skipped + max(excess, 0) // reg.BYTES_PER_SAMPLE
            self._status |= reg.FIFO_OFLOW_INT

    def _int_level(self) -> bool:
        cfg = self.regs[reg.INT_PIN_CFG]
        pending = self._status & self.regs[reg.INT_ENABLE]
        if cfg & reg.INT_LATCH_INT_EN:
            active = bool(pending)
        else:  # 50 us pulse per event: the mock pin shows it as one high-low edge pair
            active = False
            if pending and self._pulse and self.int_pin is not None:
                self.int_pin.drive_high() if not cfg & 0x80 else self.int_pin.drive_low()
        self._pulse = False
        return active != bool(cfg & 0x80)  # INT_LEVEL: 1 = active low

    # ----------------------------------------------------------- registers
    def _register_byte(self, register: int) -> int:
        if register == reg.WHO_AM_I:
            return self.who_am_i
        if register == reg.INT_STATUS:
            return self._status
        if register == reg.FIFO_COUNT_H:
            return (len(self.fifo) >> 8) & 0xFF
        if register == reg.FIFO_COUNT_L:
            return len(self.fifo) & 0xFF
        if reg.ACCEL_XOUT_H <= register < reg.ACCEL_XOUT_H + 6:
            return self._latest[register - reg.ACCEL_XOUT_H]
        return self.regs[register & 0x7F]

    def _read_register(self, register: int, length: int) -> bytes:
        if register == reg.FIFO_R_W:  # burst reads stay on FIFO_R_W and pop bytes
            data = bytes(self.fifo[:length])
            del self.fifo[:length]
            return data + b"\xff" * (length - len(data))
        data = bytes(self._register_byte((register + i) & 0x7F) for i in range(length))
        touched_status = register <= reg.INT_STATUS < register + length
        if touched_status or self.regs[reg.INT_PIN_CFG] & 0x10:  # INT_RD_CLEAR
            self._status = 0
        return data

    def _write_register(self, register: int, data: bytes) -> None:
        for offset, value in enumerate(data):
            r = (register + offset) & 0x7F
            if r == reg.PWR_MGMT_1 and value & 0x80:  # DEVICE_RESET
                self._power_on_reset()
                continue
            if r in (reg.WHO_AM_I, reg.INT_STATUS, reg.FIFO_COUNT_H, reg.FIFO_COUNT_L):
                continue  # read-only
            if r == reg.FIFO_R_W:
                continue  # writing the FIFO is for the DMP; not modelled
            rate_before = self.true_rate_hz
            if r == reg.USER_CTRL and value & reg.USER_FIFO_RESET:
                self.fifo.clear()
                self._status &= ~reg.FIFO_OFLOW_INT
                value &= ~reg.USER_FIFO_RESET  # self-clearing
            self.regs[r] = value
            if self.true_rate_hz != rate_before:
                self._restart_sampling()
