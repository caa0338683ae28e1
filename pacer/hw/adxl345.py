"""Analog Devices ADXL345 accelerometer driver over I2C, FIFO in stream mode.

Register names, addresses and bits follow the *ADXL345 data sheet*, revision E
(Table 19 register map and the register definitions after it). Full-resolution mode
keeps the scale factor at 3.9 mg/LSB (256 LSB/g) on every range; data registers are
little-endian two's complement (DATAX0 is the low byte).

The 32-entry FIFO runs in stream mode: when full, the oldest entry is overwritten and
INT_SOURCE.Overrun is set, but entries stay whole, so after an overrun the remaining
samples are still good. Each entry is popped by one 6-byte multi-byte read of
DATAX0..DATAZ1 (data sheet "Retrieving Data from FIFO"); the driver batches those reads
into ``i2c_rdwr`` transactions. The watermark interrupt is mapped to INT1.
"""

from __future__ import annotations

import ctypes
import enum
from typing import TYPE_CHECKING

import numpy as np

from pacer.hw.accel import FifoRead, InterruptKind, counts_to_mps2
from pacer.hw.i2c import (
    I2CBus,
    bus_path,
    check_identity,
    chip_errors,
    read_register,
    write_register,
)

if TYPE_CHECKING:
    from smbus2 import i2c_msg

__all__ = ["ADXL345", "DataRate", "Range", "adxl345_counts_to_mps2"]

# ----------------------------------------------------------------- register map (rev E)
DEVID = 0x00
BW_RATE = 0x2C  # LOW_POWER bit 4, Rate[3:0]
POWER_CTL = 0x2D  # Link, AUTO_SLEEP, Measure bit 3, Sleep, Wakeup[1:0]
INT_ENABLE = 0x2E
INT_MAP = 0x2F  # bit set = route to INT2, clear = INT1
INT_SOURCE = 0x30  # DATA_READY 7, ..., Watermark 1, Overrun 0
DATA_FORMAT = 0x31  # SELF_TEST, SPI, INT_INVERT, -, FULL_RES 3, Justify, Range[1:0]
DATAX0 = 0x32  # X0 X1 Y0 Y1 Z0 Z1 (0x32..0x37)
FIFO_CTL = 0x38  # FIFO_MODE[7:6], Trigger 5, Samples[4:0]
FIFO_STATUS = 0x39  # FIFO_TRIG 7, Entries[5:0]

DEVID_VALUE = 0xE5

# bits
POWER_MEASURE = 1 << 3
INT_DATA_READY = 1 << 7
INT_WATERMARK = 1 << 1
INT_OVERRUN = 1 << 0
FORMAT_FULL_RES = 1 << 3
FIFO_MODE_BYPASS = 0b00 << 6
FIFO_MODE_STREAM = 0b10 << 6
FIFO_ENTRIES_MASK = 0x3F

FIFO_DEPTH = 32
#: full-resolution scale factor: 3.9 mg/LSB typical (Table 1) = 256 LSB/g
FULL_RES_LSB_PER_G = 256.0
#: Linux I2C_RDWR_IOCTL_MAX_MSGS is 42: 21 (write register, read 6 bytes) pairs
_ENTRIES_PER_TRANSFER = 21


class Range(enum.IntEnum):
    """DATA_FORMAT Range bits (Table 21): full scale in g."""

    G2 = 0b00
    G4 = 0b01
    G8 = 0b10
    G16 = 0b11

    @property
    def g(self) -> int:
        return 2 << self.value

    @classmethod
    def from_g(cls, range_g: int) -> Range:
        for member in cls:
            if member.g == range_g:
                return member
        raise ValueError(f"ADXL345 range must be 2, 4, 8 or 16 g, not {range_g}")


class DataRate(enum.IntEnum):
    """BW_RATE Rate code (Table 7, normal power): output data rate."""

    HZ_6_25 = 0x6
    HZ_12_5 = 0x7
    HZ_25 = 0x8
    HZ_50 = 0x9
    HZ_100 = 0xA
    HZ_200 = 0xB
    HZ_400 = 0xC
    HZ_800 = 0xD
    HZ_1600 = 0xE
    HZ_3200 = 0xF

    @property
    def hz(self) -> float:
        return 3200.0 / (1 << (0xF - self.value))

    @classmethod
    def from_hz(cls, rate_hz: float) -> DataRate:
        for member in cls:
            if abs(member.hz - rate_hz) < 1e-9:
                return member
        rates = ", ".join(f"{m.hz:g}" for m in cls)
        raise ValueError(f"ADXL345 rate must be one of {rates} Hz, not {rate_hz:g}")


def adxl345_counts_to_mps2(counts: np.ndarray) -> np.ndarray:
    """Full-resolution counts to m/s^2 (the scale factor is the same on every range)."""
    return counts_to_mps2(counts, FULL_RES_LSB_PER_G)


