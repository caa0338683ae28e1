"""MPU-6050 and ADXL345 drivers against the register-level fakes on a fake I2C bus."""

from __future__ import annotations

import errno

import numpy as np
import pytest

from pacer.errors import ChipNotAnswering, DeviceError, DeviceNotFound, DevicePermission, WrongChip
from pacer.hw import adxl345 as adxl_reg
from pacer.hw import mpu6050 as mpu_reg
from pacer.hw.adxl345 import ADXL345
from pacer.hw.fakes import FakeADXL345, FakeI2CBus, FakeMPU6050
from pacer.hw.i2c import open_i2c_bus
from pacer.hw.mpu6050 import MPU6050
from pacer.units import G_MPS2


class SimClock:
    def __init__(self, t_s: float = 0.0) -> None:
        self.t_s = t_s

    def __call__(self) -> float:
        return self.t_s


def gait_like(t_s: np.ndarray) -> np.ndarray:
    """A smooth 3-axis signal within +/-4 g with a distinct value at every sample."""
    t = np.asarray(t_s, dtype=np.float64)
    return np.stack([
        25.0 * np.sin(2 * np.pi * 2.9 * t),
        6.0 * np.cos(2 * np.pi * 1.45 * t) - 3.0,
        G_MPS2 + 14.0 * np.sin(2 * np.pi * 2.9 * t + 0.7),
    ], axis=1)


@pytest.fixture
def make(fake_i2c):
    """``make(chip_cls, driver_cls, address, **driver_kwargs) -> (clock, chip, bus,
    driver)``: a fake chip on a fake bus at a simulated time, and its driver."""

    def build(chip_cls, driver_cls, address, **driver_kwargs):
        clock = SimClock(0.0)
        chip, bus = fake_i2c(chip_cls, gait_like, address, clock=clock)
        return clock, chip, bus, driver_cls(bus, **driver_kwargs)

    return build


# ------------------------------------------------------------------ errors
def test_open_missing_bus_says_how_to_enable_i2c():
    with pytest.raises(DeviceNotFound) as info:
        open_i2c_bus(250)  # no such adapter on any machine
    message = str(info.value)
    assert message.startswith("no /dev/i2c-250: enable I2C")
    assert "raspi-config nonint do_i2c 0" in message and "\n" not in message


def test_open_bus_permission_names_the_group(monkeypatch):
    import smbus2

    def refuse(bus):
        raise PermissionError(errno.EACCES, "Permission denied", f"/dev/i2c-{bus}")

    monkeypatch.setattr(smbus2, "SMBus", refuse)
    with pytest.raises(DevicePermission, match="i2c group") as info:
        open_i2c_bus(1)
    assert "/dev/i2c-1" in str(info.value)
    assert isinstance(info.value, PermissionError)


@pytest.mark.parametrize("driver_cls, address", [(MPU6050, 0x68), (ADXL345, 0x53)])
def test_no_chip_at_address_is_one_line_wiring_hint(driver_cls, address):
    bus = FakeI2CBus({}, name="/dev/i2c-1")
    with pytest.raises(ChipNotAnswering) as info:
        driver_cls(bus, address)
    assert str(info.value) == (
        f"no answer at 0x{address:02x} on /dev/i2c-1: check wiring and the AD0 address pin")
    assert isinstance(info.value, OSError)


def test_wrong_identity_names_found_and_expected():
    chip = FakeMPU6050(gait_like, clock=SimClock(), who_am_i=0x70)
    with pytest.raises(WrongChip) as info:
        MPU6050(FakeI2CBus({0x68: chip}))
    message = str(info.value)
    assert "reads 0x70, expected 0x68" in message and "MPU-6500" in message

    adxl = FakeADXL345(gait_like, clock=SimClock(), devid=0x00)
    with pytest.raises(WrongChip, match="reads 0x00, expected 0xe5"):
        ADXL345(FakeI2CBus({0x53: adxl}))


def test_mpu6050_at_adxl_address_is_wrong_chip():
    chip = FakeMPU6050(gait_like, clock=SimClock())
    with pytest.raises(WrongChip):
        ADXL345(FakeI2CBus({0x53: chip}), 0x53)


def test_other_bus_errors_become_device_errors():
    class BrokenBus(FakeI2CBus):
        def read_byte_data(self, i2c_addr, register, force=None):
            raise OSError(errno.ETIMEDOUT, "Connection timed out")

    with pytest.raises(DeviceError, match="I2C error at 0x68 on fake-i2c-1: Connection timed out"):
        MPU6050(BrokenBus({}))


