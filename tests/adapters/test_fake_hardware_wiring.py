"""The one wiring of the fake hardware (pacer.hw.fakes.wiring) that `pacer sim --realtime`,
`pacer run --fake-hardware` and `pacer doctor --fake-hardware` share: a fake chip on a
fake I2C bus read by the production drivers, and a pseudo-terminal for the receiver."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from pacer.errors import ChipNotAnswering, WrongChip
from pacer.gps.reader import open_port
from pacer.hw.fakes.wiring import FAKE_CHIP_ADDRESS, FakeSerialLine, fake_accelerometer
from pacer.hw.probe import open_accelerometer
from pacer.units import G_MPS2
from pacer.wiring.clocks import ManualClock


def still(t_s: np.ndarray) -> np.ndarray:
    """A unit lying flat: gravity on z."""
    out = np.zeros((len(t_s), 3))
    out[:, 2] = G_MPS2
    return out


@pytest.mark.parametrize("part", ["mpu6050", "adxl345"])
def test_production_driver_reads_gravity_from_the_fake_chip(part: str) -> None:
    clock = ManualClock(0.0)
    fake = fake_accelerometer(part, still, clock)
    assert fake.address == FAKE_CHIP_ADDRESS[part]
    driver = fake.driver(100.0)
    driver.read_fifo()
    clock.t_s = 0.25  # less than the ADXL345's 32-sample FIFO holds
    read = driver.read_fifo()
    assert not read.overflowed
    assert 20 <= read.n <= 30  # ~100 Hz, off-nominal by a few per cent
    g_mps2 = np.linalg.norm(driver.to_mps2(read.counts).mean(axis=0))
    assert g_mps2 == pytest.approx(G_MPS2, rel=0.02)


@pytest.mark.parametrize("part", ["mpu6050", "adxl345"])
def test_wrong_identity_is_refused_by_the_probe(part: str) -> None:
    fake = fake_accelerometer(part, still, ManualClock(0.0), wrong_identity=True)
    with pytest.raises(WrongChip):
        open_accelerometer(part, bus=fake.bus, address=fake.address)


def test_unplugged_chip_does_not_answer_and_the_message_names_the_bus() -> None:
    fake = fake_accelerometer("mpu6050", still, ManualClock(0.0), plugged_in=False,
                              bus_name="/dev/i2c-7 (fake)")
    with pytest.raises(ChipNotAnswering, match=r"/dev/i2c-7 \(fake\)"):
        open_accelerometer("mpu6050", bus=fake.bus, address=fake.address)


def test_configured_address_is_where_the_chip_answers() -> None:
    fake = fake_accelerometer("mpu6050", still, ManualClock(0.0), address=0x69)
    assert open_accelerometer("mpu6050", bus=fake.bus, address=0x69).name
    with pytest.raises(ChipNotAnswering):
        open_accelerometer("mpu6050", bus=fake.bus, address=0x68)


def test_unknown_part_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="choose one of mpu6050, adxl345"):
        fake_accelerometer("lis3dh", still, ManualClock(0.0))


def test_wedged_bus_blocks_transfers_until_released() -> None:
    fake = fake_accelerometer("mpu6050", still, ManualClock(0.0))
    driver = fake.driver(100.0)
    fake.bus.hang.set()
    done = threading.Event()
    reader = threading.Thread(target=lambda: (driver.read_fifo(), done.set()), daemon=True)
    reader.start()
    assert not done.wait(0.3)  # blocked on the wedged bus
    fake.bus.hang.clear()
    assert done.wait(5.0)


def test_serial_line_carries_the_writers_bytes_to_the_port_until_silenced() -> None:
    line = FakeSerialLine("test-line")
    sentence = b"$GPTXT,01,01,02,hello*49\r\n"
    wrote = threading.Event()

    def write(fd: int, silenced: threading.Event) -> None:
        import os

        os.write(fd, sentence)
        wrote.set()
        silenced.wait()

    try:
        port = open_port(line.port, 9600, None, timeout_s=0.1)
        line.start(write)
        assert wrote.wait(5.0)
        got = b""
        for _ in range(50):
            got += bytes(port.read(64))
            if got.endswith(b"\r\n"):
                break
        port.close()
        assert got == sentence
        line.silence()
        assert line.silenced.is_set()
    finally:
        line.close()


def test_the_wiring_imports_no_device_library() -> None:
    """The fakes stand in for the devices: importing the wiring (and the sources built
    on it) loads no serial, smbus2, gpiozero or pyttsx3."""
    import subprocess
    import sys

    code = ("import sys, pacer.hw.fakes.wiring, pacer.wiring.sim; "
            "print(sorted({'serial', 'smbus2', 'gpiozero', 'pyttsx3'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
