"""Properties of driver + sampler over arbitrary poll schedules (hypothesis)."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pacer.hw.adxl345 import ADXL345
from pacer.hw.fakes import FakeADXL345, FakeI2CBus, FakeMPU6050
from pacer.hw.mpu6050 import MPU6050
from pacer.hw.sampler import Sampler
from pacer.units import G_MPS2


class SimClock:
    def __init__(self) -> None:
        self.t_s = 0.0

    def __call__(self) -> float:
        return self.t_s


def signal(t_s: np.ndarray) -> np.ndarray:
    t = np.asarray(t_s, dtype=np.float64)
    return np.stack([15 * np.sin(7.0 * t), 4 * np.cos(3.0 * t), G_MPS2 + 0 * t], axis=1)


CHIPS = {
    "mpu6050": (FakeMPU6050, MPU6050, 0x68, 0.5 * G_MPS2 / 4096, 1.6),  # FIFO holds 1.66 s
    "adxl345": (FakeADXL345, ADXL345, 0x53, 0.5 * G_MPS2 / 256, 0.31),  # 32 entries, 0.33 s
}


@settings(max_examples=20, deadline=None)
@given(chip=st.sampled_from(sorted(CHIPS)), rate_error=st.floats(-0.04, 0.04),
       data=st.data())
def test_no_sample_lost_or_repeated_while_drained_in_time(chip, rate_error, data):
    chip_cls, driver_cls, address, half_lsb, max_gap_s = CHIPS[chip]
    gaps = data.draw(st.lists(st.floats(0.0, max_gap_s), min_size=1, max_size=40))
    clock = SimClock()
    fake = chip_cls(signal, clock=clock, rate_error=rate_error)
    sampler = Sampler(driver_cls(FakeI2CBus({address: fake})), clock=clock)
    blocks = []
    for gap in gaps:
        clock.t_s += gap
        block = sampler.poll()
        if block is not None:
            blocks.append(block)
    assert sampler.lost == 0 and sampler.overflows == 0
    assert all(b.t0_s == a.t_end_s for a, b in pairwise(blocks))
    got = (np.concatenate([b.samples_mps2 for b in blocks]) if blocks
           else np.empty((0, 3)))
    assert len(got) == fake.samples_generated
    index = np.arange(1, len(got) + 1)
    np.testing.assert_allclose(got, signal(fake.sample_origin_s + index / fake.true_rate_hz),
                               atol=half_lsb + 1e-9)


@settings(max_examples=15, deadline=None)
@given(chip=st.sampled_from(sorted(CHIPS)), data=st.data())
def test_losses_are_counted_after_stalls(chip, data):
    chip_cls, driver_cls, address, _, max_gap_s = CHIPS[chip]
    # 10 s of regular polls calibrate the rate (< 0.1 %, see test_hw_sampler), then an
    # arbitrary schedule with stalls longer than the FIFO holds
    gaps = [0.1] * 100 + data.draw(st.lists(
        st.one_of(st.floats(0.05, 0.15), st.floats(2.0, 6.0)), min_size=5, max_size=30))
    clock = SimClock()
    fake = chip_cls(signal, clock=clock)
    sampler = Sampler(driver_cls(FakeI2CBus({address: fake})), clock=clock)
    delivered = 0
    for gap in gaps:
        clock.t_s += gap
        block = sampler.poll()
        delivered += block.n if block is not None else 0
    stalls = sum(1 for gap in gaps if gap > max_gap_s)
    assert sampler.overflows == stalls
    in_fifo = fake.samples_generated - delivered - fake.samples_overwritten
    if chip == "mpu6050":  # the MPU-6050 discards the misaligned FIFO on overflow
        truly_lost = fake.samples_generated - delivered - len(fake.fifo) // 6
    else:
        truly_lost = fake.samples_overwritten
        assert in_fifo == len(fake.fifo)
    # per stall: +-1 sample for the unknown age of the last sample at each of the two
    # stamps; the rate error (< 0.1 % over <= 6 s at ~100 Hz) adds under one more
    assert abs(sampler.lost - truly_lost) <= 3 * stalls