@pytest.mark.parametrize("kwargs", [{"range_g": 3}, {"rate_hz": 300.0}])
def test_unsupported_mpu_settings_are_value_errors(make, kwargs):
    with pytest.raises(ValueError, match="MPU-6050"):
        make(FakeMPU6050, MPU6050, 0x68, **kwargs)


@pytest.mark.parametrize("kwargs", [{"range_g": 3}, {"rate_hz": 120.0}, {"watermark": 32}])
def test_unsupported_adxl_settings_are_value_errors(make, kwargs):
    with pytest.raises(ValueError, match="ADXL345"):
        make(FakeADXL345, ADXL345, 0x53, **kwargs)


# ------------------------------------------------------------------ setup read back
@pytest.mark.parametrize("range_g, afs_sel", [(2, 0), (4, 1), (8, 2), (16, 3)])
@pytest.mark.parametrize("rate_hz, divider", [(100.0, 9), (200.0, 4), (50.0, 19)])
def test_mpu6050_setup_in_registers(make, range_g, afs_sel, rate_hz, divider):
    _, chip, _, driver = make(FakeMPU6050, MPU6050, 0x68, range_g=range_g, rate_hz=rate_hz)
    assert chip.regs[mpu_reg.ACCEL_CONFIG] >> 3 & 0x3 == afs_sel
    assert chip.regs[mpu_reg.SMPLRT_DIV] == divider
    assert 1 <= chip.regs[mpu_reg.CONFIG] & 0x7 <= 6  # DLPF on: 1 kHz base
    assert chip.regs[mpu_reg.CONFIG] & 0x7 == driver.dlpf
    assert driver.dlpf.bandwidth_hz < rate_hz / 2
    assert chip.regs[mpu_reg.PWR_MGMT_1] == 0x01  # awake, PLL clock
    assert chip.regs[mpu_reg.FIFO_EN] == mpu_reg.ACCEL_FIFO_EN
    assert chip.regs[mpu_reg.USER_CTRL] & mpu_reg.USER_FIFO_EN
    assert chip.true_rate_hz == pytest.approx(rate_hz * 1.023)
    assert driver.nominal_rate_hz == rate_hz


@pytest.mark.parametrize("range_g, code", [(2, 0), (4, 1), (8, 2), (16, 3)])
@pytest.mark.parametrize("rate_hz, rate_code", [(100.0, 0x0A), (200.0, 0x0B), (50.0, 0x09)])
def test_adxl345_setup_in_registers(make, range_g, code, rate_hz, rate_code):
    _, chip, _, driver = make(FakeADXL345, ADXL345, 0x53, range_g=range_g, rate_hz=rate_hz)
    assert chip.regs[adxl_reg.DATA_FORMAT] == adxl_reg.FORMAT_FULL_RES | code
    assert chip.regs[adxl_reg.BW_RATE] == rate_code
    assert chip.regs[adxl_reg.FIFO_CTL] == adxl_reg.FIFO_MODE_STREAM | driver.watermark
    assert chip.regs[adxl_reg.POWER_CTL] == adxl_reg.POWER_MEASURE
    assert chip.regs[adxl_reg.INT_ENABLE] == adxl_reg.INT_WATERMARK
    assert chip.true_rate_hz == pytest.approx(rate_hz * (1 - 0.031))


# ------------------------------------------------------------------ burst reads
@pytest.mark.parametrize("chip_cls, driver_cls, address, range_g, lsb_per_g", [
    (FakeMPU6050, MPU6050, 0x68, 8, 4096.0),
    (FakeMPU6050, MPU6050, 0x68, 16, 2048.0),
    (FakeADXL345, ADXL345, 0x53, 16, 256.0),
    (FakeADXL345, ADXL345, 0x53, 8, 256.0),
])
def test_burst_reads_return_the_signal_within_quantisation(
        make, chip_cls, driver_cls, address, range_g, lsb_per_g):
    clock, chip, _, driver = make(chip_cls, driver_cls, address, range_g=range_g)
    got = []
    for k in range(1, 21):  # 20 drains, 0.25 s apart (the ADXL345 FIFO holds 0.33 s)
        clock.t_s = 0.25 * k
        read = driver.read_fifo()
        assert not read.overflowed
        got.append(driver.to_mps2(read.counts))
    samples = np.concatenate(got)
    n_expected = int(np.floor(5.0 * chip.true_rate_hz))
    assert samples.shape == (n_expected, 3)
    assert samples.dtype == np.float64
    t_true = np.arange(1, n_expected + 1) / chip.true_rate_hz
    lsb_mps2 = G_MPS2 / lsb_per_g
    np.testing.assert_allclose(samples, gait_like(t_true), rtol=0, atol=0.5 * lsb_mps2 + 1e-9)


