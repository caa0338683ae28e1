"""Sampler on the production drivers over the fake chips: simulated and real time, and
properties over arbitrary poll schedules (hypothesis)."""

from __future__ import annotations

import threading
import time
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pacer.hw.adxl345 import ADXL345
from pacer.hw.fakes import FakeADXL345, FakeI2CBus, FakeMPU6050
from pacer.hw.mpu6050 import MPU6050
from pacer.hw.sampler import Sampler
from pacer.models import AccelBlock, DeviceEvent, DeviceState
from pacer.units import G_MPS2


class SimClock:
    def __init__(self, t_s: float = 0.0) -> None:
        self.t_s = t_s

    def __call__(self) -> float:
        return self.t_s


def signal(t_s: np.ndarray) -> np.ndarray:
    t = np.asarray(t_s, dtype=np.float64)
    return np.stack([20.0 * np.sin(2 * np.pi * 2.8 * t), 3.0 * np.cos(2 * np.pi * 1.4 * t),
                     G_MPS2 + 12.0 * np.sin(2 * np.pi * 2.8 * t + 1.0)], axis=1)


CHIPS = [(FakeMPU6050, MPU6050, 0x68), (FakeADXL345, ADXL345, 0x53)]
#: half a count of each driver's default range, in m/s^2 (MPU-6050 8 g: 4096 LSB/g;
#: ADXL345 full resolution: 256 LSB/g)
HALF_LSB_MPS2 = {MPU6050: 0.5 * G_MPS2 / 4096 + 1e-9, ADXL345: 0.5 * G_MPS2 / 256 + 1e-9}


def contiguous(blocks: list[AccelBlock]) -> bool:
    return all(b.t0_s == a.t_end_s for a, b in pairwise(blocks))


# ------------------------------------------------------------------ simulated clock
@pytest.mark.parametrize("chip_cls, driver_cls, address", CHIPS)
def test_rate_within_0_1_percent_after_10_s_of_jittered_bursts(fake_i2c, chip_cls, driver_cls,
                                                               address):
    rng = np.random.default_rng(3)
    sim = SimClock(50.0)
    chip, bus = fake_i2c(chip_cls, signal, address, clock=sim)
    driver = driver_cls(bus)
    max_jitter_s = 0.015
    # the stamp is taken up to 15 ms before the drain really happens (preemption)
    sampler = Sampler(driver, clock=lambda: sim.t_s - rng.uniform(0.0, max_jitter_s))
    blocks = []
    while sim.t_s < 60.0:
        sim.t_s += rng.uniform(0.08, 0.12)  # irregular poll times
        block = sampler.poll()
        if block is not None:
            blocks.append(block)
    true_rate_hz = chip.true_rate_hz
    assert abs(sampler.rate_estimate_hz / true_rate_hz - 1) < 1e-3
    assert contiguous(blocks)
    assert sampler.lost == 0 and all(b.lost_samples == 0 for b in blocks)
    # every block's rate stays within the slew limit of the truth once calibrated
    late = [b for b in blocks if b.t0_s > 55.0]
    assert all(abs(b.rate_hz / true_rate_hz - 1) < 0.006 for b in late)
    # the timeline lands on the true sample times within stamp jitter + one period
    n_total = sum(b.n for b in blocks)
    assert n_total == sampler.samples
    last = blocks[-1]
    t_last_true = chip.sample_origin_s + n_total / true_rate_hz
    assert abs(last.times_s()[-1] - t_last_true) < max_jitter_s + 1.0 / true_rate_hz


@pytest.mark.parametrize("chip_cls, driver_cls, address", CHIPS)
def test_samples_come_back_in_order_in_mps2(fake_i2c, chip_cls, driver_cls, address):
    sim = SimClock(0.0)
    chip, bus = fake_i2c(chip_cls, signal, address, clock=sim)
    sampler = Sampler(driver_cls(bus), clock=sim)
    blocks = []
    for _ in range(30):
        sim.t_s += 0.1
        blocks.append(sampler.poll())
    samples = np.concatenate([b.samples_mps2 for b in blocks])
    assert samples.dtype == np.float64 and samples.shape[1] == 3
    index = np.arange(1, len(samples) + 1)
    np.testing.assert_allclose(samples, signal(index / chip.true_rate_hz),
                               atol=HALF_LSB_MPS2[driver_cls])


