"""The fake devices behind ``pacer doctor --fake-hardware``: a simulated receiver
talking NMEA over a pseudo-terminal, a ticking register-level fake accelerometer on a
fake I2C bus with its interrupt on a gpiozero mock pin, and mock GPIO for the buttons
and LED.

Standard-library imports only at module level; the fakes are imported when
:class:`FakeHardware` is built.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pacer.config import Config
    from pacer.hw.fakes.wiring import ChipOptions


class FakeHardware:
    """Healthy fake devices, wired as ``config`` says (chip, address, interrupt pin).

    The receiver and chip are wired as for ``pacer sim --realtime``
    (:mod:`pacer.hw.fakes.wiring`). ``port`` is the receiver's serial line, ``accel.bus``
    the I2C bus, ``factory`` the gpiozero pin factory; :func:`pacer.tools.doctor.fake_setup`
    points the doctor's probes at them. :meth:`send` and :meth:`chip_options` say what the
    receiver sends and how the chip is fitted.
    """

    def __init__(self, config: Config) -> None:
        from gpiozero.pins.mock import MockFactory

        from pacer.hw.fakes.wiring import FakeSerialLine, fake_accelerometer
        from pacer.sim.accel import GaitSignal
        from pacer.sim.receiver import SimulatedReceiver
        from pacer.sim.runner import RunnerModel
        from pacer.sim.scenarios import default_session_efforts

        self.factory = MockFactory()
        runner = RunnerModel(default_session_efforts(), seed=0, rate_hz=20.0)
        self.receiver = SimulatedReceiver(runner, rate_hz=5.0, dropouts=False, corrupt_rate=0.0)
        self.line = FakeSerialLine("doctor-fake-gps")
        self.port = self.line.port
        self.line.start(self.send)
        start = time.monotonic()
        int_pin = self.factory.pin(config.accel.int_pin) if config.accel.int_pin else None
        self.accel = fake_accelerometer(
            "adxl345" if config.accel.chip == "adxl345" else "mpu6050",
            GaitSignal(runner, seed=0), lambda: time.monotonic() - start,
            address=config.accel.address, int_pin=int_pin,
            bus_name=f"/dev/i2c-{config.accel.i2c_bus} (fake)", **self.chip_options(),
        )
        self.accel.chip.start_ticking(0.002)

    def send(self, fd: int, silenced: threading.Event) -> None:
        """The receiver's side of the serial line: its NMEA in real time until silenced."""
        self.receiver.write_realtime(fd, baud=115200, stop=silenced.is_set)

    def chip_options(self) -> ChipOptions:
        """Keyword options of :func:`pacer.hw.fakes.wiring.fake_accelerometer` (none: the
        named chip, plugged in)."""
        return {}

    def close(self) -> None:
        self.line.silence()
        self.accel.chip.stop_ticking()
        self.line.close()
        self.factory.reset()