def test_mpu6050_burst_crosses_32_byte_block_limit(make):
    clock, chip, bus, driver = make(FakeMPU6050, MPU6050, 0x68)
    clock.t_s = 1.5  # ~153 samples = 918 bytes, far beyond one SMBus block
    before = bus.transfers
    read = driver.read_fifo()
    assert read.n == int(1.5 * chip.true_rate_hz)
    assert bus.transfers - before >= read.n * 6 // 32  # really chunked
    assert len(chip.fifo) < 6  # drained (a sample may land meanwhile on a live clock)


def test_adxl345_saturates_at_range_like_the_chip():
    clock = SimClock()
    chip = FakeADXL345(lambda t: np.tile([30.0, -30.0, 0.0], (len(t), 1)), clock=clock)
    driver = ADXL345(FakeI2CBus({0x53: chip}), range_g=2)
    clock.t_s = 0.1
    counts = driver.read_fifo().counts
    assert counts[:, 0].max() == 511 and counts[:, 1].min() == -512  # 10 bits at 2 g


# ------------------------------------------------------------------ overflow
def test_mpu6050_overflow_detected_then_recovered(make):
    clock, chip, _, driver = make(FakeMPU6050, MPU6050, 0x68)
    clock.t_s = 0.5
    assert driver.read_fifo().n > 0
    clock.t_s = 3.5  # 3 s undrained: 307 samples into a 170-sample FIFO
    read = driver.read_fifo()
    assert read.overflowed and read.n == 0
    assert read.lost_samples >= 170
    assert len(chip.fifo) == 0  # reset: misaligned bytes discarded
    clock.t_s = 4.0
    after = driver.read_fifo()
    assert not after.overflowed
    assert after.n == int(4.0 * chip.true_rate_hz) - int(3.5 * chip.true_rate_hz)
    # the stream is aligned again: values match the signal at their true times
    first_index = int(3.5 * chip.true_rate_hz) + 1
    t_true = np.arange(first_index, first_index + after.n) / chip.true_rate_hz
    np.testing.assert_allclose(driver.to_mps2(after.counts), gait_like(t_true),
                               atol=0.5 * G_MPS2 / 4096 + 1e-9)


def test_adxl345_overrun_keeps_newest_whole_entries(make):
    clock, chip, _, driver = make(FakeADXL345, ADXL345, 0x53)
    clock.t_s = 1.0  # 96 samples into 32 entries
    read = driver.read_fifo()
    assert read.overflowed and read.lost_samples >= 1
    assert read.n == adxl_reg.FIFO_DEPTH
    last = int(1.0 * chip.true_rate_hz)
    t_true = np.arange(last - 31, last + 1) / chip.true_rate_hz
    np.testing.assert_allclose(driver.to_mps2(read.counts), gait_like(t_true),
                               atol=0.5 * G_MPS2 / 256 + 1e-9)
    clock.t_s = 1.2
    assert not driver.read_fifo().overflowed  # flag cleared by reading the data


def test_reconfigure_after_power_cycle(make):
    clock, _chip, bus, driver = make(FakeMPU6050, MPU6050, 0x68)
    replug = FakeMPU6050(gait_like, clock=clock)  # comes back asleep, reset values
    bus.detach(0x68)
    with pytest.raises(ChipNotAnswering):
        driver.read_fifo()
    bus.attach(0x68, replug)
    clock.t_s = 0.3
    assert driver.read_fifo().n == 0  # asleep: nothing sampled
    driver.configure()
    clock.t_s = 0.6
    assert driver.read_fifo().n == int(0.3 * replug.true_rate_hz)


