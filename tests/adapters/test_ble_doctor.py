"""``pacer doctor``'s Bluetooth checks against the fake bluetoothd."""

from __future__ import annotations

import threading

import pytest

from pacer.ble.doctor_checks import check_adapter, check_footpod, check_paired_strap
from pacer.ble.pairing import PairedStrap, remember_strap
from pacer.tools.doctor import Status

STRAP = "C0:FF:EE:00:18:0D"


@pytest.fixture(autouse=True)
def _config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def test_adapter_present_and_powered(fake_bluez) -> None:
    ok = check_adapter("hci0")
    assert ok.status is Status.OK and "powered" in ok.detail
    missing = check_adapter("hci3")
    assert missing.status is Status.FAIL and "bluetoothctl list" in missing.fix


def test_no_bluetoothd_is_a_problem_with_its_fix(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path}/nobody-here")
    check = check_adapter("hci0")
    assert check.status is Status.FAIL and "systemctl enable --now bluetooth" in check.fix


def test_paired_strap_reads_one_value(fake_bluez) -> None:
    assert check_paired_strap(listen_s=2.0).status is Status.WARN      # none paired
    fake_bluez.add_strap(STRAP, "HRM-Pro")
    remember_strap(PairedStrap(STRAP, "HRM-Pro"))
    done = threading.Event()

    def beat() -> None:
        while not done.wait(0.1):
            fake_bluez_notify(bytes([0x00, 64]))

    fake_bluez_notify = _notifier(fake_bluez)
    thread = threading.Thread(target=beat)
    thread.start()
    try:
        check = check_paired_strap(listen_s=10.0)
    finally:
        done.set()
        thread.join()
    assert check.status is Status.OK and check.detail == f"{STRAP} HRM-Pro: 64 bpm"


def test_paired_strap_that_stays_silent(fake_bluez) -> None:
    remember_strap(PairedStrap(STRAP))
    check = check_paired_strap(listen_s=1.5)
    assert check.status is Status.FAIL and "wet electrodes" in check.fix


def test_footpod_registers(fake_bluez) -> None:
    assert check_footpod("hci0").status is Status.OK
    failed = check_footpod("hci5")
    assert failed.status is Status.FAIL and "hci5" in failed.detail


def _notifier(fake):
    # the fake's D-Bus connection is not shared across threads: one of our own
    import dbus

    conn = dbus.bus.BusConnection(fake.bus_address)
    mock = dbus.Interface(conn.get_object("org.bluez", "/"), "org.bluez.Mock")
    return lambda payload: mock.NotifyValue(STRAP, dbus.ByteArray(payload))
