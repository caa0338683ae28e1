"""The doctor's fake hardware broken in one way, for the doctor tests.

:class:`BrokenHardware` is :class:`pacer.hw.fakes.hardware.FakeHardware` with one fault:
"no-chip" (nothing at the address), "wrong-chip" (the identity register names another
part), "silent-gps" (no bytes), "garbage-gps" (bytes at the wrong baud rate).
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from pacer.hw.fakes.hardware import FakeHardware

if TYPE_CHECKING:
    from pacer.config import Config
    from pacer.hw.fakes.wiring import ChipOptions

FAULTS = ("no-chip", "wrong-chip", "silent-gps", "garbage-gps")


class BrokenHardware(FakeHardware):
    """The fake hardware with ``fault`` (one of :data:`FAULTS`)."""

    def __init__(self, config: Config, fault: str) -> None:
        if fault not in FAULTS:
            raise ValueError(f"no fake fault {fault!r}: choose one of {', '.join(FAULTS)}")
        self.fault = fault
        super().__init__(config)

    def send(self, fd: int, silenced: threading.Event) -> None:
        if self.fault == "silent-gps":
            return
        if self.fault == "garbage-gps":
            write_garbage(fd, silenced)
            return
        super().send(fd, silenced)

    def chip_options(self) -> ChipOptions:
        return {"wrong_identity": self.fault == "wrong-chip",
                "plugged_in": self.fault != "no-chip"}


def write_garbage(fd: int, silenced: threading.Event) -> None:
    """Bytes that are not NMEA at any baud rate, every 50 ms (a wrong baud rate)."""
    while not silenced.wait(0.05):
        os.write(fd, bytes(range(0x80, 0xC0)))
