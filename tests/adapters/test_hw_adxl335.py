"""Analog ADXL335 through gpiozero's MCP3008 on mock SPI, against FakeMCP3008."""

from __future__ import annotations

import time

import numpy as np
import pytest

from pacer.hw.adxl335 import ADXL335, Adxl335Calibration, calibration_from_flips
from pacer.hw.fakes import FakeMCP3008
from pacer.hw.sampler import Sampler
from pacer.models import AccelBlock
from pacer.units import G_MPS2

#: the board under test: a real ADXL335 is a few % off the typical values
BOARD = Adxl335Calibration(zero_g_v=(1.62, 1.69, 1.64), sensitivity_v_per_g=(0.318, 0.341, 0.326))
VREF_V = 3.3
#: one MCP3008 code (Vref/1024) in m/s^2 on the least sensitive axis
ONE_CODE_MPS2 = VREF_V / 1024 / min(BOARD.sensitivity_v_per_g) * G_MPS2


def tilt(accel_mps2):
    def signal(t_s: np.ndarray) -> np.ndarray:
        return np.tile(np.asarray(accel_mps2, dtype=np.float64), (len(t_s), 1))
    return signal


def test_reads_acceleration_with_the_board_calibration(mock_factory):
    expected = np.array([3.0, -5.5, 8.1])
    FakeMCP3008(tilt(expected), clock=time.monotonic, calibration=BOARD, pin_factory=mock_factory)
    sensor = ADXL335(calibration=BOARD, pin_factory=mock_factory)
    read = sensor.read_fifo()
    assert read.counts.shape == (1, 3) and not read.overflowed
    # the ADC truncates: the reading is at most one code below the truth
    for got in (sensor.to_mps2(read.counts)[0], sensor.read_sample_mps2()):
        assert np.all(got <= expected + 1e-9) and np.all(got > expected - ONE_CODE_MPS2)


def test_typical_calibration_is_visibly_wrong_on_an_off_typical_board(mock_factory):
    FakeMCP3008(tilt([0.0, 0.0, G_MPS2]), clock=time.monotonic, calibration=BOARD,
                pin_factory=mock_factory)
    uncalibrated = ADXL335(pin_factory=mock_factory)
    got = uncalibrated.to_mps2(uncalibrated.read_fifo().counts)[0]
    assert abs(got[1] - 0.0) > 5 * ONE_CODE_MPS2  # zero-g 40 mV off = 1.2 m/s^2


def test_calibration_from_flipping_each_axis(mock_factory):
    fake = FakeMCP3008(tilt([0, 0, 0]), clock=time.monotonic, calibration=BOARD,
                       pin_factory=mock_factory)
    sensor = ADXL335(pin_factory=mock_factory)
    volts_per_code = VREF_V / 1024
    up, down = np.zeros(3), np.zeros(3)
    for axis in range(3):
        for sign, out in ((1, up), (-1, down)):
            accel = np.zeros(3)
            accel[axis] = sign * G_MPS2
            fake.signal = tilt(accel)
            # average many codes of a noisy-free signal: centre of the code bin
            out[axis] = (sensor.read_counts()[axis] + 0.5) * volts_per_code
    calibration = calibration_from_flips(up, down)
    np.testing.assert_allclose(calibration.zero_g_v, BOARD.zero_g_v, atol=volts_per_code)
    np.testing.assert_allclose(calibration.sensitivity_v_per_g, BOARD.sensitivity_v_per_g,
                               atol=volts_per_code)


def test_bad_calibration_is_rejected():
    with pytest.raises(ValueError):
        Adxl335Calibration(sensitivity_v_per_g=(0.33, 0.0, 0.33))


def test_host_paced_sampler_thread(mock_factory):
    def swing(t_s: np.ndarray) -> np.ndarray:
        t = np.asarray(t_s)
        return np.stack([5 * np.sin(2 * np.pi * t), 0 * t, G_MPS2 + 0 * t], axis=1)

    fake = FakeMCP3008(swing, clock=time.monotonic, calibration=BOARD, pin_factory=mock_factory)
    sensor = ADXL335(calibration=BOARD, rate_hz=50.0, pin_factory=mock_factory)
    sampler = Sampler(sensor, poll_interval_s=0.1)
    out: list[object] = []
    sampler.start(out.append)
    time.sleep(0.6)
    sampler.stop()
    blocks = [o for o in out if isinstance(o, AccelBlock)]
    assert blocks
    samples = np.concatenate([b.samples_mps2 for b in blocks])
    assert len(samples) * 3 == fake.conversions  # every conversion delivered once
    assert np.all(np.abs(samples[:, 0]) <= 5 + ONE_CODE_MPS2)
    np.testing.assert_allclose(samples[:, 2], G_MPS2, atol=ONE_CODE_MPS2)
