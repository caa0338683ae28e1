"""Opening an I2C bus and turning bus failures into one-line device errors.

Drivers talk to any object with smbus2's four methods (``read_byte_data``,
``write_byte_data``, ``read_i2c_block_data``, ``i2c_rdwr``), so the register-level fakes
in :mod:`pacer.hw.fakes` stand in for the real bus. smbus2 is imported lazily here.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

from pacer.errors import ChipNotAnswering, DeviceError, DeviceNotFound, DevicePermission, WrongChip

if TYPE_CHECKING:
    from smbus2 import i2c_msg

__all__ = [
    "ENABLE_I2C_HINT",
    "I2CBus",
    "bus_path",
    "check_identity",
    "chip_errors",
    "open_i2c_bus",
]

#: what to do when /dev/i2c-N is missing (Raspberry Pi OS Bookworm)
ENABLE_I2C_HINT = (
    "enable I2C (raspi-config nonint do_i2c 0, or dtparam=i2c_arm=on in "
    "/boot/firmware/config.txt)"
)

#: errno values a missing or unwired chip produces on Linux i2c-dev
#: (EREMOTEIO 121 on the Pi's i2c-bcm2835, ENXIO/EIO on some other adapters)
_NO_ANSWER_ERRNOS = frozenset({errno.EREMOTEIO, errno.ENXIO, errno.EIO})


class I2CBus(Protocol):
    """What the drivers need of a bus: smbus2's four transfers (``smbus2.SMBus``,
    :class:`pacer.hw.fakes.FakeI2CBus`). A bus may also carry ``pacer_path`` for
    messages (:func:`bus_path`)."""

    def read_byte_data(self, i2c_addr: int, register: int, /) -> int: ...

    def write_byte_data(self, i2c_addr: int, register: int, value: int, /) -> None: ...

    def read_i2c_block_data(self, i2c_addr: int, register: int, length: int, /) -> list[int]: ...

    def i2c_rdwr(self, *i2c_msgs: i2c_msg) -> None: ...


def open_i2c_bus(bus_number: int) -> I2CBus:
    """Open ``/dev/i2c-<bus_number>`` with smbus2.

    Parameters
    ----------
    bus_number
        Linux I2C adapter number (1 on every Raspberry Pi since the model B rev 2).

    Returns
    -------
    smbus2.SMBus
        The open bus; it carries ``pacer_path`` (e.g. ``"/dev/i2c-1"``) for messages.

    Raises
    ------
    DeviceNotFound
        The device node does not exist: I2C is not enabled.
    DevicePermission
        The node exists but this user may not open it.
    DeviceError
        Another OS error while opening.
    """
    import smbus2

    path = f"/dev/i2c-{bus_number}"
    try:
        bus = smbus2.SMBus(bus_number)
    except FileNotFoundError:
        raise DeviceNotFound(f"no {path}: {ENABLE_I2C_HINT}") from None
    except PermissionError:
        raise DevicePermission(
            f"permission denied on {path}: add the user to the i2c group "
            "(sudo adduser $USER i2c, then log in again)"
        ) from None
    except OSError as exc:
        raise DeviceError(f"cannot open {path}: {exc.strerror or exc}") from None
    bus.pacer_path = path  # type: ignore[attr-defined]  # for driver messages
    return bus


def bus_path(bus: I2CBus) -> str:
    """The device path of ``bus`` for messages (``/dev/i2c-1``, or the fake's name)."""
    return str(getattr(bus, "pacer_path", "the I2C bus"))


@contextmanager
def chip_errors(bus: I2CBus, address: int) -> Iterator[None]:
    """Turn an ``OSError`` raised by a bus transfer into a pacer device error.

    A chip that does not acknowledge its address (errno 121 EREMOTEIO) becomes
    :class:`ChipNotAnswering` with what to check; other OS errors become
    :class:`DeviceError` naming the bus and address. Pacer's own errors pass through.
    """
    try:
        yield
    except DeviceError:
        raise
    except OSError as exc:
        where = f"0x{address:02x} on {bus_path(bus)}"
        if exc.errno in _NO_ANSWER_ERRNOS:
            raise ChipNotAnswering(
                f"no answer at {where}: check wiring and the AD0 address pin"
            ) from None
        raise DeviceError(f"I2C error at {where}: {exc.strerror or exc}") from None


def read_register(bus: I2CBus, address: int, register: int) -> int:
    """One register byte, with bus failures as pacer device errors (:func:`chip_errors`)."""
    with chip_errors(bus, address):
        return int(bus.read_byte_data(address, register))


def write_register(bus: I2CBus, address: int, register: int, value: int) -> None:
    """Write one register byte, with bus failures as pacer device errors."""
    with chip_errors(bus, address):
        bus.write_byte_data(address, register, value)


def check_identity(
    bus: I2CBus,
    address: int,
    register: int,
    expected: int,
    chip: str,
    known_ids: Mapping[int, str] | None = None,
) -> None:
    """Read an identity register and raise :class:`WrongChip` if it is not ``expected``.

    Parameters
    ----------
    bus, address
        The bus object and 7-bit chip address.
    register, expected
        Identity register (WHO_AM_I, DEVID) and the value the datasheet gives.
    chip
        Chip name for the message, e.g. ``"MPU-6050"``.
    known_ids
        Identity values of related chips, named in the message when found.
    """
    with chip_errors(bus, address):
        found = bus.read_byte_data(address, register)
    if found != expected:
        other = (known_ids or {}).get(found)
        extra = f" (that is an {other})" if other else ""
        raise WrongChip(
            f"0x{address:02x} on {bus_path(bus)} is not an {chip}: identity register "
            f"0x{register:02x} reads 0x{found:02x}, expected 0x{expected:02x}{extra}; "
            "check the chip type in the config"
        )
