"""The fakes behind ``pacer doctor --fake-hardware``: the doctor's probes wired to the
simulated receiver, the register-level fake accelerometer and gpiozero's mock pins.

Standard-library imports only at module level (the CLI imports this to build its
parser); the fakes are imported when :class:`FakeHardware` is built.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pacer.config import Config
    from pacer.tools.doctor import Probes


#: what ``FakeHardware(fault=...)`` can break (a test hook: ``pacer doctor --fake-hardware
#: --break FAULT``, hidden from ``--help``)
FAKE_FAULTS = ("no-chip", "wrong-chip", "silent-gps", "garbage-gps")


class FakeHardware:
    """The fakes behind :class:`Probes`: a simulated receiver talking NMEA over a
    pseudo-terminal, a ticking fake MPU-6050 (or ADXL345) on a fake I2C bus with its
    interrupt on a gpiozero mock pin, and mock GPIO for the buttons and LED. The
    receiver and chip are wired as for ``pacer sim --realtime`` (:mod:`pacer.hw.fakes.wiring`).

    ``fault`` makes it deliberately wrong: "no-chip" (nothing at the address),
    "wrong-chip" (the identity register names another part), "silent-gps" (no bytes),
    "garbage-gps" (bytes at the wrong baud rate).
    """

    def __init__(self, config: Config, fault: str | None = None) -> None:
        from gpiozero.pins.mock import MockFactory

        from pacer.hw.fakes.wiring import FakeSerialLine, fake_accelerometer
        from pacer.sim.accel import GaitSignal
        from pacer.sim.receiver import SimulatedReceiver
        from pacer.sim.runner import RunnerModel
        from pacer.sim.scenarios import default_session_efforts

        if fault is not None and fault not in FAKE_FAULTS:
            raise ValueError(f"no fake fault {fault!r}: choose one of {', '.join(FAKE_FAULTS)}")
        self.factory = MockFactory()
        runner = RunnerModel(default_session_efforts(), seed=0, rate_hz=20.0)
        receiver = SimulatedReceiver(runner, rate_hz=5.0, dropouts=False, corrupt_rate=0.0)
        self.line = FakeSerialLine("doctor-fake-gps")
        self.port = self.line.port
        if fault == "garbage-gps":
            self.line.start(_write_garbage)
        elif fault != "silent-gps":
            self.line.start(lambda fd, silenced: receiver.write_realtime(
                fd, baud=115200, stop=silenced.is_set))
        start = time.monotonic()
        int_pin = self.factory.pin(config.accel.int_pin) if config.accel.int_pin else None
        self.accel = fake_accelerometer(
            "adxl345" if config.accel.chip == "adxl345" else "mpu6050",
            GaitSignal(runner, seed=0), lambda: time.monotonic() - start,
            address=config.accel.address, int_pin=int_pin,
            wrong_identity=fault == "wrong-chip", plugged_in=fault != "no-chip",
            bus_name=f"/dev/i2c-{config.accel.i2c_bus} (fake)",
        )
        self.accel.chip.start_ticking(0.002)

    def probes(self, data_dir: Path | None = None) -> Probes:
        from pacer.gps.reader import open_port
        from pacer.tools.doctor import Probes

        return Probes(
            open_serial=lambda _port, baud: open_port(self.port, baud, None, timeout_s=0.1),
            open_i2c=lambda _n: self.accel.bus,
            pin_factory=self.factory,
            boot_config=Path("/nonexistent/config.txt"),
            data_dir=data_dir,
            clock_synced=lambda: True,
        )

    def close(self) -> None:
        self.line.silence()
        self.accel.chip.stop_ticking()
        self.line.close()
        self.factory.reset()


def _write_garbage(fd: int, silenced: Any) -> None:
    """Bytes that are not NMEA at any baud rate, every 50 ms (a wrong baud rate)."""
    while not silenced.wait(0.05):
        os.write(fd, bytes(range(0x80, 0xC0)))