def test_overflow_restarts_the_time_base_and_counts_the_loss(fake_i2c):
    sim = SimClock(0.0)
    chip, bus = fake_i2c(FakeMPU6050, signal, 0x68, clock=sim)
    sampler = Sampler(MPU6050(bus), clock=sim)
    blocks = []
    for step_s in [0.1] * 100 + [4.0] + [0.1] * 20:  # a 4 s stall overflows the FIFO
        sim.t_s += step_s
        block = sampler.poll()
        if block is not None:
            blocks.append(block)
    delivered = sum(b.n for b in blocks)
    truly_lost = chip.samples_generated - delivered - len(chip.fifo) // 6
    assert sampler.overflows == 1
    first_after = next(i for i, b in enumerate(blocks) if b.lost_samples)
    assert abs(blocks[first_after].lost_samples - truly_lost) <= 2
    assert sampler.lost == blocks[first_after].lost_samples
    assert blocks[first_after].t0_s != blocks[first_after - 1].t_end_s
    assert contiguous(blocks[:first_after]) and contiguous(blocks[first_after:])
    # calibration survives the overflow
    assert abs(sampler.rate_estimate_hz / chip.true_rate_hz - 1) < 2e-3


# ------------------------------------------------------------------ real time, threads
def collect(sampler: Sampler, seconds: float) -> list[object]:
    out: list[object] = []
    lock = threading.Lock()

    def sink(item: object) -> None:
        with lock:
            out.append(item)

    sampler.start(sink)
    time.sleep(seconds)
    sampler.stop()
    assert not sampler.running
    return out


def test_watermark_interrupt_drives_the_adxl345_sampler(mock_factory, fake_i2c):
    pin = mock_factory.pin(17)
    chip, bus = fake_i2c(FakeADXL345, signal, 0x53, clock=time.monotonic, int_pin=pin)
    driver = ADXL345(bus, watermark=16)
    chip.start_ticking()
    out = collect(Sampler(driver, interrupt_pin=17, pin_factory=mock_factory), 1.2)
    chip.stop_ticking()
    blocks = [o for o in out if isinstance(o, AccelBlock)]
    assert blocks and len(blocks) == len(out)
    assert contiguous(blocks)
    assert all(b.lost_samples == 0 for b in blocks)
    # woken by the watermark line, not by a timer: every burst holds >= 16 entries
    assert all(b.n >= 16 for b in blocks)
    assert sum(b.n for b in blocks) + len(chip.fifo) == chip.samples_generated


class CountingBus:
    """The fake bus, counting transactions (what a wake-up costs on the real bus)."""

    def __init__(self, bus: FakeI2CBus) -> None:
        self._bus = bus
        self.transactions = 0
        self.pacer_path = "fake-i2c"

    def __getattr__(self, name: str):
        method = getattr(self._bus, name)

        def counted(*args):
            self.transactions += 1
            return method(*args)

        return counted


def test_watermark_sampler_reads_only_on_edges(mock_factory, fake_i2c):
    """No polled read between edges: every drain finds at least the watermark, and the
    bus sees the same few transactions per drain."""
    pin = mock_factory.pin(17)
    chip, fake_bus = fake_i2c(FakeADXL345, signal, 0x53, clock=time.monotonic, int_pin=pin)
    bus = CountingBus(fake_bus)
    driver = ADXL345(bus, watermark=25)
    setup = bus.transactions
    chip.start_ticking()
    sampler = Sampler(driver, interrupt_pin=17, pin_factory=mock_factory, poll_interval_s=0.25)
    out = collect(sampler, 1.5)
    chip.stop_ticking()
    blocks = [o for o in out if isinstance(o, AccelBlock)]
    assert len(blocks) >= 3
    assert sampler.bursts == len(blocks)  # no drain came back empty
    assert all(b.n >= 25 for b in blocks)  # none before the watermark
    per_drain = (bus.transactions - setup) / sampler.bursts
    clock = SimClock()  # what one drain of a FIFO at its watermark costs
    one = CountingBus(fake_i2c(FakeADXL345, signal, 0x53, clock=clock)[1])
    probe = ADXL345(one, watermark=25)
    clock.t_s = 0.26
    before = one.transactions
    assert probe.read_fifo().n >= 25
    assert per_drain == one.transactions - before


def test_data_ready_interrupt_drives_the_mpu6050_sampler(mock_factory, fake_i2c):
    pin = mock_factory.pin(4)
    chip, bus = fake_i2c(FakeMPU6050, signal, 0x68, clock=time.monotonic, int_pin=pin)
    driver = MPU6050(bus)
    chip.start_ticking()
    out = collect(Sampler(driver, interrupt_pin=4, pin_factory=mock_factory), 1.0)
    chip.stop_ticking()
    blocks = [o for o in out if isinstance(o, AccelBlock)]
    assert len(blocks) >= 3 and contiguous(blocks)
    samples = np.concatenate([b.samples_mps2 for b in blocks])
    assert len(samples) + len(chip.fifo) // 6 == chip.samples_generated
    # nothing lost or reordered: sample k is the signal at the chip's k-th tick
    t_true = chip.sample_origin_s + np.arange(1, len(samples) + 1) / chip.true_rate_hz
    np.testing.assert_allclose(samples, signal(t_true), atol=HALF_LSB_MPS2[MPU6050])