# ------------------------------------------------------------------ probing and opening
def test_detect_names_what_answers():
    from pacer.hw.probe import detect_accelerometers

    clock = SimClock()
    bus = FakeI2CBus({0x69: FakeMPU6050(gait_like, clock=clock),
                      0x68: FakeMPU6050(gait_like, clock=clock, who_am_i=0x71),
                      0x53: FakeADXL345(gait_like, clock=clock)})
    found = {(d.address, d.chip, d.supported) for d in detect_accelerometers(bus)}
    assert found == {(0x68, "MPU-9250", False), (0x69, "MPU-6050", True),
                     (0x53, "ADXL345", True)}
    assert detect_accelerometers(FakeI2CBus({})) == []


def test_open_accelerometer_by_config_name():
    from pacer.hw.probe import open_accelerometer

    clock = SimClock()
    bus = FakeI2CBus({0x53: FakeADXL345(gait_like, clock=clock)})
    driver = open_accelerometer("ADXL345", bus=bus, rate_hz=200.0)
    assert isinstance(driver, ADXL345) and driver.nominal_rate_hz == 200.0
    assert driver.range_g == 16
    with pytest.raises(ValueError, match="choose one of mpu6050, adxl345, adxl335"):
        open_accelerometer("lis3dh", bus=bus)
    with pytest.raises(ChipNotAnswering):
        open_accelerometer("mpu6050", bus=bus)


# ------------------------------------------------------------------ the fakes obey their registers
def test_fake_mpu6050_follows_its_registers():
    """A driver that skipped a setup step would see exactly this."""
    clock = SimClock()
    chip = FakeMPU6050(gait_like, clock=clock, rate_error=0.0)
    bus = FakeI2CBus({0x68: chip})
    assert chip.true_rate_hz == 0.0  # power-on: asleep
    bus.write_byte_data(0x68, mpu_reg.PWR_MGMT_1, 0x01)
    bus.write_byte_data(0x68, mpu_reg.SMPLRT_DIV, 9)
    assert chip.true_rate_hz == 800.0  # DLPF off: 8 kHz base
    bus.write_byte_data(0x68, mpu_reg.CONFIG, 3)
    assert chip.true_rate_hz == 100.0
    clock.t_s = 0.5
    assert bus.read_i2c_block_data(0x68, mpu_reg.FIFO_COUNT_H, 2) == [0, 0]  # FIFO off
    assert bus.read_byte_data(0x68, mpu_reg.INT_STATUS) & mpu_reg.DATA_RDY_INT
    bus.write_byte_data(0x68, mpu_reg.FIFO_EN, mpu_reg.ACCEL_FIFO_EN)
    bus.write_byte_data(0x68, mpu_reg.USER_CTRL, mpu_reg.USER_FIFO_EN)
    clock.t_s = 0.6
    high, low = bus.read_i2c_block_data(0x68, mpu_reg.FIFO_COUNT_H, 2)
    assert (high << 8 | low) == 10 * 6
    bus.write_byte_data(0x68, mpu_reg.USER_CTRL, mpu_reg.USER_FIFO_EN | mpu_reg.USER_FIFO_RESET)
    assert bus.read_i2c_block_data(0x68, mpu_reg.FIFO_COUNT_H, 2) == [0, 0]
    assert not bus.read_byte_data(0x68, mpu_reg.USER_CTRL) & mpu_reg.USER_FIFO_RESET


def test_fake_adxl345_pops_one_entry_per_data_read():
    clock = SimClock()
    chip = FakeADXL345(gait_like, clock=clock, rate_error=0.0)
    bus = FakeI2CBus({0x53: chip})
    for register, value in ((adxl_reg.FIFO_CTL, adxl_reg.FIFO_MODE_STREAM | 8),
                            (adxl_reg.DATA_FORMAT, adxl_reg.FORMAT_FULL_RES | 3),
                            (adxl_reg.POWER_CTL, adxl_reg.POWER_MEASURE)):
        bus.write_byte_data(0x53, register, value)
    clock.t_s = 0.1  # 10 samples at 100 Hz
    assert bus.read_byte_data(0x53, adxl_reg.FIFO_STATUS) == 10
    assert bus.read_byte_data(0x53, adxl_reg.INT_SOURCE) & adxl_reg.INT_WATERMARK
    bus.read_i2c_block_data(0x53, adxl_reg.DATAX0, 6)
    assert bus.read_byte_data(0x53, adxl_reg.FIFO_STATUS) == 9
    # byte-wise reads of the data registers pop an entry each (a classic driver bug)
    for offset in range(6):
        bus.read_byte_data(0x53, adxl_reg.DATAX0 + offset)
    assert bus.read_byte_data(0x53, adxl_reg.FIFO_STATUS) == 3
