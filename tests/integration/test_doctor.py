"""The doctor's checks against the fakes, healthy and deliberately broken, and
`pacer doctor` on this machine and with `--fake-hardware`."""

from __future__ import annotations

import inspect

import pytest
from helpers.doctor_faults import FAULTS, BrokenHardware

from pacer.cli.main import main
from pacer.config import Config, load_config
from pacer.tools.doctor import LISTEN_S, Status, check_nmea, fake_setup, report, run_checks

#: the receiver sends 5 epochs a second: half a second hears a few, without the wait of
#: the product's LISTEN_S
SHORT_LISTEN_S = 0.5


def _doctor(fake_hardware, config: Config, fault: str | None = None) -> tuple[int, str]:
    """The doctor's checks on the fake hardware (broken by ``fault``), as ``pacer doctor
    --fake-hardware --no-sound`` would run them but listening only SHORT_LISTEN_S: the
    exit status and the report."""
    config, probes = fake_setup(config, fake_hardware(config, fault))
    probes.audio_test = False
    checks = run_checks(config, probes, listen_s=SHORT_LISTEN_S)
    return (1 if any(c.status == Status.FAIL for c in checks) else 0), report(checks)


def test_the_product_listens_three_seconds_unless_told() -> None:
    assert LISTEN_S == 3.0
    for check in (run_checks, check_nmea):
        assert inspect.signature(check).parameters["listen_s"].default == LISTEN_S


def test_healthy_fake_hardware_passes(fake_hardware) -> None:
    rc, out = _doctor(fake_hardware, Config())
    assert rc == 0, out
    for name in ("NMEA", "GPS fix", "I2C bus", "accelerometer (mpu6050)",
                 "accelerometer interrupt", "GPIO pins", "speech (espeak)", "free disk"):
        assert f"[ok  ] {name}" in out
    assert "0 problems" in out


@pytest.mark.parametrize(
    ("fault", "failing", "fix"),
    [
        ("no-chip", "accelerometer (mpu6050): no answer at 0x68", "address pin"),
        ("wrong-chip", "accelerometer (mpu6050)", "set [accel] chip"),
        ("silent-gps", "NMEA: nothing arrived", "wiring"),
        ("garbage-gps", "NMEA: bytes arrive at 9600 baud but no NMEA lines", "wrong baud rate"),
    ],
)
def test_broken_setups_fail_with_their_fix(fake_hardware, fault: str, failing: str,
                                           fix: str) -> None:
    rc, out = _doctor(fake_hardware, Config(), fault)
    assert rc == 1
    fail_lines = [ln for ln in out.splitlines() if ln.startswith("[FAIL]")]
    assert any(failing in ln for ln in fail_lines), out
    lines = out.splitlines()
    idx = next(i for i, ln in enumerate(lines) if ln.startswith("[FAIL]") and failing in ln)
    assert fix in out.splitlines()[idx + 1]


def test_every_fault_is_tested_and_an_unknown_one_is_refused() -> None:
    assert set(FAULTS) == {"no-chip", "wrong-chip", "silent-gps", "garbage-gps"}
    with pytest.raises(ValueError, match="choose one of no-chip, wrong-chip"):
        BrokenHardware(Config(), fault="melted")


def test_missing_devices_on_this_machine(capsys, tmp_path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[gps]\nport = "/dev/ttyNOPE9"\n[accel]\ni2c_bus = 97\n')
    rc = main(["doctor", "--config", str(cfg), "--no-sound"])
    out = capsys.readouterr().out
    assert rc == 1
    assert "[FAIL] GPS serial port /dev/ttyNOPE9: missing" in out
    assert "no /dev/i2c-97" in out


@pytest.mark.parametrize(("fault", "failing"), [
    (None, None),
    ("no-chip", "accelerometer (adxl345): no answer at 0x53"),
    ("wrong-chip", "accelerometer (adxl345)"),
])
def test_fake_adxl345_healthy_and_broken(fake_hardware, tmp_path, fault, failing) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[accel]\nchip = "adxl345"\n')
    rc, out = _doctor(fake_hardware, load_config(cfg, search_defaults=False), fault)
    if fault is None:
        assert rc == 0, out
        assert "[ok  ] accelerometer (adxl345): ADXL345 at 0x53" in out
        assert "[ok  ] accelerometer interrupt: GPIO17 toggles" in out
    else:
        assert rc == 1
        assert any(ln.startswith("[FAIL]") and failing in ln for ln in out.splitlines()), out


@pytest.mark.slow
def test_pacer_doctor_fake_hardware_listens_the_full_time(capsys) -> None:
    """The user's `pacer doctor --fake-hardware`: the healthy fakes, the product's listen
    time, the printed report and exit status."""
    rc = main(["doctor", "--fake-hardware", "--no-sound"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert f"valid sentences in {LISTEN_S:g} s" in out
    assert "[ok  ] accelerometer (mpu6050)" in out
    assert "0 problems" in out
