"""Finding and opening the accelerometer: for ``pacer doctor``, the config and the runtime.

:func:`detect_accelerometers` reads the identity register at each address a supported
chip can have and says what answered; :func:`open_accelerometer` builds the driver named
in the config with its defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

from pacer.hw import adxl345 as _adxl345
from pacer.hw import mpu6050 as _mpu6050
from pacer.hw.accel import AccelDriver
from pacer.hw.i2c import I2CBus, chip_errors

__all__ = ["CHIPS", "Detected", "detect_accelerometers", "open_accelerometer"]

#: chip names accepted by :func:`open_accelerometer` (config ``accel.chip``)
CHIPS = ("mpu6050", "adxl345", "adxl335")

#: (address, identity register, expected value, chip name) of every supported I2C chip
_CANDIDATES = (
    (0x68, _mpu6050.WHO_AM_I, _mpu6050.WHO_AM_I_VALUE, "MPU-6050"),
    (0x69, _mpu6050.WHO_AM_I, _mpu6050.WHO_AM_I_VALUE, "MPU-6050"),
    (0x53, _adxl345.DEVID, _adxl345.DEVID_VALUE, "ADXL345"),
    (0x1D, _adxl345.DEVID, _adxl345.DEVID_VALUE, "ADXL345"),
)


@dataclass(frozen=True, slots=True)
class Detected:
    """A chip that answered at ``address``; ``supported`` is False for a look-alike."""

    address: int
    chip: str
    supported: bool
    identity: int


def detect_accelerometers(bus: I2CBus) -> list[Detected]:
    """Probe the addresses of supported chips on ``bus`` (read-only, no configuration).

    Returns
    -------
    list of Detected
        One entry per address that acknowledged, in probe order; empty if none did.
    """
    found = []
    for address, register, expected, name in _CANDIDATES:
        try:
            with chip_errors(bus, address):
                identity = int(bus.read_byte_data(address, register))
        except OSError:  # ChipNotAnswering or another bus error: nothing usable here
            continue
        if identity == expected:
            found.append(Detected(address, name, True, identity))
        else:
            other = _mpu6050.KNOWN_IDS.get(identity) if name == "MPU-6050" else None
            label = other or f"unknown (0x{register:02x} reads 0x{identity:02x})"
            found.append(Detected(address, label, False, identity))
    return found


def open_accelerometer(chip: str = "mpu6050", *, bus: I2CBus | None = None, bus_number: int = 1,
                       address: int | None = None, range_g: int | None = None,
                       rate_hz: float = 100.0, pin_factory: object = None) -> AccelDriver:
    """Open and configure the accelerometer named in the config.

    Parameters
    ----------
    chip
        One of :data:`CHIPS`.
    bus
        An open bus (e.g. a ``FakeI2CBus``); None opens ``/dev/i2c-<bus_number>``.
    address
        I2C address (None: the chip's default, 0x68 or 0x53).
    range_g
        Full scale (None: 8 g for the MPU-6050, 16 g for the ADXL345; the ADXL335 is
        fixed at +/-3 g).
    rate_hz
        Output data rate (host polling rate for the ADXL335).
    pin_factory
        gpiozero pin factory for the ADXL335's MCP3008.

    Raises
    ------
    ValueError
        Unknown chip name or unsupported range/rate.
    DeviceError
        The bus or chip cannot be reached, or the chip is not what was named.
    """
    name = chip.lower().replace("-", "").replace("_", "")
    if name not in CHIPS:
        raise ValueError(f"unknown accelerometer {chip!r}: choose one of {', '.join(CHIPS)}")
    if name == "adxl335":
        from pacer.hw.adxl335 import ADXL335

        return ADXL335(rate_hz=rate_hz, pin_factory=pin_factory)
    if bus is None:
        from pacer.hw.i2c import open_i2c_bus

        bus = open_i2c_bus(bus_number)
    if name == "mpu6050":
        return _mpu6050.MPU6050(bus, 0x68 if address is None else address,
                                range_g=8 if range_g is None else range_g, rate_hz=rate_hz)
    return _adxl345.ADXL345(bus, 0x53 if address is None else address,
                            range_g=16 if range_g is None else range_g, rate_hz=rate_hz)
