"""Fakes of every accelerometer port, behaving like the devices at register level.

* :class:`FakeI2CBus` -- smbus2's four methods over a map of address -> fake chip.
* :class:`FakeMPU6050`, :class:`FakeADXL345` -- register maps, FIFOs that fill lazily
  from a signal at a deliberately off-nominal rate, overflow, interrupt line on a
  gpiozero ``MockPin``.
* :class:`FakeMCP3008` -- an MCP3008 on gpiozero's mock SPI with an ADXL335 on
  channels 0-2 (imported on first use, because it subclasses a gpiozero class).
* :mod:`pacer.hw.fakes.wiring` -- a pty for the receiver's UART, a fake chip on a bus that
  can be wedged; :mod:`pacer.hw.fakes.hardware` -- all of it wired for
  ``pacer doctor --fake-hardware``.

The production drivers in :mod:`pacer.hw` run unchanged against them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pacer.hw.fakes.adxl345 import FakeADXL345
from pacer.hw.fakes.bus import FakeChip, FakeI2CBus
from pacer.hw.fakes.mpu6050 import FakeMPU6050

if TYPE_CHECKING:
    from pacer.hw.fakes.mcp3008 import FakeMCP3008

__all__ = ["FakeADXL345", "FakeChip", "FakeI2CBus", "FakeMCP3008", "FakeMPU6050"]


def __getattr__(name: str) -> object:
    if name == "FakeMCP3008":
        from pacer.hw.fakes.mcp3008 import FakeMCP3008

        return FakeMCP3008
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