def test_unplugged_chip_reports_lost_then_back_and_nothing_escapes(fake_i2c):
    _, bus = fake_i2c(FakeMPU6050, signal, 0x68, clock=time.monotonic)
    sampler = Sampler(MPU6050(bus), poll_interval_s=0.05)
    out: list[object] = []
    failures = {"n": 0}

    def sink(item: object) -> None:
        out.append(item)
        if isinstance(item, AccelBlock) and failures["n"] == 0:
            failures["n"] += 1
            raise RuntimeError("a consumer bug")  # must not stop the sampler

    sampler.start(sink)
    time.sleep(0.3)
    bus.detach(0x68)
    time.sleep(0.4)
    bus.attach(0x68, FakeMPU6050(signal, clock=time.monotonic))  # replugged: asleep, reset
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline and not any(
            isinstance(o, DeviceEvent) and o.state is DeviceState.BACK for o in out):
        time.sleep(0.05)
    time.sleep(0.3)
    sampler.stop()
    events = [o for o in out if isinstance(o, DeviceEvent)]
    assert [e.state for e in events] == [DeviceState.LOST, DeviceState.BACK]
    assert "no answer at 0x68" in events[0].message and events[0].device == "accel"
    back = out.index(events[1])
    after = [o for o in out[back:] if isinstance(o, AccelBlock)]
    assert after, "sampling resumed after the chip came back"
    assert after[0].lost_samples > 0
    assert sampler.errors >= 1


def test_unusable_interrupt_gpio_degrades_to_polling(mock_factory, fake_i2c):
    _, bus = fake_i2c(FakeMPU6050, signal, 0x68, clock=time.monotonic)
    sampler = Sampler(MPU6050(bus), interrupt_pin="GPIO99",
                      pin_factory=mock_factory, poll_interval_s=0.05)
    out = collect(sampler, 0.4)
    assert isinstance(out[0], DeviceEvent) and out[0].state is DeviceState.ERROR
    assert "interrupt GPIO GPIO99 unusable" in out[0].message
    assert "polling instead" in out[0].message
    blocks = [o for o in out if isinstance(o, AccelBlock)]
    assert len(blocks) >= 2 and contiguous(blocks)


# ------------------------------------------------------------------ properties (hypothesis)
def smooth_signal(t_s: np.ndarray) -> np.ndarray:
    t = np.asarray(t_s, dtype=np.float64)
    return np.stack([15 * np.sin(7.0 * t), 4 * np.cos(3.0 * t), G_MPS2 + 0 * t], axis=1)


#: per chip: fake, driver, address, half a count (m/s^2), longest poll gap the FIFO holds (s)
CHIP_LIMITS = {
    "mpu6050": (FakeMPU6050, MPU6050, 0x68, 0.5 * G_MPS2 / 4096, 1.6),  # FIFO holds 1.66 s
    "adxl345": (FakeADXL345, ADXL345, 0x53, 0.5 * G_MPS2 / 256, 0.31),  # 32 entries, 0.33 s
}


@settings(max_examples=20, deadline=None)
@given(chip=st.sampled_from(sorted(CHIP_LIMITS)), rate_error=st.floats(-0.04, 0.04),
       data=st.data())
def test_no_sample_lost_or_repeated_while_drained_in_time(chip, rate_error, data):
    chip_cls, driver_cls, address, half_lsb, max_gap_s = CHIP_LIMITS[chip]
    # "in time" at the chip's true rate: a chip 4 % fast fills its FIFO 4 % sooner
    in_time_s = max_gap_s / (1.0 + max(rate_error, 0.0)) * 0.99
    gaps = data.draw(st.lists(st.floats(0.0, in_time_s), min_size=1, max_size=40))
    clock = SimClock()
    fake = chip_cls(smooth_signal, clock=clock, rate_error=rate_error)
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
    np.testing.assert_allclose(got, smooth_signal(fake.sample_origin_s + index / fake.true_rate_hz),
                               atol=half_lsb + 1e-9)


@settings(max_examples=15, deadline=None)
@given(chip=st.sampled_from(sorted(CHIP_LIMITS)), data=st.data())
def test_losses_are_counted_after_stalls(chip, data):
    chip_cls, driver_cls, address, _, max_gap_s = CHIP_LIMITS[chip]
    # 10 s of regular polls calibrate the rate (< 0.1 %, see above), then an
    # arbitrary schedule with stalls longer than the FIFO holds
    gaps = [0.1] * 100 + data.draw(st.lists(
        st.one_of(st.floats(0.05, 0.15), st.floats(2.0, 6.0)), min_size=5, max_size=30))
    clock = SimClock()
    fake = chip_cls(smooth_signal, clock=clock)
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
