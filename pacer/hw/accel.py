"""What every accelerometer driver offers the sampler.

A driver owns one chip. It configures range and output data rate at construction,
then hands out whatever the chip has buffered in one burst (:meth:`AccelDriver.read_fifo`)
as raw integer counts. Conversion to m/s^2 is a separate pure step
(:meth:`AccelDriver.to_mps2`), so the raw counts can be logged and tests can check
quantisation exactly.

Drivers never read a clock and never sleep: time stamping and the data-rate estimate
belong to :class:`pacer.hw.sampler.Sampler`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from pacer.units import G_MPS2

__all__ = ["G_MPS2", "AccelDriver", "FifoRead", "InterruptKind", "counts_to_mps2"]


class InterruptKind(enum.Enum):
    """What the chip's interrupt line means once the driver has configured it."""

    NONE = "none"  # no line (analog sensor); the sampler paces the reads itself
    DATA_READY = "data_ready"  # one new sample (MPU-6050: latched until acknowledged)
    WATERMARK = "watermark"  # the FIFO holds at least the watermark (ADXL345)


def _empty_counts() -> np.ndarray:
    return np.empty((0, 3), dtype=np.int32)


@dataclass(frozen=True, slots=True, eq=False)
class FifoRead:
    """One drain of a sensor FIFO.

    Attributes
    ----------
    counts
        ``(n, 3)`` int32 raw counts, oldest first, in the sensor frame (x, y, z).
    overflowed
        The chip reported that its FIFO overflowed since the previous drain, so samples
        are missing *before* ``counts``.
    lost_samples
        The driver's lower bound on how many samples were lost (0 when not overflowed).
        The sampler refines it from elapsed time.
    """

    counts: np.ndarray = field(default_factory=_empty_counts)
    overflowed: bool = False
    lost_samples: int = 0

    @property
    def n(self) -> int:
        return int(self.counts.shape[0])


@runtime_checkable
class AccelDriver(Protocol):
    """The protocol the sampler drives (MPU6050, ADXL345, ADXL335)."""

    #: device name for events and messages, e.g. "MPU-6050 at 0x68 on /dev/i2c-1"
    name: str
    #: what the interrupt line means with this driver's configuration
    interrupt_kind: InterruptKind

    @property
    def nominal_rate_hz(self) -> float:
        """Output data rate the chip was configured for (its clock may be off by %)."""
        ...

    def read_fifo(self) -> FifoRead:
        """Drain everything buffered in one burst (never blocks waiting for data)."""
        ...

    def to_mps2(self, counts: np.ndarray) -> np.ndarray:
        """Convert ``(n, 3)`` counts to float64 m/s^2 with the configured range."""
        ...

    def configure(self) -> None:
        """Check the chip's identity and (re)apply range, rate, FIFO and interrupt setup."""
        ...

    def reset_fifo(self) -> None:
        """Discard the FIFO contents and clear the overflow state."""
        ...

    def acknowledge_interrupt(self) -> None:
        """Clear a latched interrupt line (no-op where the line clears itself)."""
        ...


def counts_to_mps2(counts: np.ndarray, lsb_per_g: float) -> np.ndarray:
    """Convert raw counts to m/s^2.

    Parameters
    ----------
    counts
        ``(n, 3)`` integer counts.
    lsb_per_g
        Sensitivity of the configured range in counts per g (datasheet scale factor).

    Returns
    -------
    numpy.ndarray
        ``(n, 3)`` float64 acceleration in m/s^2 (standard gravity 9.80665 m/s^2).
    """
    return np.asarray(counts, dtype=np.float64) * (G_MPS2 / lsb_per_g)
