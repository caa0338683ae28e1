"""InvenSense MPU-6050 accelerometer driver (accelerometer FIFO only) over I2C.

Register names, addresses and bit positions follow the *MPU-6000 and MPU-6050 Register
Map and Descriptions*, revision 4.2 (RM-MPU-6000A-00). The gyroscope stays powered
because the PLL that clocks the chip runs from it (register map section 4.28,
CLKSEL=1), but only the accelerometer is written to the 1024-byte FIFO, six bytes per
sample (XH XL YH YL ZH ZL, big-endian two's complement, section 4.17 and 4.33).

The chip has no FIFO watermark interrupt; its INT line is configured as a *latched*
data-ready line (cleared by reading INT_STATUS), which the sampler uses to read just
after a sample lands. A FIFO overflow leaves the byte stream misaligned (1024 is not a
multiple of 6), so the driver discards the FIFO and resets it.
"""

from __future__ import annotations

import enum

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

__all__ = ["MPU6050", "AccelRange", "Dlpf", "mpu6050_counts_to_mps2"]

# ----------------------------------------------------------------- register map (rev 4.2)
SMPLRT_DIV = 0x19  # sample rate = gyro output rate / (1 + SMPLRT_DIV)
CONFIG = 0x1A  # EXT_SYNC_SET[5:3], DLPF_CFG[2:0]
GYRO_CONFIG = 0x1B
ACCEL_CONFIG = 0x1C  # XA_ST YA_ST ZA_ST [7:5], AFS_SEL[4:3]
FIFO_EN = 0x23  # TEMP XG YG ZG ACCEL SLV2 SLV1 SLV0
INT_PIN_CFG = 0x37  # INT_LEVEL INT_OPEN LATCH_INT_EN INT_RD_CLEAR ...
INT_ENABLE = 0x38  # FIFO_OFLOW_EN bit 4, DATA_RDY_EN bit 0
INT_STATUS = 0x3A  # FIFO_OFLOW_INT bit 4, DATA_RDY_INT bit 0 (cleared on read)
ACCEL_XOUT_H = 0x3B
USER_CTRL = 0x6A  # FIFO_EN bit 6, FIFO_RESET bit 2
PWR_MGMT_1 = 0x6B  # DEVICE_RESET bit 7, SLEEP bit 6, CLKSEL[2:0]
FIFO_COUNT_H = 0x72
FIFO_COUNT_L = 0x73
FIFO_R_W = 0x74
WHO_AM_I = 0x75

WHO_AM_I_VALUE = 0x68  # bits [6:1] of the 7-bit address, independent of AD0

# bits
ACCEL_FIFO_EN = 1 << 3
INT_LATCH_INT_EN = 1 << 5  # INT_PIN_CFG: hold INT high until cleared
FIFO_OFLOW_EN = 1 << 4
DATA_RDY_EN = 1 << 0
FIFO_OFLOW_INT = 1 << 4
DATA_RDY_INT = 1 << 0
USER_FIFO_EN = 1 << 6
USER_FIFO_RESET = 1 << 2
PWR_CLKSEL_PLL_XGYRO = 0x01  # SLEEP=0, CYCLE=0, TEMP_DIS=0, CLKSEL=1

FIFO_SIZE_BYTES = 1024
BYTES_PER_SAMPLE = 6
#: accelerometer output / sample clock base with the DLPF enabled (DLPF_CFG 1..6)
SAMPLE_CLOCK_DLPF_HZ = 1000.0
#: smbus block reads carry at most 32 bytes; 30 keeps each chunk on a sample boundary
_CHUNK_BYTES = 30

KNOWN_IDS = {0x70: "MPU-6500", 0x71: "MPU-9250", 0x73: "MPU-9255", 0x98: "ICM-20689"}