def decode_entries(data: bytes) -> np.ndarray:
    """Little-endian int16 triplets (DATAX0..DATAZ1 per entry) to ``(n, 3)`` int32."""
    n = len(data) // 6
    return np.frombuffer(data, dtype="<i2", count=n * 3).reshape(n, 3).astype(np.int32)


class ADXL345:
    """An ADXL345 streaming samples through its 32-entry FIFO.

    Parameters
    ----------
    bus
        smbus2.SMBus or any object with the same four methods (e.g. a ``FakeI2CBus``).
    address
        0x53 with SDO/ALT ADDRESS low, 0x1D with it high.
    range_g
        Full scale: 2, 4, 8 or 16 g (full resolution, 3.9 mg/LSB on all).
    rate_hz
        Output data rate from :class:`DataRate` (100 Hz default).
    watermark
        FIFO entries that raise the watermark interrupt (1..31). At 100 Hz the FIFO is
        full 0.32 s after a drain, so drain at least that often.
    """

    interrupt_kind = InterruptKind.WATERMARK

    def __init__(self, bus: I2CBus, address: int = 0x53, *, range_g: int = 16,
                 rate_hz: float = 100.0, watermark: int = 16) -> None:
        if not 1 <= watermark < FIFO_DEPTH:
            raise ValueError(f"ADXL345 watermark must be 1..31 entries, not {watermark}")
        self._bus = bus
        self.address = address
        self.range = Range.from_g(range_g)
        self.data_rate = DataRate.from_hz(rate_hz)
        self.watermark = watermark
        self._msgs: list[i2c_msg] | None = None
        self.name = f"ADXL345 at 0x{address:02x} on {bus_path(bus)}"
        self.configure()

    def _write(self, register: int, value: int) -> None:
        write_register(self._bus, self.address, register, value)

    def _read(self, register: int) -> int:
        return read_register(self._bus, self.address, register)

    def configure(self) -> None:
        """Check DEVID, then set rate, format, FIFO stream mode, watermark interrupt and
        start measuring (again after a power cycle)."""
        check_identity(self._bus, self.address, DEVID, DEVID_VALUE, "ADXL345")
        self._write(POWER_CTL, 0)  # standby while configuring (data sheet recommends)
        self._write(BW_RATE, int(self.data_rate))  # normal power
        self._write(DATA_FORMAT, FORMAT_FULL_RES | int(self.range))  # right-justified
        self._write(INT_ENABLE, 0)
        self._write(INT_MAP, 0)  # everything on INT1
        self._write(FIFO_CTL, FIFO_MODE_BYPASS)  # clears the FIFO
        self._write(FIFO_CTL, FIFO_MODE_STREAM | self.watermark)
        self._write(INT_ENABLE, INT_WATERMARK)
        self._write(POWER_CTL, POWER_MEASURE)

    @property
    def nominal_rate_hz(self) -> float:
        return self.data_rate.hz

    @property
    def range_g(self) -> int:
        return self.range.g

    def reset_fifo(self) -> None:
        """Clear the FIFO by passing through bypass mode, then stream again."""
        self._write(FIFO_CTL, FIFO_MODE_BYPASS)
        self._write(FIFO_CTL, FIFO_MODE_STREAM | self.watermark)
        self._read(INT_SOURCE)

    def acknowledge_interrupt(self) -> None:
        """Nothing to do: the watermark line drops when the FIFO is drained."""

    def read_fifo(self) -> FifoRead:
        """Read INT_SOURCE (overrun), FIFO_STATUS (entries), then pop every entry."""
        source = self._read(INT_SOURCE)
        entries = self._read(FIFO_STATUS) & FIFO_ENTRIES_MASK
        overflowed = bool(source & INT_OVERRUN)
        if entries == 0:
            return FifoRead(overflowed=overflowed, lost_samples=int(overflowed))
        msgs = self._entry_messages()
        data = bytearray()
        with chip_errors(self._bus, self.address):
            for first in range(0, entries, _ENTRIES_PER_TRANSFER):
                batch = min(_ENTRIES_PER_TRANSFER, entries - first)
                self._bus.i2c_rdwr(*msgs[: 2 * batch])
                for read in msgs[1 : 2 * batch : 2]:
                    data += ctypes.string_at(read.buf, 6)
        return FifoRead(counts=decode_entries(bytes(data)), overflowed=overflowed,
                        lost_samples=int(overflowed))

    def _entry_messages(self) -> list[i2c_msg]:
        """(write DATAX0, read 6 bytes) message pairs, built once and reused: the read
        buffers are overwritten by every transfer."""
        if self._msgs is None:
            from smbus2 import i2c_msg

            self._msgs = []
            for _ in range(_ENTRIES_PER_TRANSFER):
                self._msgs += [i2c_msg.write(self.address, [DATAX0]),
                               i2c_msg.read(self.address, 6)]
        return self._msgs

    def to_mps2(self, counts: np.ndarray) -> np.ndarray:
        return adxl345_counts_to_mps2(counts)

    def __repr__(self) -> str:
        return f"<ADXL345 0x{self.address:02x} ±{self.range_g} g {self.nominal_rate_hz:g} Hz>"
