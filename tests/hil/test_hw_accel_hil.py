"""Hardware in the loop: the real accelerometer on a Raspberry Pi (skipped unless PACER_HIL=1).

Environment:
    PACER_HIL=1                 run these tests
    PACER_HIL_ACCEL=mpu6050     chip (mpu6050, adxl345, adxl335)
    PACER_HIL_I2C_BUS=1         I2C adapter number
    PACER_HIL_ACCEL_INT=4       interrupt GPIO (BCM), empty to poll

Lay the board flat and still while the tests run.
"""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from pacer.models import AccelBlock
from pacer.units import G_MPS2

pytestmark = [
    pytest.mark.hil,
    pytest.mark.skipif(os.environ.get("PACER_HIL") != "1", reason="needs hardware: PACER_HIL=1"),
]

CHIP = os.environ.get("PACER_HIL_ACCEL", "mpu6050")
BUS = int(os.environ.get("PACER_HIL_I2C_BUS", "1"))
INT_PIN = os.environ.get("PACER_HIL_ACCEL_INT", "") or None


@pytest.fixture
def driver():
    from pacer.hw.probe import open_accelerometer

    return open_accelerometer(CHIP, bus_number=BUS)


def test_chip_is_detected_on_the_bus():
    if CHIP == "adxl335":
        pytest.skip("analog chip: nothing on I2C")
    from pacer.hw.i2c import open_i2c_bus
    from pacer.hw.probe import detect_accelerometers

    found = detect_accelerometers(open_i2c_bus(BUS))
    assert any(d.supported for d in found), found


def test_two_seconds_at_rest_read_one_g_at_about_the_nominal_rate(driver):
    from pacer.hw.sampler import Sampler

    sampler = Sampler(driver, interrupt_pin=INT_PIN if CHIP != "adxl335" else None)
    out: list[object] = []
    sampler.start(out.append)
    time.sleep(2.0)
    sampler.stop()
    blocks = [o for o in out if isinstance(o, AccelBlock)]
    assert blocks, out
    assert all(b.lost_samples == 0 for b in blocks)
    samples = np.concatenate([b.samples_mps2 for b in blocks])
    magnitude = float(np.linalg.norm(samples.mean(axis=0)))
    assert abs(magnitude - G_MPS2) < 0.15 * G_MPS2  # factory offsets are within ~0.1 g
    # datasheet oscillator tolerances are a few percent
    assert abs(sampler.rate_estimate_hz / driver.nominal_rate_hz - 1) < 0.08