class AccelRange(enum.IntEnum):
    """ACCEL_CONFIG AFS_SEL (register map 4.5): full scale in g."""

    G2 = 0
    G4 = 1
    G8 = 2
    G16 = 3

    @property
    def g(self) -> int:
        return 2 << self.value

    @property
    def lsb_per_g(self) -> float:
        """Sensitivity (register map 4.17): 16384, 8192, 4096, 2048 LSB/g."""
        return 16384.0 / (1 << self.value)

    @classmethod
    def from_g(cls, range_g: int) -> AccelRange:
        for member in cls:
            if member.g == range_g:
                return member
        raise ValueError(f"MPU-6050 range must be 2, 4, 8 or 16 g, not {range_g}")


class Dlpf(enum.IntEnum):
    """CONFIG DLPF_CFG (register map 4.3): accelerometer bandwidth in Hz."""

    BW_260 = 0  # disables the filter; gyro output then runs at 8 kHz
    BW_184 = 1
    BW_94 = 2
    BW_44 = 3
    BW_21 = 4
    BW_10 = 5
    BW_5 = 6

    @property
    def bandwidth_hz(self) -> float:
        return float(self.name.split("_")[1])

    @classmethod
    def for_rate(cls, rate_hz: float) -> Dlpf:
        """Widest filter whose bandwidth stays below half the sample rate (anti-alias)."""
        for member in (cls.BW_184, cls.BW_94, cls.BW_44, cls.BW_21, cls.BW_10, cls.BW_5):
            if member.bandwidth_hz < rate_hz / 2.0:
                return member
        return cls.BW_5


def sample_rate_divider(rate_hz: float) -> int:
    """SMPLRT_DIV for ``rate_hz`` with the DLPF on (1 kHz base); exact rates only."""
    divider = round(SAMPLE_CLOCK_DLPF_HZ / rate_hz) - 1
    if not 0 <= divider <= 255 or abs(SAMPLE_CLOCK_DLPF_HZ / (divider + 1) - rate_hz) > 1e-6:
        raise ValueError(
            f"MPU-6050 rate must be 1000/k Hz for k = 1..256 (e.g. 50, 100, 125, 200), "
            f"not {rate_hz:g}"
        )
    return divider


def mpu6050_counts_to_mps2(counts: np.ndarray, accel_range: AccelRange) -> np.ndarray:
    """Raw FIFO counts to m/s^2 for ``accel_range`` (pure)."""
    return counts_to_mps2(counts, accel_range.lsb_per_g)


def decode_fifo_bytes(data: bytes) -> np.ndarray:
    """Big-endian int16 triplets (FIFO byte order) to an ``(n, 3)`` int32 array."""
    n = len(data) // BYTES_PER_SAMPLE
    raw = np.frombuffer(data, dtype=">i2", count=n * 3)
    return raw.reshape(n, 3).astype(np.int32)


