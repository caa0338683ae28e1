"""``pacer doctor``'s accelerometer checks: the I2C bus, the chip's identity, its FIFO
filling at rest (about 1 g) and its interrupt pin; or the ADXL335 behind an MCP3008.

Each returns :class:`pacer.tools.doctor.Check` with the fix in one line;
:func:`pacer.tools.doctor.run_checks` runs them in order.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from pacer.config import Config
from pacer.errors import DeviceError, DeviceNotFound, DevicePermission, WrongChip
from pacer.tools.doctor import Check, Probes, Status

if TYPE_CHECKING:
    from pacer.hw.accel import AccelDriver
    from pacer.hw.i2c import I2CBus

FIFO_CHECK_S = 0.3  # how long the accelerometer FIFO fills before it is read
STILL_MPS2 = (8.3, 11.3)  # |mean acceleration| of a unit lying still: 1 g, give or take


def check_accelerometer(config: Config, probes: Probes) -> list[Check]:
    chip = config.accel.chip
    if chip == "none":
        return [Check("accelerometer", Status.WARN, "none configured",
                      "cadence comes from the accelerometer: set [accel] chip")]
    if chip == "adxl335":
        return [_check_adxl335(config, probes)]
    bus, bus_check = _open_bus(config, probes)
    out = [bus_check]
    if bus is None:
        return out
    try:
        from pacer.hw.probe import open_accelerometer

        driver = open_accelerometer(chip, bus=bus, address=config.accel.address,
                                    rate_hz=config.accel.rate_hz)
    except WrongChip as exc:
        out.append(Check(f"accelerometer ({chip})", Status.FAIL, str(exc),
                         "another chip answers at that address: set [accel] chip to the part "
                         "you have, or fit an MPU-6050 / ADXL345 (`i2cdetect -y 1` lists what "
                         "answers)"))
        return out
    except DeviceError as exc:
        out.append(Check(f"accelerometer ({chip})", Status.FAIL, str(exc),
                         "check SDA/SCL/3V3/GND wiring and the address pin (AD0 / SDO); "
                         "`i2cdetect -y 1` lists what answers"))
        return out
    out.append(Check(f"accelerometer ({chip})", Status.OK, f"{driver.name} answers, "
                     f"{driver.nominal_rate_hz:g} Hz"))
    out.append(_check_fifo(driver))
    out.append(check_interrupt_pin(config, probes, driver))
    return out


def _check_adxl335(config: Config, probes: Probes) -> Check:
    """The analogue ADXL335 read once through its MCP3008 (m/s^2 per axis)."""
    try:
        from pacer.wiring.live import open_configured_accelerometer

        driver = open_configured_accelerometer(config, probes.pin_factory)
        xyz = driver.read_sample_mps2() if hasattr(driver, "read_sample_mps2") else None
        return Check("accelerometer", Status.OK, f"ADXL335 via MCP3008 {xyz}")
    except Exception as exc:  # broad catch on purpose: report any failure
        return Check("accelerometer", Status.FAIL, f"ADXL335 via MCP3008: {exc}",
                     "enable SPI (dtparam=spi=on) and check the MCP3008 wiring")


def _open_bus(config: Config, probes: Probes) -> tuple[I2CBus | None, Check]:
    """The configured I2C bus (None when it cannot be opened) and the check saying so."""
    try:
        if probes.open_i2c is not None:
            bus = probes.open_i2c(config.accel.i2c_bus)
        else:
            from pacer.hw.i2c import open_i2c_bus

            bus = open_i2c_bus(config.accel.i2c_bus)
    except DeviceNotFound as exc:
        return None, Check("I2C bus", Status.FAIL, str(exc),
                           "dtparam=i2c_arm=on and dtparam=i2c_arm_baudrate=400000 in "
                           "/boot/firmware/config.txt, then reboot")
    except DevicePermission as exc:
        return None, Check("I2C bus", Status.FAIL, str(exc), "sudo adduser $USER i2c")
    except DeviceError as exc:
        return None, Check("I2C bus", Status.FAIL, str(exc))
    return bus, Check("I2C bus", Status.OK, f"/dev/i2c-{config.accel.i2c_bus} open")


def _check_fifo(driver: AccelDriver) -> Check:
    """The FIFO after FIFO_CHECK_S seconds: samples arrive, and read about 1 g at rest."""
    time.sleep(FIFO_CHECK_S)
    read = driver.read_fifo()
    if read.n == 0:
        return Check("accelerometer FIFO", Status.FAIL, f"no samples after {FIFO_CHECK_S:g} s",
                     "the chip is not measuring: power-cycle it")
    import numpy as np

    g_mps2 = float(np.linalg.norm(driver.to_mps2(read.counts).mean(axis=0)))
    status = Status.OK if STILL_MPS2[0] < g_mps2 < STILL_MPS2[1] else Status.WARN
    return Check("accelerometer FIFO", status,
                 f"{read.n} samples in {FIFO_CHECK_S:g} s, |g| = {g_mps2:.2f} m/s^2",
                 "" if status == Status.OK else "keep the unit still for this check")


def check_interrupt_pin(config: Config, probes: Probes, driver: AccelDriver) -> Check:
    pin = config.accel.int_pin
    if pin is None:
        return Check("accelerometer interrupt", Status.WARN, "not wired: polling",
                      "wire INT to a GPIO and set [accel] int_pin for lower CPU use")
    try:
        from gpiozero import DigitalInputDevice

        dev = DigitalInputDevice(pin, pull_up=None, active_state=True,
                                 pin_factory=probes.pin_factory)
    except Exception as exc:  # broad catch on purpose: doctor reports any failure, never raises
        return Check("accelerometer interrupt", Status.FAIL, f"GPIO{pin}: {exc}",
                     "add the user to gpio; on Bookworm install python3-lgpio")
    # the line is active while samples wait (data ready, or a FIFO watermark): drained
    # it falls; it must rise again once the next sample (or watermark's worth) is in
    samples_per_edge = getattr(driver, "watermark", 1)
    wait_s = max(1.0, 3.0 * samples_per_edge / driver.nominal_rate_hz)
    try:
        driver.read_fifo()
        seen: set[bool] = set()
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and len(seen) < 2:
            active = bool(dev.value)
            seen.add(active)
            if active:
                driver.read_fifo()  # clears it: it must fall again
            time.sleep(0.002)
        if len(seen) < 2:
            return Check("accelerometer interrupt", Status.FAIL,
                         f"GPIO{pin} never changed in {wait_s:g} s",
                         "check the INT wire and [accel] int_pin (BCM numbering)")
        return Check("accelerometer interrupt", Status.OK, f"GPIO{pin} toggles")
    finally:
        dev.close()
