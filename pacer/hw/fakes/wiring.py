"""One wiring of the fake hardware: a pseudo-terminal standing in for the receiver's
UART, and a register-level fake accelerometer on a fake I2C bus that can be wedged.

Shared by the simulation (:mod:`pacer.wiring.sim`: ``pacer sim --realtime`` and
``pacer run --fake-hardware``) and by ``pacer doctor --fake-hardware``
(:mod:`pacer.hw.fakes.hardware`), so all three exercise the production serial reader,
accelerometer drivers and sampler against the same fakes. The fake chips themselves are
in :mod:`pacer.hw.fakes`; no device library is imported here.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import tty
from collections.abc import Callable
from typing import TYPE_CHECKING, TypedDict, TypeVar

import numpy as np

if TYPE_CHECKING:
    from smbus2 import i2c_msg

    from pacer.hw.accel import AccelDriver
    from pacer.hw.fakes import FakeADXL345, FakeMPU6050
    from pacer.hw.fakes.bus import InterruptPin
    from pacer.hw.i2c import I2CBus

_T = TypeVar("_T")

#: I2C address of each fake chip when none is configured (the chips' defaults)
FAKE_CHIP_ADDRESS: dict[str, int] = {"mpu6050": 0x68, "adxl345": 0x53}
#: identity register values of other parts, for a chip that is "not what was named":
#: WHO_AM_I of an MPU-6500, DEVID of nothing (a chip that answers 0)
WRONG_IDENTITY: dict[str, int] = {"mpu6050": 0x70, "adxl345": 0x00}


class ChipOptions(TypedDict, total=False):
    """Keyword options of :func:`fake_accelerometer` that say how the chip is fitted."""

    wrong_identity: bool
    plugged_in: bool


class HangingBus:
    """Wraps a bus; once ``hang`` is set, every transfer blocks (a wedged I2C bus or a
    hung driver: what the service's watchdog exists for)."""

    def __init__(self, bus: I2CBus) -> None:
        self._bus = bus
        self.hang = threading.Event()
        self._never = threading.Event()
        self.pacer_path = getattr(bus, "pacer_path", "fake-i2c")

    def _call(self, transfer: Callable[[], _T]) -> _T:
        while self.hang.is_set():
            self._never.wait(0.5)
        return transfer()

    def read_byte_data(self, i2c_addr: int, register: int, /) -> int:
        return self._call(lambda: self._bus.read_byte_data(i2c_addr, register))

    def write_byte_data(self, i2c_addr: int, register: int, value: int, /) -> None:
        self._call(lambda: self._bus.write_byte_data(i2c_addr, register, value))

    def read_i2c_block_data(self, i2c_addr: int, register: int, length: int, /) -> list[int]:
        return self._call(lambda: self._bus.read_i2c_block_data(i2c_addr, register, length))

    def i2c_rdwr(self, *i2c_msgs: i2c_msg) -> None:
        self._call(lambda: self._bus.i2c_rdwr(*i2c_msgs))


@dataclasses.dataclass
class FakeAccelerometer:
    """A fake accelerometer chip on a fake I2C bus that can be wedged."""

    part: str  # "mpu6050" | "adxl345"
    chip: FakeMPU6050 | FakeADXL345
    bus: HangingBus
    address: int

    def driver(self, rate_hz: float) -> AccelDriver:
        """The production driver talking to the chip over the bus."""
        if self.part == "adxl345":
            from pacer.hw.adxl345 import ADXL345

            return ADXL345(self.bus, self.address, rate_hz=rate_hz)
        from pacer.hw.mpu6050 import MPU6050

        return MPU6050(self.bus, self.address, rate_hz=rate_hz)


def fake_accelerometer(
    part: str,
    signal: Callable[[np.ndarray], np.ndarray],
    clock: Callable[[], float],
    *,
    address: int | None = None,
    int_pin: InterruptPin | None = None,
    wrong_identity: bool = False,
    plugged_in: bool = True,
    bus_name: str = "fake-i2c-1",
) -> FakeAccelerometer:
    """A register-level fake ``part`` ("mpu6050" or "adxl345") on a fake I2C bus.

    Parameters
    ----------
    part
        Which chip to fake.
    signal
        Maps sample times (s, on ``clock``) to ``(n, 3)`` acceleration in m/s^2.
    clock
        The chip's time source in seconds.
    address
        7-bit I2C address (None: the part's default, :data:`FAKE_CHIP_ADDRESS`).
    int_pin
        A gpiozero ``MockPin`` the chip drives as its interrupt line, or None.
    wrong_identity
        The identity register reads as another part's (:data:`WRONG_IDENTITY`).
    plugged_in
        False: the bus has nothing at the address (transfers get EREMOTEIO).
    bus_name
        The bus path shown in driver messages.
    """
    from pacer.hw.fakes import FakeADXL345, FakeI2CBus, FakeMPU6050

    if part not in FAKE_CHIP_ADDRESS:
        raise ValueError(f"no fake accelerometer {part!r}: choose one of "
                         f"{', '.join(FAKE_CHIP_ADDRESS)}")
    address = FAKE_CHIP_ADDRESS[part] if address is None else address
    chip: FakeMPU6050 | FakeADXL345
    if part == "adxl345":
        identity = {"devid": WRONG_IDENTITY[part]} if wrong_identity else {}
        chip = FakeADXL345(signal, clock=clock, int_pin=int_pin, **identity)
    else:
        identity = {"who_am_i": WRONG_IDENTITY[part]} if wrong_identity else {}
        chip = FakeMPU6050(signal, clock=clock, int_pin=int_pin, **identity)
    bus = FakeI2CBus({address: chip} if plugged_in else {}, name=bus_name)
    return FakeAccelerometer(part, chip, HangingBus(bus), address)


class FakeSerialLine:
    """A pseudo-terminal standing in for the receiver's UART.

    ``port`` is the path a production reader opens (raw mode, like a UART); a writer
    thread plays the receiver's side on the other end until :meth:`silence`.
    """

    def __init__(self, thread_name: str = "sim-receiver") -> None:
        self.master_fd, self.slave_fd = os.openpty()
        tty.setraw(self.slave_fd)
        self.port = os.ttyname(self.slave_fd)
        self.silenced = threading.Event()
        self._thread_name = thread_name
        self._thread: threading.Thread | None = None

    def start(self, write: Callable[[int, threading.Event], object]) -> None:
        """Run ``write(fd, silenced)`` in a thread; it writes the receiver's bytes to
        ``fd`` until ``silenced`` is set."""

        def run() -> None:
            try:
                write(self.master_fd, self.silenced)
            except OSError:
                pass  # the pty closed under us at the end of the run

        self._thread = threading.Thread(target=run, name=self._thread_name, daemon=True)
        self._thread.start()

    def silence(self) -> None:
        """The receiver falls silent (the writer stops)."""
        self.silenced.set()

    def close(self) -> None:
        self.silence()
        if self._thread is not None:
            self._thread.join(2.0)
        for fd in (self.master_fd, self.slave_fd):
            try:
                os.close(fd)
            except OSError:
                pass