class MPU6050:
    """An MPU-6050 streaming accelerometer samples through its FIFO.

    Parameters
    ----------
    bus
        smbus2.SMBus or any object with the same four methods (e.g. a ``FakeI2CBus``).
    address
        0x68 with AD0 low, 0x69 with AD0 high.
    range_g
        Full scale: 2, 4, 8 or 16 g. Running impacts reach 5-8 g at the hip.
    rate_hz
        Output data rate, 1000/k Hz (100 Hz default).

    Raises
    ------
    ChipNotAnswering, WrongChip, DeviceError
        At construction, when the identity check or setup fails.
    """

    interrupt_kind = InterruptKind.DATA_READY

    def __init__(self, bus: I2CBus, address: int = 0x68, *, range_g: int = 8,
                 rate_hz: float = 100.0) -> None:
        self._bus = bus
        self.address = address
        self.accel_range = AccelRange.from_g(range_g)
        self._divider = sample_rate_divider(rate_hz)
        self.dlpf = Dlpf.for_rate(rate_hz)
        self.name = f"MPU-6050 at 0x{address:02x} on {bus_path(bus)}"
        self._overflow_pending = False
        self.configure()

    # ------------------------------------------------------------------ setup
    def _write(self, register: int, value: int) -> None:
        write_register(self._bus, self.address, register, value)

    def _read(self, register: int) -> int:
        return read_register(self._bus, self.address, register)

    def configure(self) -> None:
        """Check WHO_AM_I, then set clock, rate, range, interrupts and FIFO (again after
        a power cycle: the chip comes back asleep with reset values)."""
        check_identity(self._bus, self.address, WHO_AM_I, WHO_AM_I_VALUE, "MPU-6050",
                       KNOWN_IDS)
        # Wake up with the X-gyro PLL as clock (more stable than the internal 8 MHz RC).
        self._write(PWR_MGMT_1, PWR_CLKSEL_PLL_XGYRO)
        self._write(CONFIG, int(self.dlpf))  # EXT_SYNC off; DLPF sets the 1 kHz base
        self._write(SMPLRT_DIV, self._divider)
        self._write(ACCEL_CONFIG, int(self.accel_range) << 3)
        self._write(INT_PIN_CFG, INT_LATCH_INT_EN)  # active high, push-pull, latched
        self._write(INT_ENABLE, FIFO_OFLOW_EN | DATA_RDY_EN)
        self._write(FIFO_EN, ACCEL_FIFO_EN)
        self.reset_fifo()

    @property
    def nominal_rate_hz(self) -> float:
        return SAMPLE_CLOCK_DLPF_HZ / (1 + self._divider)

    @property
    def range_g(self) -> int:
        return self.accel_range.g

    # ------------------------------------------------------------------ data
    def reset_fifo(self) -> None:
        """Disable, reset and re-enable the FIFO (USER_CTRL), clearing overflow."""
        self._write(USER_CTRL, 0)
        self._write(USER_CTRL, USER_FIFO_RESET)
        self._write(USER_CTRL, USER_FIFO_EN)
        self._read(INT_STATUS)  # clear a stale FIFO_OFLOW_INT / DATA_RDY_INT
        self._overflow_pending = False

    def acknowledge_interrupt(self) -> None:
        """Clear the latched INT line by reading INT_STATUS (keeps an overflow seen)."""
        if self._read(INT_STATUS) & FIFO_OFLOW_INT:
            self._overflow_pending = True

    def fifo_count_bytes(self) -> int:
        """FIFO_COUNT_H/L in one 2-byte read (high byte first latches the count)."""
        with chip_errors(self._bus, self.address):
            high, low = self._bus.read_i2c_block_data(self.address, FIFO_COUNT_H, 2)
        return (high << 8) | low

    def read_fifo(self) -> FifoRead:
        """Drain every whole sample in the FIFO; on overflow discard and reset it."""
        status = self._read(INT_STATUS)
        if status & FIFO_OFLOW_INT or self._overflow_pending:
            discarded = self.fifo_count_bytes() // BYTES_PER_SAMPLE
            self.reset_fifo()
            # The FIFO held ``discarded`` samples, misaligned; at least one more was
            # overwritten. The sampler refines this from elapsed time.
            return FifoRead(overflowed=True, lost_samples=discarded + 1)
        count = self.fifo_count_bytes()
        n_bytes = count - count % BYTES_PER_SAMPLE
        if n_bytes == 0:
            return FifoRead()
        chunks = []
        with chip_errors(self._bus, self.address):
            for start in range(0, n_bytes, _CHUNK_BYTES):
                length = min(_CHUNK_BYTES, n_bytes - start)
                chunks.append(bytes(self._bus.read_i2c_block_data(self.address, FIFO_R_W, length)))
        return FifoRead(counts=decode_fifo_bytes(b"".join(chunks)))

    def to_mps2(self, counts: np.ndarray) -> np.ndarray:
        return mpu6050_counts_to_mps2(counts, self.accel_range)

    def read_sample_mps2(self) -> np.ndarray:
        """One sample from the output registers (bypassing the FIFO), for `pacer doctor`."""
        with chip_errors(self._bus, self.address):
            data = bytes(self._bus.read_i2c_block_data(self.address, ACCEL_XOUT_H, 6))
        return self.to_mps2(decode_fifo_bytes(data))[0]

    def __repr__(self) -> str:
        return (f"<MPU6050 0x{self.address:02x} ±{self.range_g} g "
                f"{self.nominal_rate_hz:g} Hz DLPF {self.dlpf.bandwidth_hz:g} Hz>")
