"""A private D-Bus with a fake bluetoothd on it (python-dbusmock + fake_bluez_template.py).

:func:`start_fake_bluez` starts ``dbus-daemon --session`` on a socket in a temp dir,
points ``DBUS_SYSTEM_BUS_ADDRESS`` at it (bleak's BlueZ backend and pacer's footpod use
the system bus), starts the dbusmock process with the template and adds adapter
``hci0``; conftest's ``fake_bluez`` fixture hands it to a test. Without dbus-daemon or
dbus-python the tests skip and say which package is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

TEMPLATE = Path(__file__).with_name("fake_bluez_template.py")
MOCK_IFACE = "org.bluez.Mock"


def _uuid(uuid16: int) -> str:
    return f"0000{uuid16:04x}-0000-1000-8000-00805f9b34fb"


class FakeBluez:
    """The test's handle on the fake bluetoothd (calls go over the private bus)."""

    def __init__(self, address: str, proc: subprocess.Popen[bytes]) -> None:
        import dbus

        self.bus_address = address
        self.process = proc
        self.connection = dbus.bus.BusConnection(address)
        self.root = self.connection.get_object("org.bluez", "/")
        self.mock = dbus.Interface(self.root, MOCK_IFACE)

    def add_adapter(self, name: str = "hci0") -> str:
        return str(self.mock.AddAdapter(name, "pacer-test"))

    def add_strap(self, address: str, name: str = "HRM-Dual:123", adapter: str = "hci0") -> str:
        """A heart-rate strap: advertises 0x180D, notifies 0x2A37."""
        return str(self.mock.AddGattSensor(adapter, address, name, _uuid(0x180D), _uuid(0x2A37)))

    def add_footpod(self, address: str, name: str = "Stryd", adapter: str = "hci0") -> str:
        """An RSC footpod: advertises 0x1814, notifies 0x2A53."""
        return str(self.mock.AddGattSensor(adapter, address, name, _uuid(0x1814), _uuid(0x2A53)))

    def add_device(self, address: str, name: str, adapter: str = "hci0") -> str:
        """A device that advertises no heart-rate service."""
        return str(self.mock.AddDevice(adapter, address, name))

    def notify(self, address: str, payload: bytes) -> bool:
        import dbus

        return bool(self.mock.NotifyValue(address, dbus.ByteArray(payload)))

    def drop(self, address: str) -> None:
        self.mock.DropLink(address)

    def set_reachable(self, address: str, reachable: bool) -> None:
        self.mock.SetReachable(address, reachable)

    def gatt_applications(self) -> list[tuple[str, str]]:
        return [(str(s), str(p)) for s, p in self.mock.GetGattApplications()]

    def advertisements(self) -> list[tuple[str, str]]:
        return [(str(s), str(p)) for s, p in self.mock.GetAdvertisements()]

    def close(self) -> None:
        self.connection.close()


def _wait_for_name(address: str, name: str, timeout_s: float = 10.0) -> None:
    import dbus

    conn = dbus.bus.BusConnection(address)
    try:
        deadline = time.monotonic() + timeout_s
        while not conn.name_has_owner(name):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} did not appear on {address}")
            time.sleep(0.05)
    finally:
        conn.close()


def start_fake_bluez(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBluez]:
    """The fake bluetoothd on a private bus, until the generator is closed."""
    daemon_exe = shutil.which("dbus-daemon")
    if daemon_exe is None:
        pytest.skip("dbus-daemon not installed (Debian: apt install dbus-daemon; "
                    "scripts/bootstrap.sh --dev installs it)")
    pytest.importorskip("dbus", reason="dbus-python missing: pip install -e '.[dev]' "
                                       "(needs libdbus-1-dev and libglib2.0-dev to build)")
    pytest.importorskip("dbusmock", reason="python-dbusmock missing: pip install -e '.[dev]'")
    sock = tmp_path / "bus.sock"
    log = open(tmp_path / "bluez-mock.log", "wb")
    daemon = subprocess.Popen(
        [daemon_exe, "--session", "--nofork", "--print-address=1", f"--address=unix:path={sock}"],
        stdout=subprocess.PIPE, stderr=log)
    assert daemon.stdout is not None
    address = daemon.stdout.readline().decode().strip()
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", address)
    env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=address)
    mock = subprocess.Popen(
        [sys.executable, "-m", "dbusmock", "--system", "--template", str(TEMPLATE)],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    fake = None
    try:
        _wait_for_name(address, "org.bluez")
        fake = FakeBluez(address, mock)
        fake.add_adapter("hci0")
        yield fake
    finally:
        if fake is not None:
            fake.close()
        for proc in (mock, daemon):
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()
