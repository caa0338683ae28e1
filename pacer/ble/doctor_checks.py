"""``pacer doctor``'s Bluetooth checks: the adapter, the paired strap, the footpod. IO edge.

Each returns a :class:`pacer.tools.doctor.Check` with the fix in one line, like the other
doctor checks. They talk to BlueZ over the system bus (``DBUS_SYSTEM_BUS_ADDRESS`` moves
it, as in the tests' fake bluetoothd); device libraries load only when a check runs.
"""

from __future__ import annotations

import asyncio
import importlib.util
import queue
import time
from typing import TYPE_CHECKING

from pacer.ble.pairing import remembered_strap
from pacer.errors import PacerError
from pacer.tools.doctor import Check, Status

if TYPE_CHECKING:  # dbus-fast itself loads when a check runs
    from dbus_fast import Variant

#: GetManagedObjects' a{oa{sa{sv}}}: object path -> interface -> property -> value
ManagedObjects = dict[str, dict[str, dict[str, "Variant"]]]

EXTRA_FIX = "pip install 'pacer[bluetooth]' (scripts/bootstrap.sh installs it with --dev)"
BLUETOOTHD_FIX = "sudo apt install bluez && sudo systemctl enable --now bluetooth"


def bluetooth_libraries_missing() -> list[str]:
    """The Bluetooth extra's packages that are not installed."""
    return [m for m in ("bleak", "dbus_fast") if importlib.util.find_spec(m) is None]


async def _managed_objects() -> ManagedObjects:
    from dbus_fast import BusType, Message, MessageType
    from dbus_fast.aio import MessageBus

    bus = await MessageBus(bus_type=BusType.SYSTEM).connect()
    try:
        reply = await bus.call(Message(destination="org.bluez", path="/",
                                       interface="org.freedesktop.DBus.ObjectManager",
                                       member="GetManagedObjects"))
    finally:
        bus.disconnect()
    if reply.message_type == MessageType.ERROR:
        raise ConnectionError(f"{reply.error_name}")
    objects: ManagedObjects = reply.body[0]
    return objects


def check_adapter(adapter: str = "hci0") -> Check:
    """The adapter exists in BlueZ and is powered."""
    name = f"Bluetooth adapter {adapter}"
    missing = bluetooth_libraries_missing()
    if missing:
        return Check(name, Status.WARN, f"not checked: {', '.join(missing)} missing", EXTRA_FIX)
    try:
        objects = asyncio.run(_managed_objects())
    except (OSError, ConnectionError, EOFError) as exc:
        return Check(name, Status.FAIL, f"bluetoothd not reachable ({exc})", BLUETOOTHD_FIX)
    except Exception as exc:  # dbus-fast's own errors (auth, bus) are not OSErrors
        return Check(name, Status.FAIL, f"system bus not reachable ({exc})", BLUETOOTHD_FIX)
    props = objects.get(f"/org/bluez/{adapter}", {}).get("org.bluez.Adapter1")
    if props is None:
        return Check(name, Status.FAIL, "missing",
                     "check `bluetoothctl list`; on a Pi, no dtoverlay=disable-bt in "
                     "/boot/firmware/config.txt and hciuart running")
    address = props["Address"].value if "Address" in props else "?"
    if not (props.get("Powered") and props["Powered"].value):
        return Check(name, Status.FAIL, f"{address} is powered off",
                     "rfkill unblock bluetooth; bluetoothctl power on")
    return Check(name, Status.OK, f"{address}, powered")


def check_paired_strap(listen_s: float = 20.0, adapter: str | None = None) -> Check:
    """The remembered strap connects and sends one heart rate within ``listen_s``."""
    name = "heart-rate strap"
    try:
        paired = remembered_strap()
    except PacerError as exc:
        return Check(name, Status.FAIL, str(exc), "pacer sensors pair")
    if paired is None:
        return Check(name, Status.WARN, "none paired", "pacer sensors pair (wear the strap)")
    if bluetooth_libraries_missing():
        return Check(name, Status.WARN, "not checked: the bluetooth extra is missing", EXTRA_FIX)
    from pacer.ble.strap import HeartRateRecord, HeartRateStrap

    label = f"{paired.address} {paired.name}".strip()
    strap = HeartRateStrap(paired.address, adapter=adapter, scan_timeout_s=listen_s / 2,
                           backoff_s=(0.5,))
    strap.start()
    try:
        deadline = time.monotonic() + listen_s
        while time.monotonic() < deadline:
            try:
                item = strap.records.get(timeout=0.2)
            except queue.Empty:
                continue
            if isinstance(item, HeartRateRecord):
                return Check(name, Status.OK,
                             f"{label}: {item.measurement.heart_rate_bpm} bpm")
    finally:
        strap.stop()
    return Check(name, Status.FAIL, f"{label}: no heart rate in {listen_s:g} s",
                 "wear the strap with wet electrodes; close apps or watches connected to it")


def check_footpod(adapter: str = "hci0") -> Check:
    """BlueZ accepts pacer's footpod application and advertisement."""
    name = "footpod (RSC 0x1814)"
    if bluetooth_libraries_missing():
        return Check(name, Status.WARN, "not checked: the bluetooth extra is missing", EXTRA_FIX)
    from pacer.ble.footpod import FootpodPeripheral

    try:
        with FootpodPeripheral(adapter=adapter):
            pass
    except PacerError as exc:
        return Check(name, Status.FAIL, str(exc),
                     "bluetoothd running with LE advertising; the service user in the "
                     "bluetooth group (docs/bluetooth.md)")
    return Check(name, Status.OK, "registered and advertised")
