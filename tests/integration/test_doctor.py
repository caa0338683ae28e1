"""`pacer doctor` against the fakes, healthy and deliberately broken."""

from __future__ import annotations

import pytest

from pacer.cli.main import main


def _doctor(capsys, *extra: str) -> tuple[int, str]:
    rc = main(["doctor", "--fake-hardware", "--no-sound", *extra])
    return rc, capsys.readouterr().out


def test_healthy_fake_hardware_passes(capsys) -> None:
    rc, out = _doctor(capsys)
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
def test_broken_setups_fail_with_their_fix(capsys, fault: str, failing: str, fix: str) -> None:
    rc, out = _doctor(capsys, "--break", fault)
    assert rc == 1
    fail_lines = [ln for ln in out.splitlines() if ln.startswith("[FAIL]")]
    assert any(failing in ln for ln in fail_lines), out
    lines = out.splitlines()
    idx = next(i for i, ln in enumerate(lines) if ln.startswith("[FAIL]") and failing in ln)
    assert fix in out.splitlines()[idx + 1]


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
def test_fake_adxl345_healthy_and_broken(capsys, tmp_path, fault, failing) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[accel]\nchip = "adxl345"\n')
    rc, out = _doctor(capsys, "--config", str(cfg), *(("--break", fault) if fault else ()))
    if fault is None:
        assert rc == 0, out
        assert "[ok  ] accelerometer (adxl345): ADXL345 at 0x53" in out
        assert "[ok  ] accelerometer interrupt: GPIO17 toggles" in out
    else:
        assert rc == 1
        assert any(ln.startswith("[FAIL]") and failing in ln for ln in out.splitlines()), out
