"""Test-wide settings and the fixtures for the fakes.

Hypothesis: no per-example deadline (this runs on shared 2-core machines, where a
scheduling hiccup is not a failure of the code under test); under CI (``CI`` set) the
examples are derandomized, so a CI run is reproducible and a failure found locally with
random examples is turned into a regression test instead of a flaky CI.

Fixtures: gpiozero's mock pins (``mock_factory``), register-level fake chips on a fake
I2C bus (``fake_i2c``), a pseudo-terminal with a writer playing the receiver
(``serial_line``), the doctor's fake hardware, healthy or broken (``fake_hardware``), a
fake bluetoothd on a private D-Bus (``fake_bluez``).
Each cleans up after the test. ``golden`` is the golden session, opened. Helpers shared
by test files are in ``tests/helpers/`` (imported as ``helpers.<module>``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings

if TYPE_CHECKING:
    import threading
    from pathlib import Path

    from gpiozero.pins.mock import MockFactory
    from helpers.fake_bluez import FakeBluez

    from pacer.config import Config
    from pacer.hw.fakes import FakeChip, FakeI2CBus
    from pacer.hw.fakes.hardware import FakeHardware
    from pacer.hw.fakes.wiring import FakeSerialLine

settings.register_profile("pacer", deadline=None)
settings.register_profile("pacer-ci", deadline=None, derandomize=True)
settings.load_profile("pacer-ci" if os.environ.get("CI") else "pacer")


@pytest.fixture
def mock_factory() -> Iterator[MockFactory]:
    """gpiozero's mock pin factory, also the default one (``Device.pin_factory``) while the
    test runs: gpiozero's software SPI needs that even when given a factory. Reset and
    the previous default put back afterwards."""
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    previous = Device.pin_factory
    factory = MockFactory()
    Device.pin_factory = factory
    yield factory
    factory.reset()
    Device.pin_factory = previous


@pytest.fixture
def fake_i2c() -> Iterator[Callable[..., tuple[FakeChip, FakeI2CBus]]]:
    """``fake_i2c(chip_cls, signal, address, **chip_options) -> (chip, bus)``: a
    register-level fake chip (``FakeMPU6050``, ``FakeADXL345``) at ``address`` on a fake
    I2C bus. Chips left ticking are stopped after the test."""
    from pacer.hw.fakes import FakeI2CBus

    chips: list[Any] = []

    def make(chip_cls: type, signal: Callable[..., Any], address: int,
             **chip_options: Any) -> tuple[Any, FakeI2CBus]:
        chip = chip_cls(signal, **chip_options)
        chips.append(chip)
        return chip, FakeI2CBus({address: chip})

    yield make
    for chip in chips:
        chip.stop_ticking()


@pytest.fixture
def serial_line() -> Iterator[Callable[..., FakeSerialLine]]:
    """``serial_line(write, name="fake-receiver") -> FakeSerialLine``: a pseudo-terminal
    standing in for the receiver's UART (``.port`` is what a reader opens), with
    ``write(fd, silenced)`` playing the receiver in a thread. Closed after the test."""
    from pacer.hw.fakes.wiring import FakeSerialLine

    lines: list[FakeSerialLine] = []

    def make(write: Callable[[int, threading.Event], object],
             name: str = "fake-receiver") -> FakeSerialLine:
        line = FakeSerialLine(name)
        lines.append(line)
        line.start(write)
        return line

    yield make
    for line in lines:
        line.close()


@pytest.fixture
def fake_hardware() -> Iterator[Callable[..., FakeHardware]]:
    """``fake_hardware(config, fault=None) -> FakeHardware``: the doctor's fake devices
    (simulated receiver on a pty, fake chip on a fake bus, mock pins), healthy or broken
    in one way (:data:`helpers.doctor_faults.FAULTS`). Closed after the test."""
    from helpers.doctor_faults import BrokenHardware

    from pacer.hw.fakes.hardware import FakeHardware

    made: list[FakeHardware] = []

    def make(config: Config, fault: str | None = None) -> FakeHardware:
        hardware = FakeHardware(config) if fault is None else BrokenHardware(config, fault)
        made.append(hardware)
        return hardware

    yield make
    for hardware in made:
        hardware.close()


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The golden session (:mod:`helpers.golden_session`), built once per test module and
    opened (a ``SessionData``)."""
    from helpers.golden_session import build

    from pacer.session.reader import open_session

    return open_session(build(tmp_path_factory.mktemp("golden") / "20261117-180000"))


@pytest.fixture
def fake_bluez(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBluez]:
    """A fake bluetoothd (python-dbusmock) on a private D-Bus with adapter ``hci0``, set as
    the system bus (:mod:`helpers.fake_bluez`); skips, naming the missing package, without
    dbus-daemon or dbus-python."""
    from helpers.fake_bluez import start_fake_bluez

    yield from start_fake_bluez(tmp_path, monkeypatch)
