"""``pacer sensors scan|pair`` against the fake bluetoothd, and the remembered strap."""

from __future__ import annotations

import pytest

from pacer.ble.pairing import PairedStrap, remember_strap, remembered_strap, sensors_path
from pacer.cli.main import main
from pacer.errors import ConfigError

STRAP = "C0:FF:EE:00:18:0D"


@pytest.fixture(autouse=True)
def _config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def test_scan_prints_the_straps(fake_bluez, capsys) -> None:
    fake_bluez.add_strap(STRAP, "Polar H10 1234")
    assert main(["sensors", "scan", "--timeout", "1"]) == 0
    out = capsys.readouterr().out
    assert STRAP in out and "Polar H10 1234" in out


def test_scan_with_nothing_in_range_says_what_to_do(fake_bluez, capsys) -> None:
    assert main(["sensors", "scan", "--timeout", "0.5"]) == 1
    assert "no heart-rate strap seen" in capsys.readouterr().out


def test_pair_takes_the_strongest_and_remembers_it(fake_bluez, capsys) -> None:
    fake_bluez.add_strap(STRAP, "HRM-Pro")
    assert main(["sensors", "pair", "--timeout", "1"]) == 0
    assert remembered_strap() == PairedStrap(STRAP, "HRM-Pro")
    assert str(sensors_path()) in capsys.readouterr().out


def test_pair_an_address_without_scanning(capsys) -> None:
    assert main(["sensors", "pair", "c0-ff-ee-00-18-0d"]) == 0
    assert remembered_strap() == PairedStrap(STRAP, "")
    assert main(["sensors", "pair", "not-an-address"]) == 1
    assert "is not a Bluetooth address" in capsys.readouterr().err


def test_remembered_strap_file_errors(tmp_path) -> None:
    path = tmp_path / "sensors.toml"
    assert remembered_strap(path) is None
    remember_strap(PairedStrap(STRAP, 'strap "A"'), path)
    assert remembered_strap(path) == PairedStrap(STRAP, 'strap "A"')
    path.write_text('[heart_rate]\naddress = "nope"\n')
    with pytest.raises(ConfigError, match="sensors.toml"):
        remembered_strap(path)
    path.write_text("[heart_rate\n")
    with pytest.raises(ConfigError, match="sensors.toml"):
        remembered_strap(path)
