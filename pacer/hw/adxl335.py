"""Analog Devices ADXL335 (analog, +/-3 g) read through an MCP3008 ADC with gpiozero.

The ADXL335 has no FIFO and no clock of its own: its three outputs are voltages
(ratiometric to the supply: zero g at about Vs/2, about Vs/10 volts per g, i.e. 1.65 V
and 330 mV/g at 3.3 V; ADXL335 data sheet rev B, Specifications). The host paces the
reads, so :meth:`ADXL335.read_fifo` returns one sample per call and the sampler calls it
at the nominal rate (:attr:`InterruptKind.NONE`). Each axis is one MCP3008 channel,
10 bits, code = 1024 * Vin / Vref (MCP3008 data sheet, equation 4-1).

Bandwidth is set by the capacitors on XOUT/YOUT/ZOUT (0.1 uF gives 50 Hz): choose
them for the sampling rate, or the ADC aliases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pacer.hw.accel import G_MPS2, FifoRead, InterruptKind

__all__ = ["ADXL335", "Adxl335Calibration", "adxl335_counts_to_mps2", "calibration_from_flips"]

MCP3008_BITS = 10
MCP3008_CODES = 1 << MCP3008_BITS


@dataclass(frozen=True, slots=True)
class Adxl335Calibration:
    """Per-axis zero-g voltage and sensitivity (V/g) of one ADXL335 board.

    Attributes
    ----------
    zero_g_v
        Output voltage at 0 g for x, y, z (typical Vs/2).
    sensitivity_v_per_g
        Volts per g for x, y, z (typical Vs/10).
    """

    zero_g_v: tuple[float, float, float] = (1.65, 1.65, 1.65)
    sensitivity_v_per_g: tuple[float, float, float] = (0.330, 0.330, 0.330)

    def __post_init__(self) -> None:
        if len(self.zero_g_v) != 3 or len(self.sensitivity_v_per_g) != 3:
            raise ValueError("ADXL335 calibration needs three values per parameter (x, y, z)")
        if min(self.sensitivity_v_per_g) <= 0:
            raise ValueError("ADXL335 sensitivity must be positive volts per g")


def calibration_from_flips(up_v: Sequence[float], down_v: Sequence[float]) -> Adxl335Calibration:
    """Calibration from each axis read pointing up (+1 g) and down (-1 g).

    Parameters
    ----------
    up_v, down_v
        Mean output voltage of x, y, z with that axis along +g and along -g.
    """
    up = np.asarray(up_v, dtype=np.float64).reshape(3)
    down = np.asarray(down_v, dtype=np.float64).reshape(3)
    zero = (up + down) / 2.0
    sensitivity = (up - down) / 2.0
    return Adxl335Calibration(
        (float(zero[0]), float(zero[1]), float(zero[2])),
        (float(sensitivity[0]), float(sensitivity[1]), float(sensitivity[2])),
    )


def adxl335_counts_to_mps2(counts: np.ndarray, calibration: Adxl335Calibration,
                           vref_v: float) -> np.ndarray:
    """MCP3008 codes ``(n, 3)`` to m/s^2 with the board's calibration (pure)."""
    volts = np.asarray(counts, dtype=np.float64) * (vref_v / MCP3008_CODES)
    zero_g_v = np.asarray(calibration.zero_g_v)
    return (volts - zero_g_v) / np.asarray(calibration.sensitivity_v_per_g) * G_MPS2


class ADXL335:
    """An ADXL335 on three channels of an MCP3008, read by gpiozero.

    Parameters
    ----------
    channels
        MCP3008 channels wired to XOUT, YOUT, ZOUT.
    rate_hz
        Host polling rate the sampler uses (the sensor has no clock).
    calibration
        Zero-g voltages and sensitivities (defaults: typical values at 3.3 V).
    vref_v
        MCP3008 reference voltage (3.3 V when VREF is tied to the Pi's 3V3).
    pin_factory
        gpiozero pin factory (``None``: the default one).
    spi_args
        Passed to :class:`gpiozero.MCP3008` (``port``/``device`` or pin numbers).
    """

    interrupt_kind = InterruptKind.NONE

    def __init__(self, channels: Sequence[int] = (0, 1, 2), *, rate_hz: float = 100.0,
                 calibration: Adxl335Calibration | None = None, vref_v: float = 3.3,
                 pin_factory: object = None, **spi_args: object) -> None:
        from gpiozero import MCP3008

        if len(channels) != 3:
            raise ValueError("ADXL335 needs three MCP3008 channels (x, y, z)")
        if rate_hz <= 0:
            raise ValueError(f"ADXL335 rate must be positive, not {rate_hz:g}")
        self._rate_hz = float(rate_hz)
        self.calibration = calibration or Adxl335Calibration()
        self.vref_v = float(vref_v)
        self._adcs = [MCP3008(channel=c, max_voltage=vref_v, pin_factory=pin_factory, **spi_args)
                      for c in channels]
        self.name = f"ADXL335 on MCP3008 channels {tuple(channels)}"

    @property
    def nominal_rate_hz(self) -> float:
        return self._rate_hz

    def read_counts(self) -> np.ndarray:
        """One sample: the three ADC codes as a ``(3,)`` int32 array."""
        return np.array([adc.raw_value for adc in self._adcs], dtype=np.int32)

    def read_fifo(self) -> FifoRead:
        """One sample now (the host is the clock); never reports overflow."""
        return FifoRead(counts=self.read_counts().reshape(1, 3))

    def to_mps2(self, counts: np.ndarray) -> np.ndarray:
        return adxl335_counts_to_mps2(counts, self.calibration, self.vref_v)

    def read_sample_mps2(self) -> np.ndarray:
        """One sample now, in m/s^2 (x, y, z), for `pacer doctor`."""
        return self.to_mps2(self.read_counts().reshape(1, 3))[0]

    def configure(self) -> None:
        """Nothing to configure (an analog sensor); kept for the driver protocol."""

    def reset_fifo(self) -> None:
        """No FIFO to reset."""

    def acknowledge_interrupt(self) -> None:
        """No interrupt line."""

    def close(self) -> None:
        for adc in self._adcs:
            adc.close()
